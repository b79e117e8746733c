/**
 * Phase bands and fault markers drawn behind time charts, so a latency jump lines up with the
 * fault or sweep step that caused it. Phase windows come from the timeseries' "phase: <name>"
 * annotations (sweep steps included), ending at the next phase or at the phase's recorded end;
 * faults from summary.faults. Every time chart spans the whole run, [0, durationSec].
 */
import type { Summary, Timeseries } from '../../harness/results/schema.ts';
import { COLORS, type Spec } from './theme.ts';

/** More phases than this and their labels would overlap: bands only. */
const MAX_PHASE_LABELS = 12;
const PHASE_PREFIX = 'phase: ';

export interface Annotations {
  durationSec: number;
  phases: { name: string; startSec: number; endSec: number; shade: number }[];
  faults: { atSec: number; label: string; row: number }[];
}

function phaseWindows(summary: Summary, timeseries: Timeseries | null): Annotations['phases'] {
  const end = summary.run.durationSec;
  const recorded = new Map(summary.phases.map((p) => [p.name, p]));
  const starts = (timeseries?.annotations ?? [])
    .filter((a) => a.label.startsWith(PHASE_PREFIX))
    .map((a) => ({ name: a.label.slice(PHASE_PREFIX.length), startSec: a.tSec }));
  const fromSeries = starts.map((s, i) => ({
    name: s.name,
    startSec: s.startSec,
    endSec: recorded.get(s.name)?.endSec ?? starts[i + 1]?.startSec ?? end,
  }));
  const windows =
    fromSeries.length > 0
      ? fromSeries
      : summary.phases.map((p) => ({ name: p.name, startSec: p.startSec, endSec: p.endSec }));
  if (windows.length <= 1) return [];
  return windows.map((w, i) => ({ ...w, shade: i % 2 }));
}

export function annotationsOf(summary: Summary, timeseries: Timeseries | null): Annotations {
  const faults = summary.faults.map((f, i) => ({
    atSec: f.atSec,
    label: `${f.action} ${f.component}${f.ok ? '' : ' (failed)'}`,
    row: i % 2,
  }));
  return { durationSec: summary.run.durationSec, phases: phaseWindows(summary, timeseries), faults };
}

export const X_TITLE = 'time since start (s)';

/** The shared time axis of a chart's layers, spanning the run. */
export function timeX(field: string, a: Annotations): Spec {
  return {
    field,
    type: 'quantitative',
    title: X_TITLE,
    scale: { domain: [0, Math.max(a.durationSec, 1)], nice: false },
  };
}

/** Layers to put first (under the data) in a time chart; `labels` adds the names at the top. */
export function backgroundLayers(a: Annotations, labels: boolean): Spec[] {
  if (a.phases.length === 0) return [];
  const layers: Spec[] = [
    {
      data: { values: a.phases },
      mark: { type: 'rect' },
      encoding: {
        x: timeX('startSec', a),
        x2: { field: 'endSec' },
        fill: {
          field: 'shade',
          type: 'nominal',
          scale: { domain: [0, 1], range: ['#eef2f7', '#ffffff'] },
          legend: null,
        },
      },
    },
  ];
  if (labels && a.phases.length <= MAX_PHASE_LABELS) {
    layers.push({
      data: { values: a.phases },
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3, fontSize: 9, color: '#718096' },
      encoding: { x: timeX('startSec', a), y: { value: 0 }, text: { field: 'name' } },
    });
  }
  return layers;
}

/** Layers to put last (over the data): a dashed rule per fault, labelled on the first panel. */
export function faultLayers(a: Annotations, labels: boolean): Spec[] {
  if (a.faults.length === 0) return [];
  const layers: Spec[] = [
    {
      data: { values: a.faults },
      mark: { type: 'rule', color: COLORS.fault, strokeDash: [4, 3], strokeWidth: 1.2 },
      encoding: { x: timeX('atSec', a) },
    },
  ];
  if (labels) {
    // Two label rows, alternating, so faults a few seconds apart do not print over each other.
    for (const row of [0, 1]) {
      layers.push({
        data: { values: a.faults.filter((f) => f.row === row) },
        mark: {
          type: 'text',
          align: 'left',
          baseline: 'top',
          dx: 3,
          dy: 16 + row * 12,
          fontSize: 10,
          color: COLORS.fault,
        },
        encoding: { x: timeX('atSec', a), y: { value: 0 }, text: { field: 'label' } },
      });
    }
  }
  return layers;
}

/** A horizontal dashed line at an SLO limit, labelled at the chart's left edge. */
export function sloRuleLayers(limit: number | null, label: string, yTitle: string): Spec[] {
  if (limit === null) return [];
  const values = [{ limit, label }];
  const y = { field: 'limit', type: 'quantitative', title: yTitle };
  return [
    {
      data: { values },
      mark: { type: 'rule', color: COLORS.slo, strokeDash: [6, 4], strokeWidth: 1.2 },
      encoding: { y },
    },
    {
      data: { values },
      mark: {
        type: 'text',
        align: 'left',
        baseline: 'bottom',
        dx: 4,
        dy: -3,
        fontSize: 10,
        color: COLORS.slo,
      },
      encoding: { y, x: { value: 0 }, text: { field: 'label' } },
    },
  ];
}
