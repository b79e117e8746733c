/**
 * Side-by-side figures of two runs (baseline first). `worse` is a display hint, not a test: the
 * change is in the bad direction and beyond NOTABLE_RELATIVE (latency, throughput) or
 * NOTABLE_POINTS (error and degraded shares). Whether a change is real is the gate's job
 * (gate/statistics.ts).
 */
import type { Comparison, ComparisonRow, Distribution, RunReport } from './report-schema.ts';

const NOTABLE_RELATIVE = 0.02;
const NOTABLE_POINTS = 0.001;

type Direction = 'lower-is-better' | 'higher-is-better';
type StatKey = 'p50' | 'p95' | 'p99' | 'mean';

const LATENCY_ROWS: readonly {
  metric: string;
  key: keyof RunReport['latency'];
  stats: readonly StatKey[];
}[] = [
  { metric: 'ttft_ms', key: 'ttftMs', stats: ['p50', 'p95', 'p99'] },
  { metric: 'itl_ms', key: 'itlMs', stats: ['p50', 'p95', 'p99'] },
  { metric: 'tpot_ms', key: 'tpotMs', stats: ['p50', 'p95'] },
  { metric: 'e2e_ms', key: 'e2eMs', stats: ['p50', 'p95', 'p99'] },
  { metric: 'first_byte_ms', key: 'firstByteMs', stats: ['p95'] },
];

/** The change from baseline to current; relative is null when the baseline is 0 or missing. */
export function pointChange(
  baseline: number | null,
  current: number | null,
): Pick<ComparisonRow, 'baseline' | 'current' | 'delta' | 'relative'> {
  const delta = baseline === null || current === null ? null : current - baseline;
  const relative = delta === null || baseline === null || baseline === 0 ? null : delta / baseline;
  return { baseline, current, delta, relative };
}

function row(
  metric: string,
  stat: string,
  baseline: number | null,
  current: number | null,
  direction: Direction,
  share: boolean,
): ComparisonRow {
  const { delta, relative } = pointChange(baseline, current);
  const bad = delta !== null && (direction === 'lower-is-better' ? delta > 0 : delta < 0);
  const notable = share
    ? delta !== null && Math.abs(delta) >= NOTABLE_POINTS
    : relative === null
      ? delta !== null && delta !== 0
      : Math.abs(relative) >= NOTABLE_RELATIVE;
  return { metric, stat, baseline, current, delta, relative, worse: bad && notable };
}

const statOf = (d: Distribution, key: StatKey): number | null => (d.count === 0 ? null : d[key]);

export type ShareMetric = 'http_req_failed' | 'degraded_rate';

/** Part and whole of a share: failed of finished (completed + failed), degraded of all requests. */
export function shareCounts(
  c: Pick<RunReport['counts'], 'requests' | 'completed' | 'failed' | 'degraded'>,
  metric: ShareMetric,
): { x: number; n: number } {
  return metric === 'http_req_failed'
    ? { x: c.failed, n: c.completed + c.failed }
    : { x: c.degraded, n: c.requests };
}

function shareRow(metric: ShareMetric, baseline: RunReport, current: RunReport): ComparisonRow {
  const shareOf = (r: RunReport): number | null => {
    const { x, n } = shareCounts(r.counts, metric);
    return n > 0 ? x / n : null;
  };
  return row(metric, 'rate', shareOf(baseline), shareOf(current), 'lower-is-better', true);
}

export function compareRuns(baseline: RunReport, current: RunReport): Comparison {
  const rows: ComparisonRow[] = [];
  for (const { metric, key, stats } of LATENCY_ROWS) {
    for (const stat of stats) {
      const b = statOf(baseline.latency[key], stat);
      const c = statOf(current.latency[key], stat);
      rows.push(row(metric, stat, b, c, 'lower-is-better', false));
    }
  }
  rows.push(
    shareRow('http_req_failed', baseline, current),
    shareRow('degraded_rate', baseline, current),
    row(
      'goodput_per_sec',
      'value',
      baseline.rates.goodputPerSec,
      current.rates.goodputPerSec,
      'higher-is-better',
      false,
    ),
    row(
      'output_tokens_per_sec',
      'value',
      baseline.rates.outputTokensPerSec,
      current.rates.outputTokensPerSec,
      'higher-is-better',
      false,
    ),
    row(
      'dropped_iterations',
      'count',
      baseline.counts.dropped,
      current.counts.dropped,
      'lower-is-better',
      false,
    ),
    row('turns_lost', 'count', baseline.counts.turnsLost, current.counts.turnsLost, 'lower-is-better', false),
  );
  return {
    baseline: baseline.source,
    current: current.source,
    sameScenario: baseline.run.scenario === current.run.scenario,
    rows,
  };
}
