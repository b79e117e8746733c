/**
 * Distribution figures the reports need beyond summary.json's fixed percentiles: any percentile
 * of a metric (from its HDR histogram, see harness/metrics/histogram.ts for the precision) and a
 * CDF sampled at fixed percentiles, dense in the tail where latency problems live.
 */
import { MetricHistogram } from '../harness/metrics/histogram.ts';
import type { DistributionStats, HistogramSnapshot } from '../harness/results/schema.ts';

export interface CdfPoint {
  /** Share of requests at or under valueMs, 0-100. */
  percentile: number;
  valueMs: number;
}

const CDF_PERCENTILES: readonly number[] = [
  ...Array.from({ length: 20 }, (_, i) => i * 5),
  96,
  97,
  98,
  99,
  99.5,
  99.9,
  99.99,
  100,
];

function decode(snapshot: HistogramSnapshot): MetricHistogram | null {
  try {
    return MetricHistogram.fromSnapshot(snapshot);
  } catch {
    return null;
  }
}

/** CDF points of a histogram; empty when it holds no values or cannot be decoded. */
export function cdfFromHistogram(snapshot: HistogramSnapshot): CdfPoint[] {
  const h = decode(snapshot);
  if (h === null || h.count === 0) return [];
  const points: CdfPoint[] = [];
  const min = h.stats().min;
  for (const percentile of CDF_PERCENTILES) {
    const valueMs = percentile === 0 ? min : h.percentile(percentile);
    if (valueMs !== null) points.push({ percentile, valueMs });
  }
  return points;
}

export type PercentileStat = 'p50' | 'p90' | 'p95' | 'p99' | 'p999';

/** The percentiles summary.json records in its stats, by percentile ("99.9" -> p999). */
export const PERCENTILE_STAT: Readonly<Record<string, PercentileStat>> = {
  '50': 'p50',
  '90': 'p90',
  '95': 'p95',
  '99': 'p99',
  '99.9': 'p999',
};

/**
 * The `percentile` of a distribution: from the histogram when there is one (any percentile), else
 * from the stats when it is one they record (50, 90, 95, 99, 99.9); null when empty or unknown.
 */
export function percentileOf(
  stats: DistributionStats,
  histogram: HistogramSnapshot | undefined,
  percentile: number,
): number | null {
  if (stats.count === 0) return null;
  if (histogram !== undefined) {
    const h = decode(histogram);
    if (h !== null && h.count > 0) return h.percentile(percentile);
  }
  const key = PERCENTILE_STAT[String(percentile)];
  return key === undefined ? null : stats[key];
}
