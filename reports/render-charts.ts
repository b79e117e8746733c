/** Builds and renders the charts of one run, or of a comparison of two, to SVG text. */
import { annotationsOf } from './charts/annotations.ts';
import { compareCharts, runCharts } from './charts/index.ts';
import { seriesRows } from './charts/series.ts';
import type { ChartDef, CompareChartContext, RunChartContext } from './charts/types.ts';
import type { LoadedRun } from './load.ts';
import { renderSvg } from './render-svg.ts';
import type { RunReport } from './report-schema.ts';

export interface RenderedChart {
  id: string;
  title: string;
  caption: string;
  svg: string;
  /** File name when written next to report.md: `<prefix><id>.svg`. */
  fileName: string;
  /** Vega-Lite compile warnings (a chart definition to fix; tests require none). */
  warnings: string[];
}

export function runChartContext(loaded: LoadedRun, report: RunReport): RunChartContext {
  return {
    loaded,
    report,
    series: loaded.timeseries === null ? null : seriesRows(loaded.timeseries),
    annotations: annotationsOf(loaded.summary, loaded.timeseries),
  };
}

async function renderAll<C>(defs: readonly ChartDef<C>[], ctx: C, prefix: string): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const def of defs) {
    const spec = def.build(ctx);
    if (spec === null) continue;
    const warnings: string[] = [];
    const svg = await renderSvg(spec, `${prefix}${def.id}-`, warnings);
    out.push({
      id: def.id,
      title: def.title,
      caption: def.caption,
      svg,
      fileName: `${prefix}${def.id}.svg`,
      warnings,
    });
  }
  return out;
}

/** `prefix` keeps ids and file names apart when one report holds several runs ("run1-"). */
export function renderRunCharts(ctx: RunChartContext, prefix: string): Promise<RenderedChart[]> {
  return renderAll(Object.values(runCharts), ctx, prefix);
}

export function renderCompareCharts(ctx: CompareChartContext): Promise<RenderedChart[]> {
  return renderAll(Object.values(compareCharts), ctx, '');
}
