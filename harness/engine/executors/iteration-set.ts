import { setMaxListeners } from 'node:events';
import { HarnessError } from '../../errors.ts';
import type { Clock } from '../clock.ts';
import type { ExecutorReport, IterationContext } from './types.ts';

export interface IterationSetOptions {
  /**
   * Give each iteration its own AbortController: needed by cut(done) (ramping-vus gracefulRampDown)
   * and where iterations listen on their signal themselves (a session sleeps on it between turns;
   * Node's EventTarget scans every listener on each add, so thousands of sessions on one signal
   * would make each sleep O(sessions)). Otherwise all iterations share one signal: creating an
   * AbortSignal and listening on it costs microseconds in Node 20 (docs/engine-client.md), a large share of a turn's CPU, and the
   * client listens on a signal once however many turns use it.
   */
  signalPerIteration?: boolean;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The in-flight iterations of one executor, so the executor can wait for them with a deadline
 * (gracefulStop) and cut off whatever is still running after it.
 */
export class IterationSet {
  private readonly running = new Map<number, Running>();
  private readonly shared = new AbortController();
  private readonly signalPerIteration: boolean;
  private nextIteration = 0;

  constructor(
    private readonly report: ExecutorReport,
    abort: AbortSignal,
    options: IterationSetOptions = {},
  ) {
    this.signalPerIteration = options.signalPerIteration ?? false;
    // Every in-flight iteration may listen on the shared signal: no leak warning past 10.
    setMaxListeners(0, this.shared.signal);
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
    const controller = this.signalPerIteration ? new AbortController() : this.shared;
    this.report.started++;
    const done = this.run(iterate, { vu, iteration, scheduledAtMs, signal: controller.signal }, onDone);
    this.running.set(iteration, { controller, done });
    return done;
  }

  /** Cuts one iteration now (ramping-vus gracefulRampDown ran out); needs `signalPerIteration`. */
  cut(done: Promise<void>): void {
    if (!this.signalPerIteration) {
      throw new HarnessError('IterationSet.cut(done) on iterations that share one signal', {
        hint: 'create the IterationSet with { signalPerIteration: true } to cut iterations one by one',
      });
    }
    for (const entry of this.running.values()) if (entry.done === done) entry.controller.abort();
  }

  cutAll(): void {
    this.shared.abort();
    if (this.signalPerIteration) for (const entry of this.running.values()) entry.controller.abort();
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

  private async run(
    iterate: (ctx: IterationContext) => Promise<void>,
    ctx: IterationContext,
    onDone: (() => void) | undefined,
  ): Promise<void> {
    try {
      await iterate(ctx);
    } catch {
      // iterate must not throw; a bug there must not take the whole run down.
    }
    if (ctx.signal.aborted) this.report.interrupted++;
    else this.report.completed++;
    this.running.delete(ctx.iteration);
    onDone?.();
  }
}
