/**
 * Last line of defence against orphans: when this process exits, or dies from SIGINT/SIGTERM/SIGHUP
 * that nobody else handles, every tracked child process group gets SIGKILL. (A caller that handles
 * the signal itself is expected to call the stack's stop(); if it then exits without doing so, the
 * 'exit' hook still runs.) SIGKILL of this process cannot be caught: children started through
 * `setpriv --pdeathsig` die with it, node children also poll their parent (parent-guard.ts), and the
 * next stack start reaps whatever is left (stack-registry.ts).
 */
export interface GroupKiller {
  killGroupSync(): void;
}

const live = new Set<GroupKiller>();
let installed = false;

function killAllSync(): void {
  for (const member of live) member.killGroupSync();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // Runs first (prepended), so other listeners are still registered when it counts them.
    const handler = () => {
      if (process.listenerCount(signal) > 1) return;
      killAllSync();
      process.off(signal, handler);
      process.kill(process.pid, signal);
    };
    process.prependListener(signal, handler);
  }
}

export function guardOnExit(member: GroupKiller): void {
  install();
  live.add(member);
}

export function unguard(member: GroupKiller): void {
  live.delete(member);
}
