/**
 * A summary and time series from k6 metric points alone, for scripts that did not come from
 * `agentload export k6`. Without per-request records:
 *   requests = sum of http_reqs; failed = sum of http_req_failed (0 when the script has none);
 *   e2e_ms falls back to http_req_duration of expected responses (for an SSE stream through
 *   xk6-sse that is connect to stream end); TTFT, ITL, TPOT only if the script recorded them;
 *   per second: requests and failures by the time k6 stamped them (the end), percentiles from the
 *   raw values of that second (nearest rank), inFlight unknown (0).
 */
import { SampleAggregate } from '../metrics/aggregate.ts';
import { judgeGenerator } from '../metrics/generator-health.ts';
import { MetricHistogram } from '../metrics/histogram.ts';
import { buildSummary, inputsFromAggregate } from '../metrics/summarize.ts';
import { ThresholdMonitor } from '../metrics/threshold-eval.ts';
import type { ThresholdSpec } from '../metrics/thresholds.ts';
import { emptyTimeseriesPoint, nearestRank } from '../metrics/timeseries.ts';
import type { SloSpec, Summary, Timeseries, TimeseriesPoint } from '../results/schema.ts';
import { resolveRecovery, SUMMARY_SCHEMA_VERSION } from '../results/schema.ts';
import type { Collected, RawMetric, RawPoint } from './ingest-collect.ts';

export interface RawInput {
  slo: SloSpec;
  thresholds: readonly ThresholdSpec[];
  startMs: number;
  endMs: number;
  run: Omit<Summary['run'], 'durationSec'>;
  notes: string[];
}

const sum = (points: readonly RawPoint[]): number => points.reduce((a, p) => a + p.value, 0);

function histogramOf(points: readonly RawPoint[]): MetricHistogram {
  const h = new MetricHistogram();
  for (const p of points) h.record(p.value);
  return h;
}

function e2ePoints(c: Collected, notes: string[]): RawPoint[] {
  const own = c.raw.get('e2e_ms')!;
  if (own.length > 0) return own;
  const duration = c.raw.get('http_req_duration')!;
  if (duration.length > 0) notes.push('e2e_ms taken from http_req_duration (connect to end of body)');
  return duration.filter((p) => p.tags['expected_response'] !== 'false');
}

function aggregateOf(c: Collected, slo: SloSpec, e2e: readonly RawPoint[], notes: string[]): SampleAggregate {
  const agg = new SampleAggregate(slo);
  const raw = (m: RawMetric): RawPoint[] => c.raw.get(m)!;
  agg.trends.ttftMs = histogramOf(raw('ttft_ms'));
  agg.trends.firstByteMs = histogramOf(raw('first_byte_ms'));
  agg.trends.itlMs = histogramOf(raw('itl_ms'));
  agg.trends.tpotMs = histogramOf(raw('tpot_ms'));
  agg.trends.e2eMs = histogramOf(e2e);
  const k = agg.counts;
  k.requests = Math.round(sum(raw('http_reqs'))) || raw('http_req_failed').length;
  k.failed = Math.round(sum(raw('http_req_failed')));
  k.completed = Math.max(0, k.requests - k.failed);
  k.degraded = Math.round(sum(raw('degraded_rate')));
  k.dropped = Math.round(c.dropped.reduce((a, d) => a + d.count, 0));
  k.outputTokens = Math.round(sum(raw('output_tokens')));
  k.tokensCounted = k.outputTokens;
  k.inputTokens = Math.round(sum(raw('input_tokens')));
  const good = raw('good_requests');
  k.goodRequests = good.length > 0 ? Math.round(sum(good)) : Math.max(0, k.completed - k.degraded);
  if (good.length === 0 && (slo.ttftMs ?? slo.itlMs ?? slo.e2eMs) !== undefined) {
    notes.push(
      'goodput counts every completed request: SLO targets cannot be judged per request without records',
    );
  }
  return agg;
}

function timeseriesOf(c: Collected, startMs: number, endMs: number, e2e: readonly RawPoint[]): Timeseries {
  const points = Array.from({ length: Math.max(1, Math.ceil(endMs / 1000)) }, (_, i) =>
    emptyTimeseriesPoint(i),
  );
  const secondOf = (timeMs: number): number => Math.max(0, Math.floor((timeMs - startMs) / 1000));
  const at = (timeMs: number): TimeseriesPoint => {
    const i = secondOf(timeMs);
    while (points.length <= i) points.push(emptyTimeseriesPoint(points.length));
    return points[i]!;
  };
  const raw = (m: RawMetric): RawPoint[] => c.raw.get(m)!;
  for (const p of raw('http_reqs')) at(p.timeMs).requests += p.value;
  for (const p of raw('http_req_failed')) at(p.timeMs)[p.value > 0 ? 'failed' : 'completed'] += 1;
  for (const p of raw('degraded_rate')) at(p.timeMs).degraded += p.value > 0 ? 1 : 0;
  for (const p of raw('output_tokens')) at(p.timeMs).outputTokens += p.value;
  for (const d of c.dropped) at(d.timeMs).dropped += d.count;
  // Sparse: a point on a whole second past the first one lands past `points` (`at` grows it).
  const perSecond = (list: readonly RawPoint[]) => {
    const buckets: number[][] = [];
    for (const p of list) {
      at(p.timeMs);
      (buckets[secondOf(p.timeMs)] ??= []).push(p.value);
    }
    return buckets.map((b) => Float64Array.from(b).sort());
  };
  const [ttft, itl, e2eSec] = [perSecond(raw('ttft_ms')), perSecond(raw('itl_ms')), perSecond(e2e)];
  points.forEach((p, i) => {
    p.ttftP50Ms = nearestRank(ttft[i] ?? [], 50);
    p.ttftP95Ms = nearestRank(ttft[i] ?? [], 95);
    p.itlP95Ms = nearestRank(itl[i] ?? [], 95);
    p.e2eP95Ms = nearestRank(e2eSec[i] ?? [], 95);
  });
  return { schemaVersion: SUMMARY_SCHEMA_VERSION, intervalSec: 1, points, annotations: [] };
}

export function summaryFromRaw(c: Collected, input: RawInput): { summary: Summary; timeseries: Timeseries } {
  const durationSec = Math.max(0, input.endMs) / 1000;
  const e2e = e2ePoints(c, input.notes);
  const agg = aggregateOf(c, input.slo, e2e, input.notes);
  const monitor = new ThresholdMonitor(input.thresholds);
  const summary = buildSummary({
    run: { ...input.run, durationSec },
    aggregate: agg,
    turnsLost: null,
    slo: input.slo,
    recovery: resolveRecovery(input.slo),
    phases: [],
    steps: [],
    faults: [],
    generator: judgeGenerator({ p99Ms: 0, lateRequests: 0 }, { eventLoopDelayP99Ms: 0, cpuPercent: null }),
    thresholds: monitor.final(inputsFromAggregate(agg, durationSec, null)),
  });
  return { summary, timeseries: timeseriesOf(c, input.startMs, input.endMs, e2e) };
}
