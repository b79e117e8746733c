/**
 * zod mirrors of schema.ts, used when reading results back. Each is typed `z.ZodType<T>`, so tsc
 * fails when schema.ts gains a field the validator does not know.
 */
import { z } from 'zod';
import type {
  DistributionStats,
  HistogramSnapshot,
  MetricResult,
  PhaseSummary,
  RequestSample,
  Summary,
  SweepStep,
  ThresholdResult,
  Timeseries,
} from './schema.ts';
import { zodIssues } from '../errors.ts';

export const num = z.number().finite();
export const count = z.number().int().nonnegative();
export const nullableNum = num.nullable();

export const stats: z.ZodType<DistributionStats> = z.object({
  count,
  min: num,
  max: num,
  mean: num,
  stddev: num,
  p50: num,
  p90: num,
  p95: num,
  p99: num,
  p999: num,
});

const histogram: z.ZodType<HistogramSnapshot> = z.object({
  encoding: z.literal('hdr-compressed-base64'),
  scale: num.positive(),
  data: z.string().min(1),
  moments: z.object({ count, sum: num, min: num, max: num, m2: num }).optional(),
});

const metric: z.ZodType<MetricResult> = z.object({ stats, histogram });

/** Exported as plain objects (still checked against the types) so report rows can pick from them. */
export const thresholdResultSchema = z.object({
  metric: z.string(),
  expression: z.string(),
  ok: z.boolean(),
  actual: nullableNum,
  abortOnFail: z.boolean(),
  failedLive: z.boolean(),
}) satisfies z.ZodType<ThresholdResult>;

export const phaseSchema = z.object({
  name: z.string(),
  startSec: num,
  endSec: num,
  requests: count,
  completed: count,
  failed: count,
  degraded: count,
  errorRate: num,
  ttftP95Ms: nullableNum,
  e2eP95Ms: nullableNum,
  dropped: count.optional(),
  histograms: z.object({ ttftMs: histogram, e2eMs: histogram }).optional(),
  recoverySec: nullableNum,
}) satisfies z.ZodType<PhaseSummary>;

export const sweepStepSchema = z.object({
  name: z.string(),
  offeredRatePerSec: nullableNum,
  targetConcurrency: nullableNum,
  durationSec: num,
  requests: count,
  completed: count,
  failed: count,
  degraded: count.optional(),
  dropped: count,
  achievedRatePerSec: num,
  goodputPerSec: num,
  outputTokensPerSec: num,
  meanInFlight: num,
  meanInputTokens: num,
  meanOutputTokens: num,
  errorRate: num,
  ttftMs: stats,
  itlMs: stats,
  e2eMs: stats,
  histograms: z.object({ ttftMs: histogram, itlMs: histogram, e2eMs: histogram }).optional(),
}) satisfies z.ZodType<SweepStep>;

export const summarySchema: z.ZodType<Summary> = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('agentload.summary'),
  run: z.object({
    id: z.string(),
    scenario: z.string(),
    seed: num,
    startedAt: z.string(),
    endedAt: z.string(),
    durationSec: num.nonnegative(),
    target: z.string(),
    stack: z.object({
      kind: z.enum(['local', 'containers', 'compose', 'external', 'k6']),
      profile: z.string().nullable(),
      agentReplicas: count.nullable(),
      modelReplicas: count.nullable(),
      gpusPerModelReplica: num.nullable(),
      modelServer: z.enum(['sim', 'tgi', 'unknown']),
      inMemoryState: z.boolean(),
    }),
    versions: z.object({ agentload: z.string(), node: z.string() }),
    segment: z.string().nullable(),
    source: z.enum(['agentload', 'k6', 'merge']),
  }),
  counts: z.object({
    requests: count,
    completed: count,
    failed: count,
    dropped: count,
    degraded: count,
    inputTokens: count,
    outputTokens: count,
    tokensFromUsage: count,
    tokensCounted: count,
    turnsAcknowledged: count,
    turnsLost: count.nullable(),
    goodRequests: count.optional(),
    contentChunks: count.optional(),
  }),
  rates: z.object({
    requestsPerSec: num,
    completedPerSec: num,
    outputTokensPerSec: num,
    errorRate: num,
    goodputPerSec: num,
  }),
  metrics: z.object({
    ttftMs: metric,
    firstByteMs: metric,
    itlMs: metric,
    tpotMs: metric,
    e2eMs: metric,
    scheduleLagMs: metric,
  }),
  errors: z.record(count),
  slo: z.object({
    ttftMs: num.optional(),
    itlMs: num.optional(),
    e2eMs: num.optional(),
    percentile: num,
    maxErrorRate: num.optional(),
  }),
  thresholds: z.array(thresholdResultSchema),
  phases: z.array(phaseSchema),
  recovery: z.object({ errorRateBar: num, holdSec: num.positive() }).optional(),
  faults: z.array(
    z.object({
      atSec: num,
      component: z.string(),
      action: z.string(),
      ok: z.boolean(),
      detail: z.string().optional(),
    }),
  ),
  steps: z.array(sweepStepSchema),
  generator: z.object({
    valid: z.boolean(),
    reasons: z.array(z.string()),
    scheduleLagP99Ms: num,
    eventLoopDelayP99Ms: num,
    cpuPercent: nullableNum,
    cpuPeakPercent: nullableNum.optional(),
  }),
});

export const timeseriesSchema: z.ZodType<Timeseries> = z.object({
  schemaVersion: z.literal(1),
  intervalSec: num.positive(),
  points: z.array(
    z.object({
      tSec: num,
      requests: count,
      completed: count,
      failed: count,
      degraded: count,
      dropped: count,
      inFlight: num,
      outputTokens: count,
      ttftP50Ms: nullableNum,
      ttftP95Ms: nullableNum,
      e2eP95Ms: nullableNum,
      itlP95Ms: nullableNum,
      server: z.object({
        queueSize: nullableNum,
        batchSize: nullableNum,
        agentInFlight: nullableNum,
        breakerOpen: nullableNum,
      }),
    }),
  ),
  annotations: z.array(z.object({ tSec: num, label: z.string() })),
});

export const sampleSchema: z.ZodType<RequestSample> = z.object({
  scheduledAtMs: num,
  sentAtMs: num,
  firstByteMs: nullableNum,
  firstTokenMs: nullableNum,
  tokenGapsMs: z.array(num.nonnegative()),
  endMs: num,
  inputTokens: count.nullable(),
  outputTokens: count,
  tokenSource: z.enum(['usage', 'counted']),
  status: count,
  errorClass: z.string().nullable(),
  degraded: z.boolean(),
  tenant: z.string().nullable(),
  session: z.string().nullable(),
  turn: count.nullable(),
  replica: z.string().nullable(),
  phase: z.string().nullable(),
});

/** zod issues as `path: message` lines (the first `max`). */
export function describeIssues(error: z.ZodError, max = 20): { path: string; message: string }[] {
  return zodIssues(error).slice(0, max);
}
