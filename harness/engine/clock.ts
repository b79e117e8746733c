import { performance } from 'node:perf_hooks';

/**
 * The run's one source of time. `now()` is milliseconds since the run's start (monotonic), the same
 * origin as every RequestSample time. Tests use ManualClock, so a 10-minute schedule runs in
 * milliseconds.
 */
export interface Clock {
  now(): number;
  /**
   * Resolves at `atMs` (at once when that has passed), or as soon as `signal` aborts. It never
   * rejects: callers check `signal.aborted` afterwards, which keeps loops free of try/catch.
   */
  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void>;
}

export function createRealClock(): Clock {
  const originMs = performance.now();
  const now = (): number => performance.now() - originMs;
  return {
    now,
    sleepUntil(atMs, signal) {
      const delayMs = atMs - now();
      if (delayMs <= 0 || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        // setTimeout can fire up to ~1 ms early on some platforms; sleeping the rest keeps the
        // promise "never before atMs", which executors rely on for their schedules.
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', done);
          const leftMs = atMs - now();
          if (leftMs > 0) setTimeout(resolve, Math.ceil(leftMs));
          else resolve();
        }, Math.ceil(delayMs));
        signal?.addEventListener('abort', done, { once: true });
      });
    },
  };
}

interface Sleeper {
  atMs: number;
  seq: number;
  wake: () => void;
}

/** Lets every promise continuation queued so far run, including ones queued by those continuations. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that moves only when told to. `advanceTo` wakes sleepers in time order and lets each
 * one's continuation run (and register its next sleep) before moving on, so code under test sees
 * the same order of events as it would in real time.
 */
export class ManualClock implements Clock {
  private nowMs: number;
  private seq = 0;
  private readonly sleepers: Sleeper[] = [];

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    if (atMs <= this.nowMs || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const sleeper: Sleeper = {
        atMs,
        seq: this.seq++,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const i = this.sleepers.indexOf(sleeper);
        if (i >= 0) this.sleepers.splice(i, 1);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** Number of pending sleeps; handy to assert that nothing waits any more. */
  get pending(): number {
    return this.sleepers.length;
  }

  async advanceTo(targetMs: number): Promise<void> {
    await settle();
    for (;;) {
      const next = this.earliest();
      if (!next || next.atMs > targetMs) break;
      this.sleepers.splice(this.sleepers.indexOf(next), 1);
      this.nowMs = Math.max(this.nowMs, next.atMs);
      next.wake();
      await settle();
    }
    this.nowMs = Math.max(this.nowMs, targetMs);
    await settle();
  }

  advance(deltaMs: number): Promise<void> {
    return this.advanceTo(this.nowMs + deltaMs);
  }

  /** Advances until nobody sleeps any more (or `limitMs`), for runs whose end time is not known upfront. */
  async runUntilIdle(limitMs: number): Promise<void> {
    await settle();
    while (this.sleepers.length > 0) {
      const next = this.earliest()!;
      if (next.atMs > limitMs) break;
      await this.advanceTo(next.atMs);
    }
  }

  private earliest(): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.sleepers) {
      if (!best || s.atMs < best.atMs || (s.atMs === best.atMs && s.seq < best.seq)) best = s;
    }
    return best;
  }
}
