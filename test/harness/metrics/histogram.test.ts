import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricHistogram, mergeSnapshots } from '../../../harness/metrics/histogram.ts';
import { nearestRank } from '../../../harness/metrics/timeseries.ts';
import { expectHdr } from './factories.ts';

const PERCENTILES = [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100];
const valuesArb = fc.array(fc.double({ min: 0, max: 120_000, noNaN: true }), {
  minLength: 1,
  maxLength: 300,
});

function histogramOf(values: readonly number[]): MetricHistogram {
  const h = new MetricHistogram();
  for (const v of values) h.record(v);
  return h;
}

describe('MetricHistogram', () => {
  it('reports each percentile at or just above the exact nearest-rank value (3 significant digits)', () => {
    fc.assert(
      fc.property(valuesArb, (values) => {
        const h = histogramOf(values);
        const sorted = [...values].sort((a, b) => a - b);
        for (const p of PERCENTILES.filter((q) => q > 0)) expectHdr(h.percentile(p), nearestRank(sorted, p)!);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps count, min, max and mean exact', () => {
    const h = histogramOf([100, 250, 3, 1000.5]);
    const s = h.stats();
    expect(s.count).toBe(4);
    expect(s.min).toBe(3);
    expect(s.max).toBe(1000.5);
    expect(s.mean).toBe(1353.5 / 4);
    expect(s.stddev).toBeCloseTo(
      Math.sqrt([100, 250, 3, 1000.5].reduce((a, v) => a + (v - 338.375) ** 2, 0) / 4),
      9,
    );
  });

  it('gives the recorded value itself for a histogram of one value', () => {
    const h = histogramOf([1234.567]);
    expect(h.percentile(50)).toBe(1234.567);
    expect(h.percentile(99.9)).toBe(1234.567);
  });

  it('is empty with null percentiles and zero stats before anything is recorded', () => {
    const h = new MetricHistogram();
    expect(h.percentile(95)).toBeNull();
    expect(h.stats()).toEqual({
      count: 0,
      min: 0,
      max: 0,
      mean: 0,
      stddev: 0,
      p50: 0,
      p90: 0,
      p95: 0,
      p99: 0,
      p999: 0,
    });
  });

  it('records negative values (clock granularity) as 0 and rejects non-finite ones', () => {
    const h = histogramOf([-0.4]);
    expect(h.stats().min).toBe(0);
    expect(() => h.record(Number.NaN)).toThrow(/non-finite/);
  });

  it('merges to exactly what recording the union gives', () => {
    fc.assert(
      fc.property(valuesArb, valuesArb, (a, b) => {
        const merged = histogramOf(a);
        merged.add(histogramOf(b));
        const union = histogramOf([...a, ...b]);
        expect(merged.count).toBe(union.count);
        for (const p of PERCENTILES) expect(merged.percentile(p)).toBe(union.percentile(p));
        const [ms, us] = [merged.stats(), union.stats()];
        expect(ms.min).toBe(us.min);
        expect(ms.max).toBe(us.max);
        expect(ms.mean).toBeCloseTo(us.mean, 6);
        expect(ms.stddev).toBeCloseTo(us.stddev, 6);
      }),
      { numRuns: 40 },
    );
  });

  it('merges serialized snapshots exactly, whatever their value ranges', () => {
    const a = histogramOf([0.5, 1, 2]);
    const b = histogramOf([60_000, 3_600_000]);
    const merged = mergeSnapshots([a.snapshot(), b.snapshot()]);
    const union = histogramOf([0.5, 1, 2, 60_000, 3_600_000]);
    for (const p of PERCENTILES) expect(merged.percentile(p)).toBe(union.percentile(p));
    expect(merged.stats().max).toBe(3_600_000);
  });

  it('round-trips through a snapshot with the same stats', () => {
    const h = histogramOf([5, 10, 15, 2000, 7.25]);
    const back = MetricHistogram.fromSnapshot(JSON.parse(JSON.stringify(h.snapshot())));
    expect(back.stats()).toEqual(h.stats());
    back.record(1);
    expect(back.stats().min).toBe(1);
  });

  it('falls back to HDR estimates for snapshots without moments (k6 ingest)', () => {
    const snap = histogramOf([100, 200, 300]).snapshot();
    delete snap.moments;
    const s = MetricHistogram.fromSnapshot(snap).stats();
    expect(s.count).toBe(3);
    expect(s.mean).toBeCloseTo(200, 0);
    expectHdr(s.max, 300);
  });

  it('refuses to merge histograms of different scales', () => {
    const a = new MetricHistogram(1000);
    const b = new MetricHistogram(1);
    b.record(5);
    expect(() => a.add(b)).toThrow(/scale/);
  });

  it('rejects a snapshot whose data is not an HDR histogram', () => {
    expect(() =>
      MetricHistogram.fromSnapshot({ encoding: 'hdr-compressed-base64', scale: 1000, data: 'bm9wZQ==' }),
    ).toThrow(/not a valid compressed HDR histogram/);
  });
});
