import { cdfFromHistogram } from '../distributions.ts';
import { cdfLayerSpec } from './cdf.ts';
import { COLORS, HALF_WIDTH, topLevel } from './theme.ts';
import type { RunChart } from './types.ts';

export const ttftCdf: RunChart = {
  id: 'ttft-cdf',
  title: 'TTFT distribution',
  caption:
    "Cumulative distribution of time to first token over the whole run, from the run's HDR histogram (3 significant digits).",
  build({ loaded, report }) {
    const points = cdfFromHistogram(loaded.summary.metrics.ttftMs.histogram);
    const slo =
      report.slo.ttftMs === null ? null : { limitMs: report.slo.ttftMs, percentile: report.slo.percentile };
    const spec = cdfLayerSpec('TTFT (ms)', [{ name: 'TTFT', color: COLORS.p95, points }], slo, {
      width: HALF_WIDTH,
      height: 200,
    });
    return spec === null ? null : topLevel(spec);
  },
};
