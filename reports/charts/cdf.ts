/**
 * A latency CDF: share of requests (y, %) at or under a latency (x). The x axis turns
 * logarithmic when the tail is more than 30 times the minimum, so body and tail both stay legible.
 */
import type { CdfPoint } from '../distributions.ts';
import { formatMs, formatPercentileLabel } from '../format.ts';
import { colorBy, COLORS, type Spec } from './theme.ts';

export interface CdfSeries {
  name: string;
  color: string;
  points: readonly CdfPoint[];
}

const MARKED = [50, 95, 99];
const LABEL_PLACES = [
  [50, { align: 'right', dx: -7, dy: 0 }],
  [95, { align: 'left', dx: 7, dy: 8 }],
  [99, { align: 'right', dx: -7, dy: -8 }],
] as const;

function xScale(series: readonly CdfSeries[]): Spec {
  const values = series.flatMap((s) => s.points.map((p) => p.valueMs)).filter((v) => v > 0);
  if (values.length === 0) return { type: 'linear' };
  const min = Math.min(...values);
  const max = Math.max(...values);
  return max / min > 30 ? { type: 'log', nice: false } : { type: 'linear', zero: false };
}

export function cdfLayerSpec(
  xTitle: string,
  series: readonly CdfSeries[],
  slo: { limitMs: number; percentile: number } | null,
  size: { width: number; height: number },
): Spec | null {
  const lines = series.flatMap((s) =>
    s.points
      .filter((p) => p.valueMs > 0)
      .map((p) => ({ series: s.name, valueMs: p.valueMs, percentile: p.percentile })),
  );
  if (lines.length === 0) return null;
  const scale = xScale(series);
  const x = { field: 'valueMs', type: 'quantitative', title: xTitle, scale };
  const y = {
    field: 'percentile',
    type: 'quantitative',
    title: 'requests at or under (%)',
    scale: { domain: [0, 100] },
  };
  const color = colorBy(
    'series',
    series.map((s) => [s.name, s.color] as const),
  );
  const marks = lines
    .filter((l) => MARKED.includes(l.percentile))
    .map((l) => ({ ...l, label: `${formatPercentileLabel(l.percentile)} ${formatMs(l.valueMs)}` }));
  const layer: Spec[] = [
    { data: { values: lines }, mark: { type: 'line', interpolate: 'monotone' }, encoding: { x, y, color } },
    { data: { values: marks }, mark: { type: 'point', filled: true, size: 36 }, encoding: { x, y, color } },
  ];
  if (series.length === 1) {
    // p95 and p99 sit a few pixels apart near the top: p95 goes right and below, p99 left and above.
    for (const [percentile, place] of LABEL_PLACES) {
      layer.push({
        data: { values: marks.filter((m) => m.percentile === percentile) },
        mark: { type: 'text', fontSize: 10, color: '#4a5568', ...place },
        encoding: { x, y, text: { field: 'label' } },
      });
    }
  }
  if (slo !== null) {
    const values = [
      {
        valueMs: slo.limitMs,
        label: `SLO ${formatPercentileLabel(slo.percentile)} ${formatMs(slo.limitMs)}`,
      },
    ];
    layer.push(
      { data: { values }, mark: { type: 'rule', color: COLORS.slo, strokeDash: [6, 4] }, encoding: { x } },
      {
        data: { values },
        mark: {
          type: 'text',
          align: 'left',
          baseline: 'bottom',
          dx: 4,
          dy: -4,
          fontSize: 10,
          color: COLORS.slo,
        },
        encoding: { x, y: { value: 'height' }, text: { field: 'label' } },
      },
    );
  }
  return { width: size.width, height: size.height, layer };
}
