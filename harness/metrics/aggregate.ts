/**
 * Counts and histograms over a set of samples: the whole run, one phase or one sweep step.
 * Token sums are over completed requests; inFlightMs sums (endMs - sentAtMs) over every request,
 * so inFlightMs / windowMs is the mean number in flight (Little's law, L = lambda x W).
 */
import type { RequestSample, SloSpec } from '../results/schema.ts';
import { MetricHistogram } from './histogram.ts';
import { requestMetrics, type RequestMetrics } from './request-metrics.ts';

export const TREND_KEYS = ['ttftMs', 'firstByteMs', 'itlMs', 'tpotMs', 'e2eMs', 'scheduleLagMs'] as const;
export type TrendKey = (typeof TREND_KEYS)[number];

export interface AggregateCounts {
  requests: number;
  completed: number;
  failed: number;
  dropped: number;
  degraded: number;
  inputTokens: number;
  /** Completed requests that reported input tokens (the denominator of the mean). */
  inputTokenRequests: number;
  outputTokens: number;
  tokensFromUsage: number;
  tokensCounted: number;
  contentChunks: number;
  goodRequests: number;
  turnsAcknowledged: number;
  inFlightMs: number;
}

function zeroCounts(): AggregateCounts {
  return {
    requests: 0,
    completed: 0,
    failed: 0,
    dropped: 0,
    degraded: 0,
    inputTokens: 0,
    inputTokenRequests: 0,
    outputTokens: 0,
    tokensFromUsage: 0,
    tokensCounted: 0,
    contentChunks: 0,
    goodRequests: 0,
    turnsAcknowledged: 0,
    inFlightMs: 0,
  };
}

export interface AggregateOptions {
  /**
   * Count a degraded answer (the agent's fallback when its model failed) as failed: no latency,
   * no tokens, error class 'degraded'. Sweep steps do, because a step measures the capacity to
   * give full answers; a fast fallback within the SLO would otherwise hide the knee.
   */
  degradedAsFailed?: boolean;
}

export class SampleAggregate {
  readonly counts: AggregateCounts = zeroCounts();
  readonly errors: Record<string, number> = {};
  readonly trends: Partial<Record<TrendKey, MetricHistogram>> = {};
  private readonly degradedAsFailed: boolean;

  constructor(
    private readonly slo: SloSpec | undefined,
    keys: readonly TrendKey[] = TREND_KEYS,
    options: AggregateOptions = {},
  ) {
    for (const key of keys) this.trends[key] = new MetricHistogram();
    this.degradedAsFailed = options.degradedAsFailed ?? false;
  }

  /** The histogram for `key`, empty when this aggregate does not track it. */
  trend(key: TrendKey): MetricHistogram {
    return this.trends[key] ?? new MetricHistogram();
  }

  add(sample: RequestSample, derived?: RequestMetrics): RequestMetrics {
    const m = derived ?? requestMetrics(sample, this.slo);
    const c = this.counts;
    c.requests += 1;
    c.inFlightMs += Math.max(0, sample.endMs - sample.sentAtMs);
    if (sample.degraded) c.degraded += 1;
    this.trends.scheduleLagMs?.record(m.scheduleLagMs);
    const fallback = m.completed && sample.degraded && this.degradedAsFailed;
    if (!m.completed || fallback) {
      c.failed += 1;
      const cls = fallback ? 'degraded' : (sample.errorClass ?? 'unknown');
      this.errors[cls] = (this.errors[cls] ?? 0) + 1;
      return m;
    }
    c.completed += 1;
    if (m.good) c.goodRequests += 1;
    if (sample.turn !== null) c.turnsAcknowledged += 1;
    if (sample.inputTokens !== null) {
      c.inputTokens += sample.inputTokens;
      c.inputTokenRequests += 1;
    }
    c.outputTokens += sample.outputTokens;
    if (sample.tokenSource === 'usage') c.tokensFromUsage += sample.outputTokens;
    else c.tokensCounted += sample.outputTokens;
    c.contentChunks += m.contentChunks;
    this.recordTrends(sample, m);
    return m;
  }

  addDropped(count: number): void {
    this.counts.dropped += count;
  }

  private recordTrends(sample: RequestSample, m: RequestMetrics): void {
    const t = this.trends;
    if (m.ttftMs !== null) t.ttftMs?.record(m.ttftMs);
    if (m.firstByteMs !== null) t.firstByteMs?.record(m.firstByteMs);
    if (m.tpotMs !== null) t.tpotMs?.record(m.tpotMs);
    t.e2eMs?.record(m.e2eMs);
    const itl = t.itlMs;
    if (itl) for (const gapMs of sample.tokenGapsMs) itl.record(gapMs);
  }
}
