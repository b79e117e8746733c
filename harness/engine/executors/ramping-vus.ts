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

function vusAt(steps: readonly VuStep[], offsetMs: number): number {
  let vus = 0;
  for (const s of steps) if (s.atMs <= offsetMs) vus = s.vus;
  return vus;
}

/** First step after `offsetMs` whose count satisfies `want`, as an offset; null if none. */
function nextStep(steps: readonly VuStep[], offsetMs: number, want: (vus: number) => boolean): number | null {
  for (const s of steps) if (s.atMs > offsetMs && want(s.vus)) return s.atMs;
  return null;
}

export function rampingVus(name: string, c: RampingVusConfig): Executor {
  const steps = rampingVusSteps(c.startVUs, c.stages);
  const durationMs = c.stages.reduce((a, s) => a + s.durationMs, 0);
  return {
    name,
    iterationUnit: 'turn',
    startTimeMs: c.startTimeMs,
    durationMs,
    gracefulStopMs: c.gracefulStopMs,
    offeredRateAt: () => null,
    targetVusAt: (tMs) =>
      tMs >= c.startTimeMs && tMs < c.startTimeMs + durationMs ? vusAt(steps, tMs - c.startTimeMs) : 0,
    run: (env) => runRampingVus(env, c, steps, durationMs),
  };
}

async function runRampingVus(env: ExecutorEnv, c: RampingVusConfig, steps: VuStep[], durationMs: number) {
  const { clock } = env;
  const report = emptyReport();
  const inFlight = new IterationSet(report, env.abort, { signalPerIteration: true });
  const halt = AbortSignal.any([env.stop, env.abort]);
  const t0 = c.startTimeMs;
  const endMs = t0 + durationMs;
  const maxVus = Math.max(...steps.map((s) => s.vus));
  let busy = 0;
  await clock.sleepUntil(t0, halt);

  const vuLoop = async (vu: number): Promise<void> => {
    while (!halt.aborted && clock.now() < endMs) {
      const offsetMs = clock.now() - t0;
      if (vusAt(steps, offsetMs) <= vu) {
        const upAt = nextStep(steps, offsetMs, (n) => n > vu);
        if (upAt === null || t0 + upAt >= endMs) return;
        await clock.sleepUntil(t0 + upAt, halt);
        continue;
      }
      busy++;
      report.peakVus = Math.max(report.peakVus, busy);
      const done = inFlight.start(env.iterate, vu, clock.now());
      const downAt = nextStep(steps, offsetMs, (n) => n <= vu);
      if (downAt !== null && t0 + downAt < endMs) {
        await rampDown(
          clock,
          inFlight,
          done,
          t0 + downAt + c.gracefulRampDownMs,
          halt,
          () => vusAt(steps, clock.now() - t0) <= vu,
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
