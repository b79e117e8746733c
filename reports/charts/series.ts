/**
 * Time-series rows for charts. Long runs are folded into windows of k seconds so a chart never
 * carries more than MAX_POINTS points: counts become per-second means over the window, latency
 * percentiles the window's highest per-second value (a tail never disappears by averaging), and
 * gauges the window's mean.
 */
import type { Timeseries, TimeseriesPoint } from '../../harness/results/schema.ts';

export const MAX_POINTS = 900;

export interface SeriesRow {
  tSec: number;
  requestsPerSec: number;
  completedPerSec: number;
  failedPerSec: number;
  degradedPerSec: number;
  droppedPerSec: number;
  outputTokensPerSec: number;
  inFlight: number;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  e2eP95Ms: number | null;
  itlP95Ms: number | null;
  queueSize: number | null;
  batchSize: number | null;
  agentInFlight: number | null;
  breakerOpen: number | null;
}

export interface Series {
  rows: SeriesRow[];
  /** Seconds per row (the timeseries interval times the fold factor). */
  windowSec: number;
}

const maxOf = (values: (number | null)[]): number | null =>
  values.reduce<number | null>((m, v) => (v === null ? m : m === null ? v : Math.max(m, v)), null);

function meanOf(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
}

function fold(points: readonly TimeseriesPoint[], intervalSec: number): SeriesRow {
  const seconds = points.length * intervalSec;
  const perSec = (pick: (p: TimeseriesPoint) => number): number =>
    points.reduce((a, p) => a + pick(p), 0) / seconds;
  return {
    tSec: points[0]!.tSec,
    requestsPerSec: perSec((p) => p.requests),
    completedPerSec: perSec((p) => p.completed),
    failedPerSec: perSec((p) => p.failed),
    degradedPerSec: perSec((p) => p.degraded),
    droppedPerSec: perSec((p) => p.dropped),
    outputTokensPerSec: perSec((p) => p.outputTokens),
    inFlight: meanOf(points.map((p) => p.inFlight)) ?? 0,
    ttftP50Ms: maxOf(points.map((p) => p.ttftP50Ms)),
    ttftP95Ms: maxOf(points.map((p) => p.ttftP95Ms)),
    e2eP95Ms: maxOf(points.map((p) => p.e2eP95Ms)),
    itlP95Ms: maxOf(points.map((p) => p.itlP95Ms)),
    queueSize: meanOf(points.map((p) => p.server.queueSize)),
    batchSize: meanOf(points.map((p) => p.server.batchSize)),
    agentInFlight: meanOf(points.map((p) => p.server.agentInFlight)),
    breakerOpen: maxOf(points.map((p) => p.server.breakerOpen)),
  };
}

export function seriesRows(timeseries: Timeseries): Series {
  const k = Math.max(1, Math.ceil(timeseries.points.length / MAX_POINTS));
  const rows: SeriesRow[] = [];
  for (let i = 0; i < timeseries.points.length; i += k) {
    rows.push(fold(timeseries.points.slice(i, i + k), timeseries.intervalSec));
  }
  return { rows, windowSec: k * timeseries.intervalSec };
}

/** Long-format rows {tSec, series, value} for the named fields, skipping missing values. */
export function longRows(
  rows: readonly SeriesRow[],
  fields: readonly (readonly [keyof SeriesRow, string])[],
): { tSec: number; series: string; value: number }[] {
  const out: { tSec: number; series: string; value: number }[] = [];
  for (const row of rows) {
    for (const [field, name] of fields) {
      const value = row[field];
      if (value !== null) out.push({ tSec: row.tSec, series: name, value });
    }
  }
  return out;
}
