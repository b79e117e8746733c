/**
 * Judges parsed thresholds against the data so far (live, every second) or at the end.
 * A metric with no data (no latencies, no finished requests, turns not audited) has actual null:
 * live, that never aborts a run; at the end, it fails the threshold, because a bound on something
 * that was not measured proves nothing (e.g. ttft_ms p(95) when every request failed).
 */
import type { Summary, ThresholdResult } from '../results/schema.ts';
import { TREND_KEYS, type TrendKey } from './aggregate.ts';
import { MetricHistogram } from './histogram.ts';
import type { Aggregation, Operator, ThresholdMetric, ThresholdSpec } from './thresholds.ts';

/** What thresholds are judged on; built from a live aggregate or from a summary. */
export interface MetricInputs {
  durationSec: number;
  trends: Record<TrendKey, MetricHistogram>;
  requests: number;
  completed: number;
  failed: number;
  degraded: number;
  dropped: number;
  outputTokens: number;
  goodRequests: number;
  turnsLost: number | null;
}

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

function trendValue(h: MetricHistogram, agg: Aggregation): number | null {
  if (h.count === 0) return null;
  switch (agg.kind) {
    case 'avg':
      return h.stats().mean;
    case 'min':
      return h.stats().min;
    case 'max':
      return h.stats().max;
    case 'med':
      return h.percentile(50);
    case 'p':
      return h.percentile(agg.percentile);
    default:
      return null;
  }
}

/** A k6 counter: `count` as is, `rate` per second of the run so far. */
function counterValue(count: number | null, agg: Aggregation, durationSec: number): number | null {
  if (count === null) return null;
  return agg.kind === 'rate' ? ratio(count, durationSec) : count;
}

type ValueOf = (i: MetricInputs, agg: Aggregation) => number | null;

/** Where each threshold metric's number comes from (docs/metrics.md). */
const VALUE_OF = {
  ttft_ms: (i, a) => trendValue(i.trends.ttftMs, a),
  itl_ms: (i, a) => trendValue(i.trends.itlMs, a),
  tpot_ms: (i, a) => trendValue(i.trends.tpotMs, a),
  e2e_ms: (i, a) => trendValue(i.trends.e2eMs, a),
  first_byte_ms: (i, a) => trendValue(i.trends.firstByteMs, a),
  schedule_lag_ms: (i, a) => trendValue(i.trends.scheduleLagMs, a),
  http_req_failed: (i) => ratio(i.failed, i.completed + i.failed),
  degraded_rate: (i) => ratio(i.degraded, i.requests),
  http_reqs: (i, a) => counterValue(i.requests, a, i.durationSec),
  dropped_iterations: (i, a) => counterValue(i.dropped, a, i.durationSec),
  turns_lost: (i, a) => counterValue(i.turnsLost, a, i.durationSec),
  output_tokens_per_sec: (i) => ratio(i.outputTokens, i.durationSec),
  goodput_per_sec: (i) => ratio(i.goodRequests, i.durationSec),
} satisfies Record<ThresholdMetric, ValueOf>;

/** The number an aggregation of a metric stands at; null when there is no data. */
export function metricValue(inputs: MetricInputs, metric: ThresholdMetric, agg: Aggregation): number | null {
  return VALUE_OF[metric](inputs, agg);
}

export function compare(actual: number, operator: Operator, value: number): boolean {
  switch (operator) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
    case '===':
      return actual === value;
    case '!=':
      return actual !== value;
  }
}

export interface ThresholdVerdict {
  spec: ThresholdSpec;
  ok: boolean;
  actual: number | null;
}

export function judge(spec: ThresholdSpec, inputs: MetricInputs): ThresholdVerdict {
  const actual = metricValue(inputs, spec.metric, spec.aggregation);
  return { spec, actual, ok: actual !== null && compare(actual, spec.operator, spec.value) };
}

/** Remembers which thresholds failed during the run; says which ones should abort it now. */
export class ThresholdMonitor {
  private readonly failedLive = new Set<ThresholdSpec>();

  constructor(readonly specs: readonly ThresholdSpec[]) {}

  /**
   * Live check at `elapsedMs` into the run. Returns the failing thresholds that have abortOnFail
   * and whose delayAbortEval has passed (empty: keep going). Metrics without data never fail here.
   */
  check(inputs: MetricInputs, elapsedMs: number): ThresholdVerdict[] {
    const abort: ThresholdVerdict[] = [];
    for (const spec of this.specs) {
      const verdict = judge(spec, inputs);
      if (verdict.ok || verdict.actual === null) continue;
      this.failedLive.add(spec);
      if (spec.abortOnFail && elapsedMs >= spec.delayAbortEvalMs) abort.push(verdict);
    }
    return abort;
  }

  final(inputs: MetricInputs): ThresholdResult[] {
    return this.specs.map((spec) => {
      const v = judge(spec, inputs);
      return {
        metric: spec.metric,
        expression: spec.expression,
        ok: v.ok,
        actual: v.actual,
        abortOnFail: spec.abortOnFail,
        failedLive: this.failedLive.has(spec),
      };
    });
  }
}

const METRIC_KEY: Record<TrendKey, keyof Summary['metrics']> = {
  ttftMs: 'ttftMs',
  firstByteMs: 'firstByteMs',
  itlMs: 'itlMs',
  tpotMs: 'tpotMs',
  e2eMs: 'e2eMs',
  scheduleLagMs: 'scheduleLagMs',
};

/** Threshold inputs from a finished (or merged) summary: histograms decoded, counts as written. */
export function inputsFromSummary(summary: Summary): MetricInputs {
  const trends = {} as Record<TrendKey, MetricHistogram>;
  for (const key of TREND_KEYS) {
    trends[key] = MetricHistogram.fromSnapshot(summary.metrics[METRIC_KEY[key]].histogram);
  }
  const c = summary.counts;
  return {
    durationSec: summary.run.durationSec,
    trends,
    requests: c.requests,
    completed: c.completed,
    failed: c.failed,
    degraded: c.degraded,
    dropped: c.dropped,
    outputTokens: c.outputTokens,
    goodRequests: c.goodRequests ?? Math.round(summary.rates.goodputPerSec * summary.run.durationSec),
    turnsLost: c.turnsLost,
  };
}
