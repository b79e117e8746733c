/**
 * Per-replica cap on turns in progress. Past it, a turn is shed with 503 + Retry-After at once
 * rather than queued (Stripe's concurrent-requests limiter; queueing would only add latency to
 * every stream on the replica). `idle()` lets graceful shutdown wait for the last stream.
 */
export class InFlightLimiter {
  private count = 0;
  private waiters: (() => void)[] = [];

  constructor(readonly limit: number) {}

  get current(): number {
    return this.count;
  }

  tryAcquire(): boolean {
    if (this.count >= this.limit) return false;
    this.count++;
    return true;
  }

  release(): void {
    this.count = Math.max(0, this.count - 1);
    if (this.count === 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves once nothing is in flight. */
  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}
