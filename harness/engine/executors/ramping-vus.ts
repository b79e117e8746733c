import type { RampingVusConfig } from '../../config/executor-schema.ts';
import type { Clock } from '../clock.ts';
import { IterationSet } from './iteration-set.ts';
import { emptyReport, type Executor, type ExecutorEnv } from './types.ts';

export interface VuStep {
  /** Since the executor's start. */
  atMs: number;
  vus: number;
}

/**
 * k6 ramping-vus steps: a stage going from a to b VUs over D changes the count by one at
 * D*i/|b-a| for i = 1..|b-a|, so 0 -> 10 over 10 s adds one VU each second, the first at 1 s, and
 * 10 -> 0 removes one each second. A zero-length stage jumps at once.
 */
export function rampingVusSteps(startVUs: number, stages: readonly { durationMs: number; target: number }[]) {
  const steps: VuStep[] = [{ atMs: 0, vus: startVUs }];
  let fromVus = startVUs;
  let stageStartMs = 0;
  for (const stage of stages) {
    const target = Math.round(stage.target);
    const diff = target - fromVus;
    if (stage.durationMs === 0 && diff !== 0) steps.push({ atMs: stageStartMs, vus: target });
    else {
      for (let i = 1; i <= Math.abs(diff); i++) {
        steps.push({
          atMs: stageStartMs + (stage.durationMs * i) / Math.abs(diff),
          vus: fromVus + Math.sign(diff) * i,
        });
      }
    }
    fromVus = target;
    stageStartMs += stage.durationMs;
  }
  return steps;
}

/**
 * Answers the executor's per-iteration questions about the steps in O(log steps): the count at an
 * offset, and the first later step whose count is above (or at most) a VU's index. A ramp to N VUs
 * has N steps, and every VU asks on every iteration, so a linear walk costs O(N) per iteration.
 * Same answers as walking the list in order (steps are sorted by atMs; ties keep list order).
 */
export class StepIndex {
  private readonly atMs: Float64Array;
  private readonly size: number;
  /** Segment trees over the counts, leaves from `size`; padding never matches a query. */
  private readonly max: Int32Array;
  private readonly min: Int32Array;

  constructor(private readonly steps: readonly VuStep[]) {
    this.atMs = Float64Array.from(steps, (s) => s.atMs);
    let size = 1;
    while (size < steps.length) size *= 2;
    this.size = size;
    this.max = new Int32Array(2 * size).fill(-1);
    this.min = new Int32Array(2 * size).fill(2 ** 31 - 1);
    steps.forEach((s, i) => {
      this.max[size + i] = s.vus;
      this.min[size + i] = s.vus;
    });
    for (let n = size - 1; n >= 1; n--) {
      this.max[n] = Math.max(this.max[2 * n]!, this.max[2 * n + 1]!);
      this.min[n] = Math.min(this.min[2 * n]!, this.min[2 * n + 1]!);
    }
  }

  /** The highest count of any step. */
  get maxVus(): number {
    return Math.max(0, this.max[1]!);
  }

  /** Index of the first step after offsetMs (steps.length if none). */
  private firstAfter(offsetMs: number): number {
    let lo = 0;
    let hi = this.atMs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.atMs[mid]! <= offsetMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The count of the last step at or before offsetMs; 0 before the first. */
  vusAt(offsetMs: number): number {
    const i = this.firstAfter(offsetMs) - 1;
    return i < 0 ? 0 : this.steps[i]!.vus;
  }

  /** atMs of the first step after offsetMs with a count above `vu`; null if none. */
  nextAbove(offsetMs: number, vu: number): number | null {
    return this.find(this.firstAfter(offsetMs), (n) => this.max[n]! > vu);
  }

  /** atMs of the first step after offsetMs with a count at most `vu`; null if none. */
  nextAtMost(offsetMs: number, vu: number): number | null {
    return this.find(this.firstAfter(offsetMs), (n) => this.min[n]! <= vu);
  }

  /** The leftmost leaf at index >= from whose subtree `holds`, descending the tree. */
  private find(from: number, holds: (node: number) => boolean): number | null {
    if (from >= this.steps.length) return null;
    const walk = (node: number, lo: number, hi: number): number => {
      if (hi <= from || !holds(node)) return -1;
      if (hi - lo === 1) return lo;
      const mid = (lo + hi) >>> 1;
      const left = walk(2 * node, lo, mid);
      return left >= 0 ? left : walk(2 * node + 1, mid, hi);
    };
    const i = walk(1, 0, this.size);
    return i < 0 ? null : this.steps[i]!.atMs;
  }
}

export function rampingVus(name: string, c: RampingVusConfig): Executor {
  const steps = rampingVusSteps(c.startVUs, c.stages);
  const index = new StepIndex(steps);
  const durationMs = c.stages.reduce((a, s) => a + s.durationMs, 0);
  return {
    name,
    iterationUnit: 'turn',
    startTimeMs: c.startTimeMs,
    durationMs,
    gracefulStopMs: c.gracefulStopMs,
    offeredRateAt: () => null,
    targetVusAt: (tMs) =>
      tMs >= c.startTimeMs && tMs < c.startTimeMs + durationMs ? index.vusAt(tMs - c.startTimeMs) : 0,
    run: (env) => runRampingVus(env, c, index, durationMs),
  };
}

async function runRampingVus(env: ExecutorEnv, c: RampingVusConfig, index: StepIndex, durationMs: number) {
  const { clock } = env;
  const report = emptyReport();
  const inFlight = new IterationSet(report, env.abort, { signalPerIteration: true });
  const halt = AbortSignal.any([env.stop, env.abort]);
  const t0 = c.startTimeMs;
  const endMs = t0 + durationMs;
  const maxVus = index.maxVus;
  let busy = 0;
  await clock.sleepUntil(t0, halt);

  const vuLoop = async (vu: number): Promise<void> => {
    while (!halt.aborted && clock.now() < endMs) {
      const offsetMs = clock.now() - t0;
      if (index.vusAt(offsetMs) <= vu) {
        const upAt = index.nextAbove(offsetMs, vu);
        if (upAt === null || t0 + upAt >= endMs) return;
        await clock.sleepUntil(t0 + upAt, halt);
        continue;
      }
      busy++;
      report.peakVus = Math.max(report.peakVus, busy);
      const done = inFlight.start(env.iterate, vu, clock.now());
      const downAt = index.nextAtMost(offsetMs, vu);
      if (downAt !== null && t0 + downAt < endMs) {
        await rampDown(
          clock,
          inFlight,
          done,
          t0 + downAt + c.gracefulRampDownMs,
          halt,
          () => index.vusAt(clock.now() - t0) <= vu,
        );
      }
      await done;
      busy--;
    }
  };
  const loops = Array.from({ length: maxVus }, (_, vu) => vuLoop(vu));
  await clock.sleepUntil(endMs, halt);
  await inFlight.drain(clock, Math.min(clock.now(), endMs) + c.gracefulStopMs, env.abort);
  await Promise.all(loops);
  report.allocatedVus = maxVus;
  return report;
}

/** gracefulRampDown: a VU ramped away finishes its iteration, or is cut at the deadline if still unneeded. */
async function rampDown(
  clock: Clock,
  inFlight: IterationSet,
  done: Promise<void>,
  deadlineMs: number,
  halt: AbortSignal,
  stillUnneeded: () => boolean,
): Promise<void> {
  const watch = new AbortController();
  const outcome = await Promise.race([
    done.then(() => 'done' as const),
    clock.sleepUntil(deadlineMs, AbortSignal.any([watch.signal, halt])).then(() => 'deadline' as const),
  ]);
  watch.abort();
  if (outcome === 'deadline' && !halt.aborted && stillUnneeded()) inFlight.cut(done);
}
