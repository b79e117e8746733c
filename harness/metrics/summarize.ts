/**
 * Turns aggregates into the Summary written to summary.json. Run-level rates divide by the run's
 * duration (first scheduled slot to finish, durationSec):
 *   requestsPerSec = requests / durationSec          outputTokensPerSec = outputTokens / durationSec
 *   completedPerSec = completed / durationSec        goodputPerSec = goodRequests / durationSec
 *   errorRate = failed / (completed + failed)
 */
import type {
  FaultEvent,
  MetricResult,
  PhaseSummary,
  RecoverySpec,
  SloSpec,
  Summary,
  SweepStep,
  ThresholdResult,
} from '../results/schema.ts';
import { SUMMARY_SCHEMA_VERSION } from '../results/schema.ts';
import { TREND_KEYS, type AggregateCounts, type SampleAggregate, type TrendKey } from './aggregate.ts';
import type { GeneratorHealth } from './generator-health.ts';
import type { MetricHistogram } from './histogram.ts';
import { errorRate } from './phases.ts';
import type { MetricInputs } from './threshold-eval.ts';

export function metricResult(h: MetricHistogram): MetricResult {
  return { stats: h.stats(), histogram: h.snapshot() };
}

type RateCounts = Pick<
  AggregateCounts,
  'requests' | 'completed' | 'failed' | 'outputTokens' | 'goodRequests'
>;

export function ratesOf(c: RateCounts, durationSec: number): Summary['rates'] {
  const perSec = (n: number): number => (durationSec > 0 ? n / durationSec : 0);
  return {
    requestsPerSec: perSec(c.requests),
    completedPerSec: perSec(c.completed),
    outputTokensPerSec: perSec(c.outputTokens),
    errorRate: errorRate(c.completed, c.failed),
    goodputPerSec: perSec(c.goodRequests),
  };
}

export function inputsFromAggregate(
  agg: SampleAggregate,
  durationSec: number,
  turnsLost: number | null,
): MetricInputs {
  const trends = {} as Record<TrendKey, MetricHistogram>;
  for (const key of TREND_KEYS) trends[key] = agg.trend(key);
  const c = agg.counts;
  return {
    durationSec,
    trends,
    requests: c.requests,
    completed: c.completed,
    failed: c.failed,
    degraded: c.degraded,
    dropped: c.dropped,
    outputTokens: c.outputTokens,
    goodRequests: c.goodRequests,
    turnsLost,
  };
}

export interface SummaryParts {
  run: Summary['run'];
  aggregate: SampleAggregate;
  turnsLost: number | null;
  slo: SloSpec;
  recovery: RecoverySpec;
  phases: PhaseSummary[];
  steps: SweepStep[];
  faults: FaultEvent[];
  generator: GeneratorHealth;
  thresholds: ThresholdResult[];
}

export function buildSummary(p: SummaryParts): Summary {
  const c = p.aggregate.counts;
  const t = (key: TrendKey): MetricResult => metricResult(p.aggregate.trend(key));
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    kind: 'agentload.summary',
    run: p.run,
    counts: {
      requests: c.requests,
      completed: c.completed,
      failed: c.failed,
      dropped: c.dropped,
      degraded: c.degraded,
      inputTokens: c.inputTokens,
      outputTokens: c.outputTokens,
      tokensFromUsage: c.tokensFromUsage,
      tokensCounted: c.tokensCounted,
      turnsAcknowledged: c.turnsAcknowledged,
      turnsLost: p.turnsLost,
      goodRequests: c.goodRequests,
      contentChunks: c.contentChunks,
    },
    rates: ratesOf(c, p.run.durationSec),
    metrics: {
      ttftMs: t('ttftMs'),
      firstByteMs: t('firstByteMs'),
      itlMs: t('itlMs'),
      tpotMs: t('tpotMs'),
      e2eMs: t('e2eMs'),
      scheduleLagMs: t('scheduleLagMs'),
    },
    errors: { ...p.aggregate.errors },
    slo: p.slo,
    thresholds: p.thresholds,
    phases: p.phases,
    recovery: p.recovery,
    faults: p.faults,
    steps: p.steps,
    generator: p.generator,
  };
}
