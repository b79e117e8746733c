import { formatMs, formatPercentileLabel } from '../format.ts';
import { stackPanels } from './time-panel.ts';
import { COLORS, topLevel } from './theme.ts';
import type { RunChart } from './types.ts';

export const latencyOverTime: RunChart = {
  id: 'latency-over-time',
  title: 'Latency over time',
  caption:
    'Per-second percentiles of the requests that finished in each second (the highest per-second value when seconds are folded into windows); dashed red lines are SLO targets and faults, shaded bands are phases.',
  build({ series, annotations, report }) {
    if (series === null) return null;
    const p = formatPercentileLabel(report.slo.percentile);
    const sloLabel = (limit: number | null) => (limit === null ? '' : `SLO ${p} ${formatMs(limit)}`);
    const spec = stackPanels(series.rows, annotations, [
      {
        title: 'Time to first token',
        yTitle: 'TTFT (ms)',
        fields: [
          ['ttftP50Ms', 'p50', COLORS.p50],
          ['ttftP95Ms', 'p95', COLORS.p95],
        ],
        slo: { limit: report.slo.ttftMs, label: sloLabel(report.slo.ttftMs) },
      },
      {
        title: 'Inter-token latency',
        yTitle: 'ITL (ms)',
        fields: [['itlP95Ms', 'ITL p95', COLORS.itl]],
        slo: { limit: report.slo.itlMs, label: sloLabel(report.slo.itlMs) },
        height: 110,
      },
      {
        title: 'End-to-end latency',
        yTitle: 'E2E (ms)',
        fields: [['e2eP95Ms', 'E2E p95', COLORS.e2e]],
        slo: { limit: report.slo.e2eMs, label: sloLabel(report.slo.e2eMs) },
        height: 110,
      },
    ]);
    return spec === null ? null : topLevel(spec);
  },
};
