import { cdfFromHistogram } from '../distributions.ts';
import { cdfLayerSpec } from './cdf.ts';
import { COLORS, HALF_WIDTH, topLevel, type Spec } from './theme.ts';
import type { CompareChart } from './types.ts';

export const compareCdf: CompareChart = {
  id: 'compare-cdf',
  title: 'Latency distributions: baseline against current',
  caption: 'Cumulative distributions of TTFT and E2E for both runs; a curve further right is slower.',
  build({ baseline, current }) {
    const panels: Spec[] = [];
    for (const [key, title] of [
      ['ttftMs', 'TTFT (ms)'],
      ['e2eMs', 'E2E (ms)'],
    ] as const) {
      const spec = cdfLayerSpec(
        title,
        [
          {
            name: 'baseline',
            color: COLORS.baseline,
            points: cdfFromHistogram(baseline.loaded.summary.metrics[key].histogram),
          },
          {
            name: 'current',
            color: COLORS.current,
            points: cdfFromHistogram(current.loaded.summary.metrics[key].histogram),
          },
        ],
        null,
        { width: HALF_WIDTH, height: 200 },
      );
      if (spec !== null) panels.push(spec);
    }
    if (panels.length === 0) return null;
    return topLevel({ hconcat: panels, resolve: { scale: { color: 'shared' } } });
  },
};
