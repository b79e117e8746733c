/** One panel of a time chart: background bands, the series lines, an SLO line, fault markers. */
import { backgroundLayers, faultLayers, sloRuleLayers, timeX, type Annotations } from './annotations.ts';
import { longRows, type SeriesRow } from './series.ts';
import { colorBy, WIDTH, type Spec } from './theme.ts';

export interface TimePanel {
  title: string;
  yTitle: string;
  fields: readonly (readonly [keyof SeriesRow, string, string])[];
  slo?: { limit: number | null; label: string };
  mark?: 'line' | 'area';
  height?: number;
}

export function timePanel(
  rows: readonly SeriesRow[],
  a: Annotations,
  panel: TimePanel,
  first: boolean,
): Spec | null {
  const values = longRows(
    rows,
    panel.fields.map(([field, name]) => [field, name] as const),
  );
  if (values.length === 0) return null;
  const line: Spec = {
    data: { values },
    mark:
      panel.mark === 'area'
        ? { type: 'area', line: true, opacity: 0.35 }
        : { type: 'line', interpolate: 'linear', strokeWidth: 1.8 },
    encoding: {
      x: timeX('tSec', a),
      y: { field: 'value', type: 'quantitative', title: panel.yTitle },
      color: colorBy(
        'series',
        panel.fields.map(([, name, color]) => [name, color] as const),
      ),
    },
  };
  return {
    title: panel.title,
    width: WIDTH,
    height: panel.height ?? 150,
    layer: [
      ...backgroundLayers(a, first),
      line,
      ...sloRuleLayers(panel.slo?.limit ?? null, panel.slo?.label ?? '', panel.yTitle),
      ...faultLayers(a, first),
    ],
  };
}

/** Stacks the panels that have data; null when none has. */
export function stackPanels(
  rows: readonly SeriesRow[],
  a: Annotations,
  panels: readonly TimePanel[],
): Spec | null {
  const built: Spec[] = [];
  for (const panel of panels) {
    const spec = timePanel(rows, a, panel, built.length === 0);
    if (spec !== null) built.push(spec);
  }
  if (built.length === 0) return null;
  // Each panel has its own series, so its own colour scale and legend.
  return built.length === 1
    ? built[0]!
    : { vconcat: built, resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } } };
}
