import type { Timeseries } from '../results/schema.ts';

/**
 * Drift over a run at flat load, as least-squares slopes per minute: latency percentiles from the
 * 1-second time series and the servers' resident memory from /metrics. A leak or a queue that
 * never drains shows as a positive slope. Slope = sum((t - tMean)(y - yMean)) / sum((t - tMean)^2),
 * over the seconds that have a value; null with fewer than 10 such seconds.
 */
export interface Drift {
  windowSec: number;
  ttftP95MsPerMin: number | null;
  e2eP95MsPerMin: number | null;
  /** Sum of process_resident_memory_bytes over the scraped servers, MiB per minute. */
  rssMiBPerMin: number | null;
  rssSamples: number;
}

export interface Point {
  tSec: number;
  value: number;
}

const MIN_POINTS = 10;

export function slopePerSec(points: readonly Point[]): number | null {
  if (points.length < MIN_POINTS) return null;
  const tMean = points.reduce((a, p) => a + p.tSec, 0) / points.length;
  const yMean = points.reduce((a, p) => a + p.value, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.tSec - tMean) * (p.value - yMean);
    den += (p.tSec - tMean) ** 2;
  }
  return den === 0 ? null : num / den;
}

const perMin = (slope: number | null, scale = 1): number | null =>
  slope === null ? null : (slope * 60) / scale;

export function computeDrift(series: Timeseries, rss: readonly Point[]): Drift {
  const pick = (key: 'ttftP95Ms' | 'e2eP95Ms'): Point[] =>
    series.points.flatMap((p) => (p[key] === null ? [] : [{ tSec: p.tSec, value: p[key] }]));
  const last = series.points[series.points.length - 1];
  return {
    windowSec: last ? last.tSec + series.intervalSec : 0,
    ttftP95MsPerMin: perMin(slopePerSec(pick('ttftP95Ms'))),
    e2eP95MsPerMin: perMin(slopePerSec(pick('e2eP95Ms'))),
    rssMiBPerMin: perMin(slopePerSec(rss), 1024 * 1024),
    rssSamples: rss.length,
  };
}
