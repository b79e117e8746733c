/**
 * A piecewise-linear arrival rate (k6 ramping-arrival-rate stages) and its inverse count function.
 *
 * Math (k6 `cal()`): the expected number of arrivals by time t is the area under the rate curve,
 * N(t). Within a stage that ramps from r0 to r1 (per ms) over D ms, starting with N0 arrivals done,
 *   N(t) = N0 + r0*t + (r1 - r0)*t^2 / (2D).
 * The time at which the count reaches k solves a*t^2 + r0*t - (k - N0) = 0 with a = (r1-r0)/(2D):
 *   t = 2(k - N0) / (r0 + sqrt(r0^2 + 4a(k - N0)))
 * (the form without cancellation, valid for ramps up and down and for a = 0).
 */
export interface RateStage {
  durationMs: number;
  /** Target rate at the end of the stage, iterations per second. */
  targetPerSec: number;
}

interface Segment {
  startMs: number;
  durationMs: number;
  fromPerMs: number;
  toPerMs: number;
  countBefore: number;
  count: number;
}

export class RateProfile {
  readonly durationMs: number;
  /** Expected arrivals over the whole profile (the area under the curve). */
  readonly totalCount: number;
  private readonly segments: Segment[] = [];
  private cursor = 0;

  constructor(startPerSec: number, stages: readonly RateStage[]) {
    let startMs = 0;
    let countBefore = 0;
    let fromPerMs = startPerSec / 1000;
    for (const stage of stages) {
      const toPerMs = stage.targetPerSec / 1000;
      const count = (stage.durationMs * (fromPerMs + toPerMs)) / 2;
      this.segments.push({ startMs, durationMs: stage.durationMs, fromPerMs, toPerMs, countBefore, count });
      startMs += stage.durationMs;
      countBefore += count;
      fromPerMs = toPerMs;
    }
    this.durationMs = startMs;
    this.totalCount = countBefore;
  }

  /** Rate in iterations per second at `tMs` (the end target after the last stage). */
  ratePerSecAt(tMs: number): number {
    for (const s of this.segments) {
      if (tMs < s.startMs + s.durationMs) {
        const f = s.durationMs === 0 ? 1 : (tMs - s.startMs) / s.durationMs;
        return (s.fromPerMs + (s.toPerMs - s.fromPerMs) * Math.max(0, f)) * 1000;
      }
    }
    const last = this.segments[this.segments.length - 1];
    return last ? last.toPerMs * 1000 : 0;
  }

  /**
   * First time the expected count reaches `count`, or null when the profile never gets there.
   * Calls must come with non-decreasing counts (the cursor only moves forward).
   */
  timeAtCount(count: number): number | null {
    const epsilon = 1e-9;
    while (this.cursor < this.segments.length) {
      const s = this.segments[this.cursor]!;
      if (count <= s.countBefore + s.count + epsilon && s.count > 0) {
        const k = Math.max(0, count - s.countBefore);
        const a = (s.toPerMs - s.fromPerMs) / (2 * s.durationMs);
        const disc = Math.max(0, s.fromPerMs * s.fromPerMs + 4 * a * k);
        const denom = s.fromPerMs + Math.sqrt(disc);
        const tMs = denom === 0 ? 0 : (2 * k) / denom;
        return s.startMs + Math.min(tMs, s.durationMs);
      }
      this.cursor++;
    }
    return null;
  }
}
