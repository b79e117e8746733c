import type { BatchState, StepPlan } from './batch-state.ts';
import type { StepInput } from './perf-types.ts';

/** One forward step as it happened; what /metrics, tests and the step-timing bench look at. */
export interface StepRecord {
  /** When the step should have started: the previous step's end, or the wake-up from idle. */
  scheduledAtMs: number;
  /** When the loop reached that moment (before writing the previous step's tokens). */
  startedAtMs: number;
  /** Time spent handing the previous step's tokens to their streams (0 from idle). */
  emitMs: number;
  /** Modelled duration (PerfModel.stepMs x latency multiplier). */
  durationMs: number;
  /** The step started from idle (a request arrived), not at the end of a previous step. */
  fromIdle: boolean;
  input: StepInput;
  admitted: number;
  batchSize: number;
  queueSize: number;
}

export interface StepLoopDeps {
  batch: BatchState;
  stepMs(input: StepInput): number;
  isHung(): boolean;
  nowMs(): number;
  onStep(record: StepRecord, plan: StepPlan): void;
  /** The loop ran out of work (or hung) and stopped stepping. */
  onIdle(): void;
  /** Busy-wait (setImmediate) this long before a step boundary instead of trusting setTimeout. */
  spinMs: number;
}

/**
 * Lateness beyond which the schedule is re-anchored at "now" instead of catching up: catching up a
 * long stall would compress several GPU steps into a burst, which no GPU does.
 */
const MAX_CATCH_UP_MS = 2;

/**
 * The scheduler's clock: one step at a time, each boundary at an absolute target time
 * (previous target + modelled duration), so timer lateness does not accumulate. setTimeout covers
 * the wait up to `spinMs` before the target (it has ms granularity and fires late under load);
 * setImmediate polls the rest, leaving I/O callbacks free to run in between.
 */
export class StepLoop {
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private active = false;
  private stopped = false;

  constructor(private readonly deps: StepLoopDeps) {}

  /** Work arrived (or a hang was lifted): start stepping if the loop is idle. */
  kick(): void {
    if (this.active || this.stopped || this.deps.isHung()) return;
    this.active = true;
    const scheduledAtMs = this.deps.nowMs();
    this.immediate = setImmediate(() => {
      this.immediate = null;
      this.runStep(scheduledAtMs, this.deps.nowMs(), 0, true);
    });
  }

  stop(): void {
    this.stopped = true;
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  private runStep(scheduledAtMs: number, startedAtMs: number, emitMs: number, fromIdle: boolean): void {
    if (this.stopped) return;
    const { batch } = this.deps;
    const plan = this.deps.isHung() ? null : batch.planStep();
    if (!plan) {
      this.active = false;
      this.deps.onIdle();
      return;
    }
    const durationMs = Math.max(0, this.deps.stepMs(plan.input));
    this.deps.onStep(
      {
        scheduledAtMs,
        startedAtMs,
        emitMs,
        durationMs,
        fromIdle,
        input: plan.input,
        admitted: plan.admitted,
        batchSize: batch.batchSize,
        queueSize: batch.queueSize,
      },
      plan,
    );
    const baseMs = startedAtMs - scheduledAtMs > MAX_CATCH_UP_MS ? startedAtMs : scheduledAtMs;
    const boundaryMs = baseMs + durationMs;
    this.at(boundaryMs, startedAtMs, (reachedAtMs) => {
      batch.completeStep(plan);
      this.runStep(boundaryMs, reachedAtMs, this.deps.nowMs() - reachedAtMs, false);
    });
  }

  /**
   * Calls fn(now) at targetMs. `callbackStartMs` is when the current callback began: Node counts
   * setTimeout delays from the event loop's cached time, taken before this callback ran (and its
   * token writes, which can take ms), so the delay is measured from there, not from now.
   */
  private at(targetMs: number, callbackStartMs: number, fn: (nowMs: number) => void): void {
    const spin = (): void => {
      this.immediate = null;
      if (this.stopped) return;
      const nowMs = this.deps.nowMs();
      if (nowMs >= targetMs) fn(nowMs);
      else this.immediate = setImmediate(spin);
    };
    const waitMs = targetMs - callbackStartMs - this.deps.spinMs;
    if (waitMs >= 1 && targetMs - this.deps.nowMs() > this.deps.spinMs) {
      this.timer = setTimeout(() => {
        this.timer = null;
        spin();
      }, Math.floor(waitMs));
    } else {
      spin();
    }
  }
}
