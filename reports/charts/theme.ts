/**
 * Shared look of every chart: system fonts only (the HTML must render offline, no web fonts),
 * quiet axes, one palette so a metric keeps its colour across charts.
 */
import type { TopLevelSpec } from 'vega-lite';

/** A Vega-Lite fragment; whole specs are checked by compiling them (test/reports/charts.test.ts). */
export type Spec = Record<string, unknown>;

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

export const COLORS = {
  p50: '#4c78a8',
  p95: '#f58518',
  p99: '#e45756',
  itl: '#2a9d8f',
  e2e: '#7b5ea7',
  completed: '#4c78a8',
  offered: '#9aa5b1',
  tokens: '#54a24b',
  failed: '#e45756',
  degraded: '#eeca3b',
  dropped: '#b279a2',
  queue: '#f58518',
  batch: '#4c78a8',
  agent: '#7b5ea7',
  inFlight: '#9aa5b1',
  breaker: '#e45756',
  slo: '#c53030',
  fault: '#c53030',
  baseline: '#9aa5b1',
  current: '#2b6cb0',
  demand: '#4c78a8',
  capacity: '#54a24b',
} as const;

/** Full width of a report column; half for charts shown side by side. */
export const WIDTH = 860;
export const HALF_WIDTH = 390;

const CONFIG: Spec = {
  font: FONT,
  background: 'white',
  padding: 8,
  view: { stroke: null },
  title: { fontSize: 13, fontWeight: 600, color: '#1a202c', anchor: 'start', offset: 10 },
  axis: {
    labelColor: '#4a5568',
    titleColor: '#4a5568',
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 500,
    gridColor: '#edf2f7',
    domainColor: '#cbd5e0',
    tickColor: '#cbd5e0',
  },
  legend: {
    labelFontSize: 11,
    titleFontSize: 11,
    orient: 'top',
    direction: 'horizontal',
    title: null,
    symbolSize: 80,
    labelLimit: 400,
  },
  axisY: { minExtent: 44 },
  line: { strokeWidth: 1.8 },
  concat: { spacing: 24 },
};

/** Wraps a composed chart as a top-level spec with the shared config. */
export function topLevel(spec: Spec): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: CONFIG,
    ...spec,
  } as unknown as TopLevelSpec;
}

/** A colour encoding with a fixed series order and palette. */
export function colorBy(field: string, entries: readonly (readonly [string, string])[]): Spec {
  return {
    field,
    type: 'nominal',
    scale: { domain: entries.map(([name]) => name), range: entries.map(([, color]) => color) },
    legend: { orient: 'top', direction: 'horizontal', title: null },
  };
}
