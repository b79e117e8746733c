/**
 * The statistics behind the gate, chosen so run-to-run noise does not fail a build.
 *
 * Percentiles, bootstrap: the nearest-rank p-quantile of a resample of n values is F_n^-1(U_(k)),
 * k = ceil(p/100 x n), where U_(k), the k-th smallest of n uniforms, is Beta(k, n - k + 1). So one
 * bootstrap replicate of a percentile costs one Beta draw and one look-up in the sorted values (or
 * the histogram), exactly as resampling all n values would, at O(1) instead of O(n). Baseline and
 * current are resampled independently; the interval of current/baseline (or current - baseline) is
 * the percentile interval of the replicates.
 *
 * Mann-Whitney U: one-sided, "current is stochastically larger than the baseline moved by the
 * allowance", normal approximation with tie and continuity corrections (n of a few dozen and up).
 *
 * Means: delta method. ratio: log(mc/mb) +- z sqrt(sc^2/(nc mc^2) + sb^2/(nb mb^2));
 * difference: (mc - mb) +- z sqrt(sc^2/nc + sb^2/nb). Shares (failed/finished): Newcombe's hybrid
 * score interval of p1 - p0 from two Wilson intervals (Newcombe 1998, method 10).
 */
import type { Rng } from '../../harness/engine/rng.ts';
import { normalQuantile } from '../../harness/metrics/normal-quantile.ts';

/** Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 via Gamma(shape + 1) x U^(1/shape). */
export function gammaSample(shape: number, rng: Rng): number {
  if (shape < 1) return gammaSample(shape + 1, rng) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal(0, 1);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function betaSample(a: number, b: number, rng: Rng): number {
  const x = gammaSample(a, rng);
  const y = gammaSample(b, rng);
  return x / (x + y);
}

/** A distribution known through its inverse CDF: sorted values or a histogram. */
export interface QuantileSource {
  /** Independent observations (requests) behind it: sets the bootstrap's spread. */
  n: number;
  /** Inverse CDF, u in (0, 1]. */
  quantile(u: number): number;
}

/** Nearest-rank inverse CDF of ascending values. */
export function sortedQuantile(sorted: Float64Array): (u: number) => number {
  return (u) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil(u * sorted.length))) - 1]!;
}

export function bootstrapPercentile(source: QuantileSource, percentile: number, rng: Rng): number {
  const k = Math.min(source.n, Math.max(1, Math.ceil((percentile / 100) * source.n)));
  return source.quantile(betaSample(k, source.n - k + 1, rng));
}

export interface Replicates {
  ratios: Float64Array;
  diffs: Float64Array;
}

export function bootstrapPercentileChange(
  baseline: QuantileSource,
  current: QuantileSource,
  percentile: number,
  iterations: number,
  rng: Rng,
): Replicates {
  const ratios = new Float64Array(iterations);
  const diffs = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const b = bootstrapPercentile(baseline, percentile, rng);
    const c = bootstrapPercentile(current, percentile, rng);
    ratios[i] = b > 0 ? c / b : c > 0 ? Number.POSITIVE_INFINITY : 1;
    diffs[i] = c - b;
  }
  return { ratios, diffs };
}

export interface Interval {
  low: number;
  high: number;
}

/** Two-sided percentile interval of replicates at `confidence`. */
export function percentileInterval(values: Float64Array, confidence: number): Interval {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))]!;
  return { low: at((1 - confidence) / 2), high: at((1 + confidence) / 2) };
}

/** Complementary error function (Numerical Recipes erfcc, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

export interface MannWhitney {
  u: number;
  z: number;
  /** One-sided: P(U >= observed) if current were not larger. */
  pValue: number;
  /** P(current > baseline) + P(tie) / 2: 0.5 means no difference. */
  superiority: number;
}

/** Is `current` stochastically larger than `baseline`? Both ascending. */
export function mannWhitneyGreater(current: Float64Array, baseline: Float64Array): MannWhitney {
  const n1 = current.length;
  const n0 = baseline.length;
  let i = 0;
  let j = 0;
  let rank = 0;
  let rankSum = 0;
  let ties = 0;
  while (i < n1 || j < n0) {
    const v = Math.min(i < n1 ? current[i]! : Infinity, j < n0 ? baseline[j]! : Infinity);
    let c1 = 0;
    let c0 = 0;
    while (i < n1 && current[i] === v) {
      i++;
      c1++;
    }
    while (j < n0 && baseline[j] === v) {
      j++;
      c0++;
    }
    const t = c1 + c0;
    rankSum += c1 * (rank + (t + 1) / 2);
    ties += t * t * t - t;
    rank += t;
  }
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const total = n1 + n0;
  const variance = ((n1 * n0) / 12) * (total + 1 - ties / (total * (total - 1)));
  const z = variance > 0 ? (u - (n1 * n0) / 2 - 0.5) / Math.sqrt(variance) : 0;
  return { u, z, pValue: variance > 0 ? 1 - normalCdf(z) : 1, superiority: u / (n1 * n0) };
}

export interface MeanMoments {
  mean: number;
  stddev: number;
  n: number;
}

/** Delta-method intervals of current/baseline and current - baseline for means. */
export function meanChange(
  baseline: MeanMoments,
  current: MeanMoments,
  confidence: number,
): { ratio: Interval; diff: Interval } {
  const z = normalQuantile((1 + confidence) / 2);
  const diff = current.mean - baseline.mean;
  const seDiff = Math.sqrt(current.stddev ** 2 / current.n + baseline.stddev ** 2 / baseline.n);
  const ratio = current.mean / baseline.mean;
  const seLog = Math.sqrt(
    current.stddev ** 2 / (current.n * current.mean ** 2) +
      baseline.stddev ** 2 / (baseline.n * baseline.mean ** 2),
  );
  return {
    ratio: { low: ratio * Math.exp(-z * seLog), high: ratio * Math.exp(z * seLog) },
    diff: { low: diff - z * seDiff, high: diff + z * seDiff },
  };
}

function wilson(x: number, n: number, z: number): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const p = x / n;
  const z2 = z * z;
  const center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

/** Interval of p1 - p0 (current share minus baseline share). */
export function newcombeDifference(
  x1: number,
  n1: number,
  x0: number,
  n0: number,
  confidence: number,
): Interval {
  const z = normalQuantile((1 + confidence) / 2);
  const p1 = n1 > 0 ? x1 / n1 : 0;
  const p0 = n0 > 0 ? x0 / n0 : 0;
  const w1 = wilson(x1, n1, z);
  const w0 = wilson(x0, n0, z);
  const d = p1 - p0;
  return {
    low: d - Math.sqrt((p1 - w1.low) ** 2 + (w0.high - p0) ** 2),
    high: d + Math.sqrt((w1.high - p1) ** 2 + (p0 - w0.low) ** 2),
  };
}
