import { describe, expect, it } from 'vitest';
import { createRng } from '../../../harness/engine/rng.ts';
import { normalQuantile } from '../../../harness/metrics/normal-quantile.ts';
import {
  betaSample,
  bootstrapPercentile,
  mannWhitneyGreater,
  meanChange,
  newcombeDifference,
  normalCdf,
  percentileInterval,
  sortedQuantile,
} from '../../../reports/gate/statistics.ts';

const mean = (xs: ArrayLike<number>): number => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

describe('betaSample', () => {
  it('draws Beta(a, b) with mean a / (a + b) and the textbook variance', () => {
    const rng = createRng(1);
    for (const [a, b] of [
      [0.5, 0.5],
      [2, 5],
      [950, 51],
    ] as const) {
      const xs = Float64Array.from({ length: 20_000 }, () => betaSample(a, b, rng));
      const m = a / (a + b);
      const v = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expect(mean(xs)).toBeCloseTo(m, 2);
      const variance = mean(xs.map((x) => (x - m) ** 2));
      expect(variance / v).toBeGreaterThan(0.9);
      expect(variance / v).toBeLessThan(1.1);
    }
  });
});

describe('bootstrapPercentile', () => {
  it('matches resampling every value: same centre and spread of the bootstrap p95', () => {
    const rng = createRng(7);
    const values = Float64Array.from({ length: 400 }, () => rng.lognormal(100, 0.5)).sort();
    const source = { n: values.length, quantile: sortedQuantile(values) };
    const fast = Float64Array.from({ length: 4000 }, () => bootstrapPercentile(source, 95, rng));
    const brute = Float64Array.from({ length: 4000 }, () => {
      const resample = Float64Array.from(
        { length: values.length },
        () => values[Math.floor(rng.next() * values.length)]!,
      ).sort();
      return resample[Math.ceil(0.95 * resample.length) - 1]!;
    });
    const a = percentileInterval(fast, 0.9);
    const b = percentileInterval(brute, 0.9);
    expect(Math.abs(mean(fast) / mean(brute) - 1)).toBeLessThan(0.01);
    expect(Math.abs(a.low / b.low - 1)).toBeLessThan(0.03);
    expect(Math.abs(a.high / b.high - 1)).toBeLessThan(0.03);
  });
});

describe('normal distribution helpers', () => {
  it('inverts: normalCdf(normalQuantile(p)) = p', () => {
    for (const p of [0.001, 0.025, 0.3, 0.5, 0.8, 0.975, 0.999])
      expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
  });
});

describe('mannWhitneyGreater', () => {
  it('computes U with average ranks for ties', () => {
    // current 3, 5, 5 vs baseline 1, 5, 7: 3 beats 1 (1); each 5 beats 1 and ties 5 (1.5 each): U = 4
    const r = mannWhitneyGreater(Float64Array.from([3, 5, 5]), Float64Array.from([1, 5, 7]));
    expect(r.u).toBe(4);
    expect(r.superiority).toBeCloseTo(4 / 9, 10);
  });

  it('finds a clear shift significant and equal samples not', () => {
    const rng = createRng(3);
    const base = Float64Array.from({ length: 500 }, () => rng.normal(100, 10)).sort();
    const same = Float64Array.from({ length: 500 }, () => rng.normal(100, 10)).sort();
    const higher = Float64Array.from({ length: 500 }, () => rng.normal(104, 10)).sort();
    expect(mannWhitneyGreater(higher, base).pValue).toBeLessThan(0.001);
    expect(mannWhitneyGreater(same, base).pValue).toBeGreaterThan(0.01);
    expect(mannWhitneyGreater(base, higher).pValue).toBeGreaterThan(0.99);
  });
});

describe('newcombeDifference', () => {
  it('reproduces Newcombe (1998) example (a), method 10: 56/70 - 48/80', () => {
    const ci = newcombeDifference(56, 70, 48, 80, 0.95);
    expect(ci.low).toBeCloseTo(0.0524, 3);
    expect(ci.high).toBeCloseTo(0.3339, 3);
  });
});

describe('meanChange', () => {
  it('centres the ratio interval on the ratio of means and narrows with more data', () => {
    const small = meanChange({ mean: 100, stddev: 30, n: 100 }, { mean: 110, stddev: 30, n: 100 }, 0.95);
    const large = meanChange(
      { mean: 100, stddev: 30, n: 10_000 },
      { mean: 110, stddev: 30, n: 10_000 },
      0.95,
    );
    expect(Math.sqrt(small.ratio.low * small.ratio.high)).toBeCloseTo(1.1, 6);
    expect(large.diff.high - large.diff.low).toBeLessThan(small.diff.high - small.diff.low);
    expect(large.diff.low).toBeGreaterThan(8);
  });
});
