import type { Clock } from '../clock.ts';
import type { ExecutorReport, IterationContext } from './types.ts';

/**
 * The in-flight iterations of one executor, each with its own AbortController, so the executor can
 * wait for them with a deadline (gracefulStop) and cut off whatever is still running after it.
 */
export class IterationSet {
  private readonly running = new Map<number, { controller: AbortController; done: Promise<void> }>();
  private nextIteration = 0;

  constructor(
    private readonly report: ExecutorReport,
    abort: AbortSignal,
  ) {
    abort.addEventListener('abort', () => this.cutAll(), { once: true });
  }

  get size(): number {
    return this.running.size;
  }

  /** Starts `iterate` without waiting for it; `onDone` runs when it settles, cut off or not. */
  start(
    iterate: (ctx: IterationContext) => Promise<void>,
    vu: number,
    scheduledAtMs: number,
    onDone?: () => void,
  ): Promise<void> {
    const iteration = this.nextIteration++;
    const controller = new AbortController();
    this.report.started++;
    const done = (async () => {
      try {
        await iterate({ vu, iteration, scheduledAtMs, signal: controller.signal });
      } catch {
        // iterate must not throw; a bug there must not take the whole run down.
      }
      if (controller.signal.aborted) this.report.interrupted++;
      else this.report.completed++;
      this.running.delete(iteration);
      onDone?.();
    })();
    this.running.set(iteration, { controller, done });
    return done;
  }

  /** Cuts one iteration now (ramping-vus gracefulRampDown ran out). */
  cut(done: Promise<void>): void {
    for (const entry of this.running.values()) if (entry.done === done) entry.controller.abort();
  }

  cutAll(): void {
    for (const entry of this.running.values()) entry.controller.abort();
  }

  /** Waits until everything settled or `deadlineMs` passed; then cuts the rest and waits for them. */
  async drain(clock: Clock, deadlineMs: number, abort: AbortSignal): Promise<void> {
    if (this.running.size > 0) {
      const allDone = Promise.all([...this.running.values()].map((e) => e.done));
      const deadline = new AbortController();
      const timer = clock.sleepUntil(deadlineMs, AbortSignal.any([deadline.signal, abort]));
      await Promise.race([allDone, timer]);
      deadline.abort();
    }
    this.cutAll();
    await Promise.all([...this.running.values()].map((e) => e.done));
  }
}
