/** Fixture factories for planner tests: sweep summaries with overrides. */
import { MetricHistogram } from '../../harness/metrics/histogram.ts';
import type { DistributionStats, Summary, SweepStep } from '../../harness/results/schema.ts';

/** A latency distribution from its mean, with fixed tail ratios unless overridden. */
export function makeStats(meanMs: number, overrides: Partial<DistributionStats> = {}): DistributionStats {
  return {
    count: 1000,
    min: meanMs * 0.3,
    max: meanMs * 4,
    mean: meanMs,
    stddev: meanMs * 0.8,
    p50: meanMs * 0.9,
    p90: meanMs * 1.5,
    p95: meanMs * 1.8,
    p99: meanMs * 2.5,
    p999: meanMs * 3.2,
    ...overrides,
  };
}

export interface StepShape {
  offeredRatePerSec?: number | null;
  targetConcurrency?: number | null;
  /** Successful requests/s; defaults to the offered rate. */
  achievedRatePerSec?: number;
  ttftMeanMs?: number;
  itlMeanMs?: number;
  e2eMeanMs?: number;
  ttftP95Ms?: number;
  errorRate?: number;
  meanInputTokens?: number;
  meanOutputTokens?: number;
  durationSec?: number;
  meanInFlight?: number;
}

export function makeSweepStep(shape: StepShape = {}, name = 'step'): SweepStep {
  const durationSec = shape.durationSec ?? 60;
  const offered = shape.offeredRatePerSec === undefined ? 4 : shape.offeredRatePerSec;
  const achieved = shape.achievedRatePerSec ?? offered ?? 4;
  const errorRate = shape.errorRate ?? 0;
  const out = shape.meanOutputTokens ?? 200;
  const ttftMean = shape.ttftMeanMs ?? 100;
  const itlMean = shape.itlMeanMs ?? 20;
  const e2eMean = shape.e2eMeanMs ?? ttftMean + (out - 1) * itlMean;
  const completed = Math.round(achieved * durationSec);
  const requests = Math.round(completed / (1 - errorRate));
  return {
    name,
    offeredRatePerSec: offered,
    targetConcurrency: shape.targetConcurrency ?? null,
    durationSec,
    requests,
    completed,
    failed: requests - completed,
    dropped: 0,
    achievedRatePerSec: achieved,
    goodputPerSec: achieved,
    outputTokensPerSec: achieved * out,
    meanInFlight: shape.meanInFlight ?? (achieved * e2eMean) / 1000,
    meanInputTokens: shape.meanInputTokens ?? 500,
    meanOutputTokens: out,
    errorRate,
    ttftMs: makeStats(ttftMean, shape.ttftP95Ms === undefined ? {} : { p95: shape.ttftP95Ms }),
    itlMs: makeStats(itlMean, {
      p95: itlMean * 1.3,
      p99: itlMean * 1.6,
      p999: itlMean * 2,
      stddev: itlMean * 0.2,
    }),
    e2eMs: makeStats(e2eMean, {
      p95: e2eMean * 1.3,
      p99: e2eMean * 1.6,
      p999: e2eMean * 2,
      stddev: e2eMean * 0.5,
    }),
  };
}

/**
 * Steps of a replica that saturates near `capacityPerSec` (per replica): TTFT and ITL grow like
 * 1 / (1 - rho), the shape of a queue approaching saturation.
 */
export function saturatingSteps(
  rates: readonly number[],
  capacityPerSec: number,
  replicas = 1,
  jitter = 0,
): SweepStep[] {
  return rates.map((rate, i) => {
    const rho = Math.min(rate / replicas / capacityPerSec, 0.97);
    const wobble = 1 + jitter * (i % 2 === 0 ? 1 : -1);
    return makeSweepStep(
      {
        offeredRatePerSec: rate,
        ttftMeanMs: (80 + 60 / (1 - rho)) * wobble,
        itlMeanMs: (15 + 10 * rho) * wobble,
        errorRate: rho > 0.9 ? 0.02 : 0,
      },
      `rate-${rate}`,
    );
  });
}

export interface SummaryOverrides {
  runId?: string;
  scenario?: string;
  steps?: SweepStep[];
  profile?: string | null;
  modelReplicas?: number | null;
  agentReplicas?: number | null;
  gpusPerModelReplica?: number | null;
  slo?: Summary['slo'];
}

export function makeSweepSummary(o: SummaryOverrides = {}): Summary {
  const steps = o.steps ?? saturatingSteps([1, 2, 3, 4, 5, 6, 7, 8], 8);
  // A real (empty) encoded histogram: the planner reads the stats, the schema wants a valid snapshot.
  const hist = new MetricHistogram().snapshot();
  const metric = (mean: number) => ({ stats: makeStats(mean), histogram: hist });
  return {
    schemaVersion: 1,
    kind: 'agentload.summary',
    run: {
      id: o.runId ?? 'run-1',
      scenario: o.scenario ?? 'sweep',
      seed: 1,
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: '2026-01-01T00:10:00.000Z',
      durationSec: 600,
      target: 'http://127.0.0.1:0',
      stack: {
        kind: 'local',
        profile: o.profile === undefined ? 'llama-3.1-8b@h100' : o.profile,
        agentReplicas: o.agentReplicas === undefined ? null : o.agentReplicas,
        modelReplicas: o.modelReplicas === undefined ? 1 : o.modelReplicas,
        gpusPerModelReplica: o.gpusPerModelReplica === undefined ? 1 : o.gpusPerModelReplica,
        modelServer: 'sim',
        inMemoryState: false,
      },
      versions: { agentload: '0.1.0', node: '20.20.0' },
      segment: null,
      source: 'agentload',
    },
    counts: {
      requests: 0,
      completed: 0,
      failed: 0,
      dropped: 0,
      degraded: 0,
      inputTokens: 0,
      outputTokens: 0,
      tokensFromUsage: 0,
      tokensCounted: 0,
      turnsAcknowledged: 0,
      turnsLost: null,
    },
    rates: { requestsPerSec: 0, completedPerSec: 0, outputTokensPerSec: 0, errorRate: 0, goodputPerSec: 0 },
    metrics: {
      ttftMs: metric(100),
      firstByteMs: metric(50),
      itlMs: metric(20),
      tpotMs: metric(20),
      e2eMs: metric(4000),
      scheduleLagMs: metric(1),
    },
    errors: {},
    slo: o.slo ?? { ttftMs: 800, itlMs: 60, percentile: 95, maxErrorRate: 0.01 },
    thresholds: [],
    phases: [],
    faults: [],
    steps,
    generator: { valid: true, reasons: [], scheduleLagP99Ms: 1, eventLoopDelayP99Ms: 1, cpuPercent: null },
  };
}
