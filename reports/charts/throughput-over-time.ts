import { stackPanels } from './time-panel.ts';
import { COLORS, topLevel } from './theme.ts';
import type { RunChart } from './types.ts';

export const throughputOverTime: RunChart = {
  id: 'throughput-over-time',
  title: 'Throughput over time',
  caption:
    'Offered requests (by scheduled time) against completed requests (by finish time) per second, and output tokens per second; a gap between offered and completed is load the service did not absorb.',
  build({ series, annotations }) {
    if (series === null) return null;
    const spec = stackPanels(series.rows, annotations, [
      {
        title: 'Requests',
        yTitle: 'requests/s',
        fields: [
          ['requestsPerSec', 'offered', COLORS.offered],
          ['completedPerSec', 'completed', COLORS.completed],
        ],
      },
      {
        title: 'Output tokens',
        yTitle: 'tokens/s',
        fields: [['outputTokensPerSec', 'output tokens/s', COLORS.tokens]],
        mark: 'area',
        height: 110,
      },
    ]);
    return spec === null ? null : topLevel(spec);
  },
};
