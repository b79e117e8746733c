/**
 * Preloaded into every node child of a local stack (`node --import tsx --import parent-guard.ts ...`):
 * when the stack's process dies without stopping us, we are re-parented, process.ppid changes, and
 * we shut down (SIGTERM to ourselves runs the command's graceful close; exit hard if that stalls).
 * Polling is portable; on Linux setpriv's --pdeathsig usually acts first.
 */
const parentPid = process.ppid;
const pollMs = 500;
const hardExitMs = 5_000;

const timer = setInterval(() => {
  if (process.ppid === parentPid) return;
  clearInterval(timer);
  // Unref'd: a graceful close that empties the loop exits by itself, with its own code.
  setTimeout(() => process.exit(1), hardExitMs).unref();
  process.kill(process.pid, 'SIGTERM');
}, pollMs);
timer.unref();
