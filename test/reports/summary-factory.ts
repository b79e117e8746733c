/** Hand-built summaries with round figures, for snapshot tests of the report formats. */
import { MetricHistogram } from '../../harness/metrics/histogram.ts';
import type { MetricResult, Summary } from '../../harness/results/schema.ts';
import type { LoadedRun } from '../../reports/load.ts';

/** A metric result over fixed values (exact moments, real HDR snapshot). */
export function metricOf(values: readonly number[]): MetricResult {
  const h = new MetricHistogram();
  for (const v of values) h.record(v);
  return { stats: h.stats(), histogram: h.snapshot() };
}

const spread = (medianMs: number, n = 200): number[] =>
  Array.from({ length: n }, (_, i) => Math.round(medianMs * (0.5 + (i / n) ** 2 * 1.6) * 100) / 100);

/** The run metadata of every hand-built summary and recorded run. */
export const RUN: Summary['run'] = {
  id: 'run-42',
  scenario: 'chat-steady',
  seed: 42,
  startedAt: '2026-11-27T08:00:00.000Z',
  endedAt: '2026-11-27T08:01:00.000Z',
  durationSec: 60,
  target: 'http://127.0.0.1:8080',
  stack: {
    kind: 'local',
    profile: 'llama-3.1-8b@h100',
    agentReplicas: 2,
    modelReplicas: 1,
    gpusPerModelReplica: 1,
    modelServer: 'sim',
    inMemoryState: false,
  },
  versions: { agentload: '0.1.0', node: 'v20.20.0' },
  segment: null,
  source: 'agentload',
};

/** A hand-built summary with round figures, for snapshot tests of the formats. */
export function makeSummary(overrides: Partial<Summary> = {}): Summary {
  const ttftMs = metricOf(spread(200));
  const base: Summary = {
    schemaVersion: 1,
    kind: 'agentload.summary',
    run: structuredClone(RUN),
    counts: {
      requests: 600,
      completed: 594,
      failed: 6,
      dropped: 0,
      degraded: 3,
      inputTokens: 300_000,
      outputTokens: 23_760,
      tokensFromUsage: 23_760,
      tokensCounted: 0,
      turnsAcknowledged: 594,
      turnsLost: 0,
      goodRequests: 580,
      contentChunks: 23_760,
    },
    rates: {
      requestsPerSec: 10,
      completedPerSec: 9.9,
      outputTokensPerSec: 396,
      errorRate: 0.01,
      goodputPerSec: 9.667,
    },
    metrics: {
      ttftMs,
      firstByteMs: metricOf(spread(140)),
      itlMs: metricOf(spread(22)),
      tpotMs: metricOf(spread(23)),
      e2eMs: metricOf(spread(1100)),
      scheduleLagMs: metricOf(spread(1)),
    },
    errors: { http_5xx: 6 },
    slo: { ttftMs: 800, e2eMs: 4000, percentile: 95, maxErrorRate: 0.02 },
    thresholds: [
      {
        metric: 'ttft_ms',
        expression: 'p(95)<800',
        ok: true,
        actual: ttftMs.stats.p95,
        abortOnFail: false,
        failedLive: false,
      },
      {
        metric: 'http_req_failed',
        expression: 'rate<0.02',
        ok: true,
        actual: 0.01,
        abortOnFail: false,
        failedLive: false,
      },
    ],
    phases: [],
    faults: [],
    steps: [],
    generator: { valid: true, reasons: [], scheduleLagP99Ms: 2.1, eventLoopDelayP99Ms: 4.2, cpuPercent: 31 },
  };
  return { ...base, ...overrides };
}

/** A run as the reports see it, without touching the disk. */
export function loadedOf(
  summary: Summary,
  source = 'results/20261127-080000-chat-steady',
  extra: Partial<LoadedRun> = {},
): LoadedRun {
  return {
    source,
    dir: source,
    label: source.split('/').pop()!,
    summary,
    timeseries: null,
    samplesPath: null,
    plan: null,
    notes: [],
    ...extra,
  };
}

/** makeSummary's latencies scaled by `factor` (a slower or faster build). */
export function scaledSummary(factor: number, overrides: Partial<Summary> = {}): Summary {
  const base = makeSummary();
  const scale = (median: number) => metricOf(spread(median * factor));
  return makeSummary({
    metrics: {
      ttftMs: scale(200),
      firstByteMs: scale(140),
      itlMs: scale(22),
      tpotMs: scale(23),
      e2eMs: scale(1100),
      scheduleLagMs: base.metrics.scheduleLagMs,
    },
    ...overrides,
  });
}
