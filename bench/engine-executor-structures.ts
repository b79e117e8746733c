/**
 * What the executors' bookkeeping costs per iteration at large VU counts, against the plain
 * structures they replaced, measured in the same run:
 * - VuPool (a min-heap of free VU ids) vs a sorted array with shift/findIndex/splice, at 1,000
 *   and 20,000 pre-allocated VUs with about 100 busy;
 * - ramping-vus's StepIndex (segment trees) vs walking the step list, on a ramp to 10,000 VUs
 *   (20,001 steps): the count now, then the next step above or at most the VU's index.
 *
 *   node --import tsx bench/engine-executor-structures.ts     (a few seconds)
 */
import { rampingVusSteps, StepIndex, type VuStep } from '../harness/engine/executors/ramping-vus.ts';
import { VuPool } from '../harness/engine/executors/vu-pool.ts';
import { cpuMsSince } from './engine-bench-support.ts';

/** The sorted free list VuPool used before its heap. */
class SortedArrayPool {
  private readonly free: number[] = [];
  private allocated = 0;
  constructor(
    pre: number,
    private readonly max: number,
  ) {
    for (let i = 0; i < pre; i++) this.free.push(this.allocated++);
  }
  acquire(): number | null {
    const vu = this.free.shift();
    if (vu !== undefined) return vu;
    return this.allocated < this.max ? this.allocated++ : null;
  }
  release(vu: number): void {
    const at = this.free.findIndex((v) => v > vu);
    if (at < 0) this.free.push(vu);
    else this.free.splice(at, 0, vu);
  }
}

function cpuUsPerOp(ops: number, body: () => void): number {
  const cpu0 = process.cpuUsage();
  body();
  return (cpuMsSince(cpu0) * 1000) / ops;
}

function poolUs(make: () => { acquire(): number | null; release(vu: number): void }): number {
  const pool = make();
  const busy: number[] = [];
  const ops = 400_000;
  return cpuUsPerOp(ops, () => {
    for (let i = 0; i < ops; i++) {
      busy.push(pool.acquire()!);
      if (busy.length > 100) pool.release(busy.splice((i * 7919) % busy.length, 1)[0]!);
    }
  });
}

function walkVusAt(steps: readonly VuStep[], t: number): number {
  let vus = 0;
  for (const s of steps) if (s.atMs <= t) vus = s.vus;
  return vus;
}

function walkNext(steps: readonly VuStep[], t: number, want: (n: number) => boolean): number | null {
  for (const s of steps) if (s.atMs > t && want(s.vus)) return s.atMs;
  return null;
}

const steps = rampingVusSteps(0, [
  { durationMs: 60_000, target: 10_000 },
  { durationMs: 60_000, target: 10_000 },
  { durationMs: 60_000, target: 0 },
]);
const index = new StepIndex(steps);

function stepsUs(ops: number, ask: (t: number, vu: number) => number | null): number {
  let sink = 0;
  const us = cpuUsPerOp(ops, () => {
    for (let i = 0; i < ops; i++) sink += ask((i * 7919) % 180_000, (i * 104_729) % 10_000) ?? 0;
  });
  if (sink === 0) throw new Error('no step found: the bench asks the wrong questions');
  return us;
}

console.log(`engine-executor-structures: node ${process.version}`);
for (const round of [1, 2]) {
  for (const vus of [1_000, 20_000]) {
    const heap = poolUs(() => new VuPool(vus, vus));
    const sorted = poolUs(() => new SortedArrayPool(vus, vus));
    console.log(
      `round ${round}, ${vus} VUs: acquire+release VuPool ${(heap * 1000).toFixed(0)} ns, sorted array ${(sorted * 1000).toFixed(0)} ns (${(sorted / heap).toFixed(1)}x)`,
    );
  }
  const indexed = stepsUs(200_000, (t, vu) =>
    index.vusAt(t) <= vu ? index.nextAbove(t, vu) : index.nextAtMost(t, vu),
  );
  const walked = stepsUs(2_000, (t, vu) =>
    walkVusAt(steps, t) <= vu ? walkNext(steps, t, (n) => n > vu) : walkNext(steps, t, (n) => n <= vu),
  );
  console.log(
    `round ${round}, ${steps.length} steps: per iteration StepIndex ${indexed.toFixed(2)} us, list walk ${walked.toFixed(2)} us (${(walked / indexed).toFixed(0)}x)`,
  );
}
