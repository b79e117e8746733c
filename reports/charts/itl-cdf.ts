import { cdfFromHistogram } from '../distributions.ts';
import { cdfLayerSpec } from './cdf.ts';
import { COLORS, HALF_WIDTH, topLevel } from './theme.ts';
import type { RunChart } from './types.ts';

export const itlCdf: RunChart = {
  id: 'itl-cdf',
  title: 'ITL distribution',
  caption:
    "Cumulative distribution of the gaps between successive streamed tokens (every gap of every request), from the run's HDR histogram.",
  build({ loaded, report }) {
    const points = cdfFromHistogram(loaded.summary.metrics.itlMs.histogram);
    const slo =
      report.slo.itlMs === null ? null : { limitMs: report.slo.itlMs, percentile: report.slo.percentile };
    const spec = cdfLayerSpec('ITL (ms)', [{ name: 'ITL', color: COLORS.itl, points }], slo, {
      width: HALF_WIDTH,
      height: 200,
    });
    return spec === null ? null : topLevel(spec);
  },
};
