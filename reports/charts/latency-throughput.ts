/**
 * The capacity curve of a sweep: latency at the SLO percentile against achieved throughput, one
 * point per step in the order they ran. The goodput point is the highest-throughput step that met
 * every SLO target (reports/run-report.ts sweepDigest).
 */
import type { SweepStep } from '../../harness/results/schema.ts';
import { percentileOf } from '../distributions.ts';
import { formatMs, formatPercentileLabel, formatRate } from '../format.ts';
import { sloRuleLayers } from './annotations.ts';
import { HALF_WIDTH, topLevel, type Spec } from './theme.ts';
import type { RunChart } from './types.ts';

const WITHIN = '#2f855a';
const OVER = '#c53030';

function panel(
  title: string,
  rows: readonly Record<string, unknown>[],
  field: string,
  yTitle: string,
  slo: { limit: number | null; label: string },
): Spec {
  const x = { field: 'throughput', type: 'quantitative', title: 'achieved throughput (req/s)' };
  const y = { field, type: 'quantitative', title: yTitle };
  const data = { values: rows.filter((r) => r[field] !== null) };
  return {
    title,
    width: HALF_WIDTH,
    height: 220,
    layer: [
      { data, mark: { type: 'line', color: '#a0aec0' }, encoding: { x, y, order: { field: 'index' } } },
      {
        data,
        mark: { type: 'point', filled: true, size: 50 },
        encoding: {
          x,
          y,
          color: {
            field: 'verdict',
            type: 'nominal',
            scale: { domain: ['within SLO', 'over SLO'], range: [WITHIN, OVER] },
            legend: { orient: 'top', title: null },
          },
          tooltip: [{ field: 'name' }],
        },
      },
      {
        data: { values: data.values.filter((r) => r['goodput'] === true) },
        mark: { type: 'point', shape: 'circle', size: 260, strokeWidth: 2, color: WITHIN, filled: false },
        encoding: { x, y },
      },
      {
        data: { values: data.values.filter((r) => r['goodput'] === true) },
        mark: {
          type: 'text',
          align: 'right',
          dx: -12,
          dy: -16,
          fontSize: 11,
          fontWeight: 600,
          color: WITHIN,
        },
        encoding: { x, y, text: { field: 'goodputLabel' } },
      },
      ...sloRuleLayers(slo.limit, slo.label, yTitle),
    ],
  };
}

function stepLatency(step: SweepStep, key: 'ttftMs' | 'e2eMs', percentile: number): number | null {
  return percentileOf(step[key], step.histograms?.[key], percentile);
}

export const latencyThroughput: RunChart = {
  id: 'latency-throughput',
  title: 'Latency against throughput (sweep)',
  caption:
    'One point per sweep step at the SLO percentile; green steps met every SLO target. The ringed point is the goodput point: the highest throughput still within SLO.',
  build({ loaded, report }) {
    const sweep = report.sweep;
    if (sweep === null || sweep.steps.length < 2) return null;
    const pct = report.slo.percentile;
    const p = formatPercentileLabel(pct);
    const rows = loaded.summary.steps.map((step, index) => {
      const row = sweep.steps[index]!;
      const goodput = row.name === sweep.goodputStep;
      return {
        index,
        name: row.name,
        throughput: row.achievedRatePerSec,
        ttft: stepLatency(step, 'ttftMs', pct),
        e2e: stepLatency(step, 'e2eMs', pct),
        verdict: row.withinSlo ? 'within SLO' : 'over SLO',
        goodput,
        goodputLabel: goodput ? `goodput ${formatRate(row.goodputPerSec)}` : '',
      };
    });
    const sloLabel = (limit: number | null) => (limit === null ? '' : `SLO ${p} ${formatMs(limit)}`);
    return topLevel({
      hconcat: [
        panel(`TTFT ${p}`, rows, 'ttft', `TTFT ${p} (ms)`, {
          limit: report.slo.ttftMs,
          label: sloLabel(report.slo.ttftMs),
        }),
        panel(`E2E ${p}`, rows, 'e2e', `E2E ${p} (ms)`, {
          limit: report.slo.e2eMs,
          label: sloLabel(report.slo.e2eMs),
        }),
      ],
      resolve: { scale: { color: 'shared' } },
    });
  },
};
