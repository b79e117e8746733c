import type { Clock } from '../clock.ts';
import type { Rng } from '../rng.ts';

/**
 * Executors decide *when* iterations start and how many run at once (k6's names and semantics);
 * the engine decides what an iteration does. Times are ms since the run's start.
 */
export interface IterationContext {
  /** VU slot running the iteration, 0-based within its executor. */
  vu: number;
  /** Start order within the executor, 0-based. */
  iteration: number;
  /** When the iteration was due. Open-model latency is measured from here, not from the send. */
  scheduledAtMs: number;
  /** Aborts when the iteration is cut off: gracefulStop or gracefulRampDown ran out, or the run aborted. */
  signal: AbortSignal;
}

/**
 * Why an iteration did not run. `no_vu`: every VU up to maxVUs was busy (k6 dropped_iterations);
 * `late`: the engine reached the due time more than lateToleranceMs after it; `max_duration`:
 * per-vu-iterations hit maxDuration before starting it.
 */
export type DropReason = 'no_vu' | 'late' | 'max_duration';

export interface ExecutorEnv {
  clock: Clock;
  rng: Rng;
  /** Runs one iteration. It must not throw (failures are samples) and must honour ctx.signal. */
  iterate(ctx: IterationContext): Promise<void>;
  dropped(scheduledAtMs: number, reason: DropReason): void;
  /** Split runs (harness/engine/segment.ts): whether this process runs the schedule's 0-based item i. */
  keep?: (index: number) => boolean;
  /** Stop starting iterations; in-flight ones get gracefulStop to finish (a sweep step broke its SLO). */
  stop: AbortSignal;
  /** Cut everything now (SIGINT, a threshold with abortOnFail). */
  abort: AbortSignal;
}

export interface ExecutorReport {
  started: number;
  completed: number;
  /** Cut off by gracefulStop, gracefulRampDown or an abort. */
  interrupted: number;
  dropped: Record<DropReason, number>;
  /** Most VUs busy at once. */
  peakVus: number;
  /** VUs that existed at the end: preAllocatedVUs plus those added up to maxVUs. */
  allocatedVus: number;
}

/** What an executor's iterations are: one request (turn), or a whole multi-turn session. */
export type IterationUnit = 'turn' | 'session';

export interface Executor {
  readonly name: string;
  readonly iterationUnit: IterationUnit;
  /** When it starts starting iterations, ms since the run's start (k6 startTime). */
  readonly startTimeMs: number;
  /** Last moment it may start an iteration, relative to its start (duration, or maxDuration). */
  readonly durationMs: number;
  readonly gracefulStopMs: number;
  /** Offered rate, iterations per second, at `tMs` since the run's start; null for closed models. */
  offeredRateAt(tMs: number): number | null;
  /** Target VUs at `tMs`; null for open models. */
  targetVusAt(tMs: number): number | null;
  run(env: ExecutorEnv): Promise<ExecutorReport>;
}

export function emptyReport(): ExecutorReport {
  return {
    started: 0,
    completed: 0,
    interrupted: 0,
    dropped: { no_vu: 0, late: 0, max_duration: 0 },
    peakVus: 0,
    allocatedVus: 0,
  };
}
