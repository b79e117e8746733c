/** What a chart is built from, and the shape of a chart definition (one per file). */
import type { TopLevelSpec } from 'vega-lite';
import type { LoadedRun } from '../load.ts';
import type { RunReport } from '../report-schema.ts';
import type { Annotations } from './annotations.ts';
import type { Series } from './series.ts';

export interface RunChartContext {
  loaded: LoadedRun;
  report: RunReport;
  /** null when the run has no timeseries.json. */
  series: Series | null;
  annotations: Annotations;
}

export interface CompareChartContext {
  baseline: RunChartContext;
  current: RunChartContext;
}

export interface ChartDef<C> {
  /** File-name safe, unique: the SVG is written as charts/<prefix><id>.svg. */
  id: string;
  title: string;
  /** One sentence under the chart: what it shows and how to read it. */
  caption: string;
  /** null when the run has nothing to show for this chart (e.g. no sweep steps). */
  build(ctx: C): TopLevelSpec | null;
}

export type RunChart = ChartDef<RunChartContext>;
export type CompareChart = ChartDef<CompareChartContext>;
