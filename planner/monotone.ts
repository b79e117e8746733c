/**
 * Monotone (isotonic) fit and piecewise-linear interpolation. Latency and error rate should not
 * fall as load rises; measured points sometimes do (noise), so the planner fits a non-decreasing
 * curve by pool-adjacent-violators (weighted least squares under an order constraint) before it
 * reads off where a curve crosses an SLO.
 */

/** Non-decreasing least-squares fit of ys (in x order), each point weighted. */
export function isotonicIncreasing(ys: readonly number[], weights?: readonly number[]): number[] {
  const blocks: { mean: number; weight: number; count: number }[] = [];
  ys.forEach((y, i) => {
    blocks.push({ mean: y, weight: weights?.[i] ?? 1, count: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1]!;
      const prev = blocks[blocks.length - 2]!;
      if (prev.mean <= last.mean) break;
      const weight = prev.weight + last.weight;
      prev.mean = (prev.mean * prev.weight + last.mean * last.weight) / weight;
      prev.weight = weight;
      prev.count += last.count;
      blocks.pop();
    }
  });
  return blocks.flatMap((b) => Array.from({ length: b.count }, () => b.mean));
}

/** Linear interpolation through (xs, ys), xs ascending; clamps outside the range. */
export function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  if (n === 0) return Number.NaN;
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs[n - 1]!) return ys[n - 1]!;
  let i = 1;
  while (xs[i]! < x) i += 1;
  const x0 = xs[i - 1]!;
  const x1 = xs[i]!;
  const y0 = ys[i - 1]!;
  const y1 = ys[i]!;
  return x1 === x0 ? y1 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

export type CrossingStatus = 'within' | 'censored' | 'unmet';

export interface Crossing {
  /** Largest x in [xs[0], xs[last]] where the fitted curve stays at or under the limit. */
  x: number;
  /** within: crossed between two points; censored: never crossed (the sweep stopped short);
   * unmet: already over the limit at the lowest measured load. */
  status: CrossingStatus;
  /** Index of the first fitted point over the limit; -1 when none is. */
  overIndex: number;
}

/** Where a non-decreasing piecewise-linear curve first rises above `limit`. */
export function crossing(xs: readonly number[], fitted: readonly number[], limit: number): Crossing {
  if (fitted[0]! > limit) return { x: xs[0]!, status: 'unmet', overIndex: 0 };
  for (let i = 1; i < xs.length; i += 1) {
    const f1 = fitted[i]!;
    if (f1 > limit) {
      const f0 = fitted[i - 1]!;
      const x0 = xs[i - 1]!;
      const x1 = xs[i]!;
      // Infinite f1 (nothing completed) puts the crossing at x0.
      const x = Number.isFinite(f1) ? x0 + ((limit - f0) * (x1 - x0)) / (f1 - f0) : x0;
      return { x, status: 'within', overIndex: i };
    }
  }
  return { x: xs[xs.length - 1]!, status: 'censored', overIndex: -1 };
}
