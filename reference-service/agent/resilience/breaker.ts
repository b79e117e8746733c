/**
 * Circuit breaker on the model (opossum's model, without the dependency): closed while the error
 * share over a rolling window stays under the threshold (judged once `minVolume` calls are in the
 * window); open fails fast for `openMs`; then half-open lets exactly one probe through, whose
 * outcome closes or reopens it. Time is injected so tests can drive it with a manual clock.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  windowMs: number;
  minVolume: number;
  failureThresholdPct: number;
  openMs: number;
  nowMs?: () => number;
  onStateChange?: (state: BreakerState) => void;
}

const bucketCount = 10;

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private openedAtMs = 0;
  private probeInFlight = false;
  private readonly buckets = Array.from({ length: bucketCount }, () => ({
    startMs: -Infinity,
    ok: 0,
    failed: 0,
  }));
  private readonly nowMs: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  get state(): BreakerState {
    if (this.current === 'open' && this.nowMs() - this.openedAtMs >= this.options.openMs)
      this.transition('half-open');
    return this.current;
  }

  /** Whether a call may go out now. In half-open, true once, for the probe. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'half-open' && !this.probeInFlight) {
      this.probeInFlight = true;
      return true;
    }
    return false;
  }

  /** Time until an open breaker lets a probe through, ms (0 unless open). */
  get retryAfterMs(): number {
    return this.state === 'open' ? Math.max(0, this.openedAtMs + this.options.openMs - this.nowMs()) : 0;
  }

  recordSuccess(): void {
    if (this.current === 'half-open') {
      this.probeInFlight = false;
      this.resetWindow();
      this.transition('closed');
      return;
    }
    this.bucket().ok++;
  }

  recordFailure(): void {
    if (this.current === 'half-open') {
      this.probeInFlight = false;
      this.open();
      return;
    }
    if (this.current === 'open') return;
    this.bucket().failed++;
    const { ok, failed } = this.totals();
    if (
      ok + failed >= this.options.minVolume &&
      (failed * 100) / (ok + failed) >= this.options.failureThresholdPct
    ) {
      this.open();
    }
  }

  /** A call that went out but neither succeeded nor failed (e.g. the client went away). */
  recordIgnored(): void {
    if (this.current === 'half-open') this.probeInFlight = false;
  }

  private open(): void {
    this.openedAtMs = this.nowMs();
    this.resetWindow();
    this.transition('open');
  }

  private transition(state: BreakerState): void {
    if (state === this.current) return;
    this.current = state;
    this.options.onStateChange?.(state);
  }

  private bucket(): { startMs: number; ok: number; failed: number } {
    const widthMs = this.options.windowMs / bucketCount;
    const startMs = Math.floor(this.nowMs() / widthMs) * widthMs;
    const b = this.buckets[Math.floor(startMs / widthMs) % bucketCount]!;
    if (b.startMs !== startMs) Object.assign(b, { startMs, ok: 0, failed: 0 });
    return b;
  }

  private totals(): { ok: number; failed: number } {
    const horizonMs = this.nowMs() - this.options.windowMs;
    let ok = 0;
    let failed = 0;
    for (const b of this.buckets) {
      if (b.startMs > horizonMs) {
        ok += b.ok;
        failed += b.failed;
      }
    }
    return { ok, failed };
  }

  private resetWindow(): void {
    for (const b of this.buckets) Object.assign(b, { startMs: -Infinity, ok: 0, failed: 0 });
  }
}
