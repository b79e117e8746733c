import type { BatchState, SeqOutput } from './batch-state.ts';
import type { StepInput } from './perf-types.ts';

/** One forward step as it happened; what /metrics, tests and the step-timing bench look at. */
export interface StepRecord {
  /** When the step should have started: the previous step's end, or the wake-up from idle. */
  scheduledAtMs: number;
  /** When the loop reached that moment (tokens of the previous boundary are written after it). */
  startedAtMs: number;
  /**
   * Write lag of the tokens released at the previous boundary: from reaching that boundary until
   * the last of them was handed to its stream, or until this step's start if some are still
   * unwritten (0 from idle).
   */
  emitMs: number;
  /** Outputs of earlier boundaries still unwritten when this step started (0: writes keep up). */
  backlog: number;
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
  onStep(record: StepRecord): void;
  /** The loop ran out of work (or hung) and stopped stepping. */
  onIdle(): void;
  /** Busy-wait (setImmediate) this long before a step boundary instead of trusting setTimeout. */
  spinMs: number;
  /**
   * Collects young garbage if enough has piled up (true when it did); called in the slack after a
   * boundary's writes, at least SLACK_GC_MS before the next boundary. Null: never.
   */
  collectYoungGarbage: (() => boolean) | null;
}

/**
 * Lateness beyond which the schedule is re-anchored at "now" instead of catching up: catching up a
 * long stall would compress several GPU steps into a burst, which no GPU does.
 */
const MAX_CATCH_UP_MS = 2;

/** Longest run of token writes before yielding a loop turn to I/O (new requests, disconnects). */
const WRITE_SLICE_MS = 1;

/**
 * Slack needed before the next boundary to run a scavenge there (GC pauses at 1,000 streams: median
 * 0.72-0.77 ms, from bench/model-server-step-timing.ts's GC column, docs/model-server-api.md), so
 * the one V8 would schedule itself does not land on a boundary.
 */
const SLACK_GC_MS = 4;

/**
 * The scheduler's clock: one step at a time, each boundary at an absolute target time
 * (previous target + modelled duration), so timer lateness does not accumulate. setTimeout covers
 * the wait up to `spinMs` before the target (it has ms granularity and fires late under load);
 * setImmediate polls the rest, leaving I/O callbacks free to run in between.
 *
 * At a boundary the batch state advances at once (cheap) and the next step is planned; the outputs'
 * writes (about 10 us each, a syscall per stream: 10+ ms at 1,000 streams) are queued and written
 * between the boundaries, in slices that stop at the next boundary. A GPU computes the next step
 * while the router streams the previous one's tokens, so writes never delay a step; when writing
 * falls behind, `backlog` and `emitMs` of the step records say so.
 */
export class StepLoop {
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private idleWrite: NodeJS.Immediate | null = null;
  private active = false;
  private stopped = false;
  /** Released outputs, FIFO from `outHead`: per stream, emission order is delivery order. */
  private outbox: (SeqOutput | undefined)[] = [];
  private outHead = 0;
  /** When the latest boundary's outputs were released, and when the outbox last ran empty. */
  private releasedAtMs = 0;
  private drainedAtMs = 0;
  /** The boundary whose slack was offered to the young-garbage collector. */
  private gcOfferedForMs = -1;

  constructor(private readonly deps: StepLoopDeps) {}

  /** Work arrived (or a hang was lifted): start stepping if the loop is idle. */
  kick(): void {
    if (this.active || this.stopped || this.deps.isHung()) return;
    this.active = true;
    const scheduledAtMs = this.deps.nowMs();
    if (this.pendingOutputs === 0) this.releasedAtMs = this.drainedAtMs = scheduledAtMs;
    this.immediate = setImmediate(() => {
      this.immediate = null;
      this.runStep(scheduledAtMs, this.deps.nowMs(), { emitMs: 0, backlog: 0 }, true);
    });
  }

  stop(): void {
    this.stopped = true;
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    if (this.idleWrite) clearImmediate(this.idleWrite);
    this.timer = null;
    this.immediate = null;
    this.idleWrite = null;
    this.outbox = [];
    this.outHead = 0;
  }

  private get pendingOutputs(): number {
    return this.outbox.length - this.outHead;
  }

  private runStep(
    scheduledAtMs: number,
    startedAtMs: number,
    writes: { emitMs: number; backlog: number },
    fromIdle: boolean,
  ): void {
    if (this.stopped) return;
    const { batch } = this.deps;
    const plan = this.deps.isHung() ? null : batch.planStep();
    if (!plan) {
      this.active = false;
      this.writeWhileIdle();
      this.deps.onIdle();
      return;
    }
    const durationMs = Math.max(0, this.deps.stepMs(plan.input));
    this.deps.onStep({
      scheduledAtMs,
      startedAtMs,
      emitMs: writes.emitMs,
      backlog: writes.backlog,
      durationMs,
      fromIdle,
      input: plan.input,
      admitted: plan.admitted,
      batchSize: batch.batchSize,
      queueSize: batch.queueSize,
    });
    const baseMs = startedAtMs - scheduledAtMs > MAX_CATCH_UP_MS ? startedAtMs : scheduledAtMs;
    const boundaryMs = baseMs + durationMs;
    this.at(boundaryMs, (reachedAtMs) => {
      const writes = this.writeLag(reachedAtMs);
      this.release(batch.advanceStep(plan), reachedAtMs);
      this.runStep(boundaryMs, reachedAtMs, writes, false);
    });
  }

  /** How the previous boundary's writes went, seen from the boundary reached at `nowMs`. */
  private writeLag(nowMs: number): { emitMs: number; backlog: number } {
    const backlog = this.pendingOutputs;
    const lastWriteMs = backlog > 0 ? nowMs : this.drainedAtMs;
    return { emitMs: Math.max(0, lastWriteMs - this.releasedAtMs), backlog };
  }

  private release(outputs: SeqOutput[], atMs: number): void {
    if (this.pendingOutputs === 0) {
      this.outbox = outputs;
      this.outHead = 0;
      this.drainedAtMs = atMs;
    } else {
      for (const output of outputs) this.outbox.push(output);
    }
    this.releasedAtMs = atMs;
  }

  /**
   * Writes queued outputs until the outbox is empty, `untilMs` comes, or the slice is used up;
   * returns the clock as read after the last write.
   */
  private write(untilMs: number): number {
    const { batch } = this.deps;
    let nowMs = this.deps.nowMs();
    const endMs = Math.min(untilMs, nowMs + WRITE_SLICE_MS);
    while (this.outHead < this.outbox.length) {
      const output = this.outbox[this.outHead]!;
      this.outbox[this.outHead++] = undefined;
      batch.deliver(output);
      nowMs = this.deps.nowMs();
      if (nowMs >= endMs) break;
    }
    if (this.outHead === this.outbox.length) {
      this.outbox = [];
      this.outHead = 0;
      this.drainedAtMs = nowMs;
    } else if (this.outHead > 4096 && this.outHead * 2 > this.outbox.length) {
      this.outbox = this.outbox.slice(this.outHead);
      this.outHead = 0;
    }
    return nowMs;
  }

  /** Outputs left when the loop goes idle (or hangs) are still written, a slice per loop turn. */
  private writeWhileIdle(): void {
    if (this.idleWrite || this.pendingOutputs === 0) return;
    this.idleWrite = setImmediate(() => {
      this.idleWrite = null;
      if (this.stopped || this.active) return; // a running loop writes between its boundaries
      this.write(Infinity);
      this.writeWhileIdle();
    });
  }

  /**
   * Calls fn(now) at targetMs, writing queued outputs until then. setTimeout counts its delay from
   * the moment it is called (Node refreshes the loop clock there), so the delay is taken from a
   * fresh now, after this turn's writes.
   */
  private at(targetMs: number, fn: (nowMs: number) => void): void {
    const wait = (): void => {
      this.timer = null;
      this.immediate = null;
      if (this.stopped) return;
      const nowMs = this.pendingOutputs > 0 ? this.write(targetMs) : this.deps.nowMs();
      if (nowMs >= targetMs) {
        fn(nowMs);
        return;
      }
      if (this.pendingOutputs === 0 && this.collectInSlack(targetMs, nowMs)) {
        this.immediate = setImmediate(wait);
        return;
      }
      const waitMs = targetMs - nowMs - this.deps.spinMs;
      if (this.pendingOutputs === 0 && waitMs >= 1) this.timer = setTimeout(wait, Math.floor(waitMs));
      else this.immediate = setImmediate(wait);
    };
    wait();
  }

  /** Once per boundary, with the writes done and SLACK_GC_MS to spare: a scavenge now, if due. */
  private collectInSlack(targetMs: number, nowMs: number): boolean {
    const collect = this.deps.collectYoungGarbage;
    if (collect === null || this.gcOfferedForMs === targetMs || targetMs - nowMs < SLACK_GC_MS) return false;
    this.gcOfferedForMs = targetMs;
    return collect();
  }
}
