import { cdfFromHistogram } from '../distributions.ts';
import { cdfLayerSpec } from './cdf.ts';
import { HALF_WIDTH, topLevel } from './theme.ts';
import type { RunChart } from './types.ts';

/** A run's CDF of one latency metric from its HDR histogram, with the SLO marked when set. */
export function metricCdfChart(chart: {
  id: string;
  title: string;
  caption: string;
  metric: 'ttftMs' | 'itlMs';
  label: string;
  color: string;
}): RunChart {
  return {
    id: chart.id,
    title: chart.title,
    caption: chart.caption,
    build({ loaded, report }) {
      const points = cdfFromHistogram(loaded.summary.metrics[chart.metric].histogram);
      const limitMs = report.slo[chart.metric];
      const slo = limitMs === null ? null : { limitMs, percentile: report.slo.percentile };
      const series = [{ name: chart.label, color: chart.color, points }];
      const spec = cdfLayerSpec(`${chart.label} (ms)`, series, slo, { width: HALF_WIDTH, height: 200 });
      return spec === null ? null : topLevel(spec);
    },
  };
}
