import { executorSchema, type ExecutorInput } from '../../../../harness/config/executor-schema.ts';
import { ManualClock, type Clock } from '../../../../harness/engine/clock.ts';
import { createExecutor } from '../../../../harness/engine/executors/index.ts';
import type {
  DropReason,
  ExecutorReport,
  IterationContext,
} from '../../../../harness/engine/executors/types.ts';
import { createRng } from '../../../../harness/engine/rng.ts';

export interface Start {
  vu: number;
  iteration: number;
  scheduledAtMs: number;
  startedAtMs: number;
  endedAtMs?: number;
  cut?: boolean;
}

export interface Harness {
  clock: ManualClock;
  starts: Start[];
  drops: { atMs: number; reason: DropReason }[];
  report: ExecutorReport;
  /** Most iterations in flight at once. */
  peakInFlight: number;
}

export interface HarnessOptions {
  /** How long an iteration takes, in clock ms. */
  serviceMs?: (ctx: IterationContext) => number;
  /** Clock the executor sees (defaults to the manual clock itself). */
  wrapClock?: (clock: ManualClock) => Clock;
  stopAtMs?: number;
  abortAtMs?: number;
  seed?: number;
  runForMs?: number;
}

/** Runs one executor against a manual clock and records every start, end and drop. */
export async function runExecutor(input: ExecutorInput, options: HarnessOptions = {}): Promise<Harness> {
  const clock = new ManualClock();
  const seen = options.wrapClock ? options.wrapClock(clock) : clock;
  const starts: Start[] = [];
  const drops: Harness['drops'] = [];
  const stop = new AbortController();
  const abort = new AbortController();
  let inFlight = 0;
  let peakInFlight = 0;
  const executor = createExecutor('test', executorSchema.parse(input));
  const running = executor.run({
    clock: seen,
    rng: createRng(options.seed ?? 1),
    stop: stop.signal,
    abort: abort.signal,
    dropped: (atMs, reason) => drops.push({ atMs, reason }),
    async iterate(ctx) {
      const start: Start = { ...ctx, startedAtMs: clock.now() };
      starts.push(start);
      inFlight++;
      peakInFlight = Math.max(peakInFlight, inFlight);
      await clock.sleepUntil(clock.now() + (options.serviceMs?.(ctx) ?? 100), ctx.signal);
      inFlight--;
      start.endedAtMs = clock.now();
      start.cut = ctx.signal.aborted;
    },
  });
  if (options.stopAtMs !== undefined) {
    await clock.advanceTo(options.stopAtMs);
    stop.abort();
  }
  if (options.abortAtMs !== undefined) {
    await clock.advanceTo(options.abortAtMs);
    abort.abort();
  }
  await clock.runUntilIdle(options.runForMs ?? 24 * 3_600_000);
  const report = await running;
  return { clock, starts, drops, report, peakInFlight };
}
