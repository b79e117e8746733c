/**
 * How long a fault action that starts a process blocks the load generator's event loop. The local
 * stack spawns its components from the harness process, and Node's spawn forks that process: the
 * fork copies page tables, so the stall grows with the harness's RSS. Measured here as the worst
 * gap of a 1 ms interval timer while `control.addReplica('agent')` runs, at the harness's own RSS
 * and with 100 MiB more held in Buffers; and, as a peer in the same run, the same gap around one
 * `spawn('/bin/true')`.
 *
 *   node --import tsx bench/stack-spawn-stall.ts     (about 10 s; needs redis-server and haproxy)
 */
import { spawn } from 'node:child_process';
import { startLocalStack } from '../harness/stack/local.ts';

async function worstGapMs(action: () => Promise<unknown>): Promise<{ gapMs: number; actionMs: number }> {
  let worst = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 1);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 300));
  worst = 0;
  const t0 = performance.now();
  await action();
  const actionMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 200));
  clearInterval(timer);
  return { gapMs: worst, actionMs };
}

const spawnTrue = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn('/bin/true', { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve());
  });

const stack = await startLocalStack({ loadTimeSec: 0 });
const ballast: Buffer[] = [];
try {
  console.log(
    `stack-spawn-stall: node ${process.version}; worst event-loop gap (1 ms timer) during each action`,
  );
  for (const extraMiB of [0, 100]) {
    for (let i = 0; i < extraMiB; i++) ballast.push(Buffer.alloc(1 << 20, 1));
    const rssMiB = process.memoryUsage().rss / 2 ** 20;
    const peer = await worstGapMs(spawnTrue);
    let added: { id: string } | undefined;
    const add = await worstGapMs(async () => (added = await stack.control.addReplica('agent')));
    if (added !== undefined) await stack.control.removeReplica(added.id);
    console.log(
      `RSS ${rssMiB.toFixed(0)} MiB: addReplica ${add.actionMs.toFixed(0)} ms, worst gap ${add.gapMs.toFixed(1)} ms;` +
        ` spawn('/bin/true') worst gap ${peer.gapMs.toFixed(1)} ms`,
    );
  }
} finally {
  await stack.stop();
}
