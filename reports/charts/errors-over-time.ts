import { backgroundLayers, faultLayers, timeX } from './annotations.ts';
import { colorBy, COLORS, topLevel, WIDTH } from './theme.ts';
import type { RunChart } from './types.ts';

const KINDS = [
  ['failedPerSec', 'failed', COLORS.failed],
  ['degradedPerSec', 'degraded answers', COLORS.degraded],
  ['droppedPerSec', 'dropped (not sent on time)', COLORS.dropped],
] as const;

export const errorsOverTime: RunChart = {
  id: 'errors-over-time',
  title: 'Errors and degraded answers over time',
  caption:
    'Failed requests (by finish time), degraded answers (fallbacks the agent served instead of a model answer) and iterations the generator could not send on time, per second.',
  build({ series, annotations }) {
    if (series === null) return null;
    // Stacked by hand (y0..y1) so each window is a rect spanning its own seconds.
    const values: { tSec: number; tEndSec: number; kind: string; y0: number; y1: number }[] = [];
    for (const row of series.rows) {
      let y0 = 0;
      for (const [field, kind] of KINDS) {
        if (row[field] <= 0) continue;
        values.push({ tSec: row.tSec, tEndSec: row.tSec + series.windowSec, kind, y0, y1: y0 + row[field] });
        y0 += row[field];
      }
    }
    if (values.length === 0) return null;
    return topLevel({
      width: WIDTH,
      height: 150,
      layer: [
        ...backgroundLayers(annotations, true),
        {
          data: { values },
          mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
          encoding: {
            x: timeX('tSec', annotations),
            x2: { field: 'tEndSec' },
            y: { field: 'y0', type: 'quantitative', title: 'requests/s' },
            y2: { field: 'y1' },
            color: colorBy(
              'kind',
              KINDS.map(([, kind, color]) => [kind, color] as const),
            ),
          },
        },
        ...faultLayers(annotations, true),
      ],
    });
  },
};
