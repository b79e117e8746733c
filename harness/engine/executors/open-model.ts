import { IterationSet } from './iteration-set.ts';
import {
  emptyReport,
  type Executor,
  type ExecutorEnv,
  type ExecutorReport,
  type IterationUnit,
} from './types.ts';
import { VuPool } from './vu-pool.ts';

/** k6's arrival-rate options, shared by every open-model executor's config. */
export interface ArrivalRateOptions {
  startTimeMs: number;
  gracefulStopMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
  /** An iteration reached later than this after its due time is dropped as `late`, never sent late. */
  lateToleranceMs: number;
}

interface OpenModelPlan extends ArrivalRateOptions {
  /** Due times relative to startTimeMs, ascending, each < durationMs. */
  schedule: Iterable<number>;
  durationMs: number;
  /** Iterations listen on their own signal (sessions sleep on it); see IterationSetOptions. */
  signalPerIteration?: boolean;
}

/**
 * An open-model Executor: the arrival-rate executors differ only in their rate curve and their
 * schedule (evenly spaced, area-under-the-ramp, Poisson), so everything else is built here.
 */
export function openModelExecutor(spec: {
  name: string;
  unit: IterationUnit;
  options: ArrivalRateOptions;
  durationMs: number;
  /** Offered rate at `offsetMs` since the executor's start. */
  ratePerSecAt: (offsetMs: number) => number;
  schedule: (env: ExecutorEnv) => Iterable<number>;
  signalPerIteration?: boolean;
}): Executor {
  const { options: o, durationMs } = spec;
  return {
    name: spec.name,
    iterationUnit: spec.unit,
    startTimeMs: o.startTimeMs,
    durationMs,
    gracefulStopMs: o.gracefulStopMs,
    offeredRateAt: (tMs) =>
      tMs >= o.startTimeMs && tMs < o.startTimeMs + durationMs ? spec.ratePerSecAt(tMs - o.startTimeMs) : 0,
    targetVusAt: () => null,
    run: (env) =>
      runOpenModel(env, {
        ...o,
        schedule: spec.schedule(env),
        durationMs,
        signalPerIteration: spec.signalPerIteration,
      }),
  };
}

/** Items handled back to back, all already due, before the dispatcher yields to the event loop. */
const MAX_ITEMS_WITHOUT_YIELD = 1024;

/**
 * The one dispatcher behind every open-model executor: an arrival schedule says when, this sends.
 * It never waits for an iteration before starting the next, so a slow target cannot slow the
 * offered load (no coordinated omission); what cannot start on time is counted as dropped.
 */
async function runOpenModel(env: ExecutorEnv, plan: OpenModelPlan): Promise<ExecutorReport> {
  const { clock } = env;
  const report = emptyReport();
  const pool = new VuPool(plan.preAllocatedVUs, plan.maxVUs);
  const inFlight = new IterationSet(report, env.abort, { signalPerIteration: plan.signalPerIteration });
  const halt = AbortSignal.any([env.stop, env.abort]);
  const endMs = plan.startTimeMs + plan.durationMs;

  let index = -1;
  let withoutYield = 0;
  for (const offsetMs of plan.schedule) {
    index += 1;
    const dueMs = plan.startTimeMs + offsetMs;
    if (dueMs >= endMs) break;
    if (env.keep && !env.keep(index)) continue;
    // One timer per wake: everything that has come due by then goes out before the next sleep, and
    // an item already due costs no promise (sleepUntil's listener on `halt` alone is ~0.5 us).
    let nowMs = clock.now();
    if (dueMs > nowMs) {
      withoutYield = 0;
      await clock.sleepUntil(dueMs, halt);
      nowMs = clock.now();
    } else if (++withoutYield >= MAX_ITEMS_WITHOUT_YIELD) {
      // Far behind schedule (a rate beyond what this process can send) every item is due at once:
      // let I/O, timers and signals (SIGINT, the run's stop) in between batches.
      withoutYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
      nowMs = clock.now();
    }
    if (halt.aborted) break;
    if (nowMs - dueMs > plan.lateToleranceMs) {
      env.dropped(dueMs, 'late');
      report.dropped.late++;
      continue;
    }
    const vu = pool.acquire();
    if (vu === null) {
      env.dropped(dueMs, 'no_vu');
      report.dropped.no_vu++;
      continue;
    }
    void inFlight.start(env.iterate, vu, dueMs, () => pool.release(vu));
  }
  if (!halt.aborted) await clock.sleepUntil(endMs, halt);
  const stopAtMs = Math.min(clock.now(), endMs);
  await inFlight.drain(clock, stopAtMs + plan.gracefulStopMs, env.abort);
  report.peakVus = pool.peakVus;
  report.allocatedVus = pool.allocatedVus;
  return report;
}
