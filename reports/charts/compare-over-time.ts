import { X_TITLE } from './annotations.ts';
import type { SeriesRow } from './series.ts';
import { colorBy, COLORS, topLevel, WIDTH, type Spec } from './theme.ts';
import type { CompareChart, RunChartContext } from './types.ts';

function rowsOf(
  ctx: RunChartContext,
  name: string,
  field: keyof SeriesRow,
): { tSec: number; run: string; value: number }[] {
  if (ctx.series === null) return [];
  return ctx.series.rows.flatMap((r) => {
    const value = r[field];
    return value === null ? [] : [{ tSec: r.tSec, run: name, value }];
  });
}

function panel(
  ctx: { baseline: RunChartContext; current: RunChartContext },
  field: keyof SeriesRow,
  title: string,
  yTitle: string,
): Spec | null {
  const values = [...rowsOf(ctx.baseline, 'baseline', field), ...rowsOf(ctx.current, 'current', field)];
  if (values.length === 0) return null;
  return {
    title,
    width: WIDTH,
    height: 140,
    data: { values },
    mark: { type: 'line', strokeWidth: 1.6 },
    encoding: {
      x: { field: 'tSec', type: 'quantitative', title: X_TITLE },
      y: { field: 'value', type: 'quantitative', title: yTitle },
      color: colorBy('run', [
        ['baseline', COLORS.baseline],
        ['current', COLORS.current],
      ]),
    },
  };
}

export const compareOverTime: CompareChart = {
  id: 'compare-over-time',
  title: 'Over time: baseline against current',
  caption: "Per-second TTFT p95 and completed requests of both runs, aligned on time since each run's start.",
  build(ctx) {
    const panels = [
      panel(ctx, 'ttftP95Ms', 'TTFT p95', 'TTFT p95 (ms)'),
      panel(ctx, 'completedPerSec', 'Completed requests', 'requests/s'),
    ].filter((p): p is Spec => p !== null);
    if (panels.length === 0) return null;
    return topLevel({ vconcat: panels });
  },
};
