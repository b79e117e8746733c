/**
 * The JSON report (report.json): a versioned, documented digest of one or more runs, their
 * verdicts, a comparison of two runs, and the gate's verdicts. The zod schema is the type: every
 * writer validates against it, and docs/reports.md documents it field by field.
 * Bump REPORT_SCHEMA_VERSION on any breaking change (a field removed, renamed or retyped).
 */
import { z } from 'zod';
import {
  count,
  nullableNum,
  num,
  phaseSchema,
  stats,
  sweepStepSchema,
  thresholdResultSchema,
} from '../harness/results/validate.ts';
import { gateResultSchema } from './gate-result-schema.ts';

export const REPORT_SCHEMA_VERSION = 1 as const;

/** summary.json's distribution stats, as they are. */
export const distributionSchema = stats;

export const runMetaSchema = z.object({
  id: z.string(),
  scenario: z.string(),
  seed: num,
  startedAt: z.string(),
  endedAt: z.string(),
  durationSec: num,
  target: z.string(),
  stack: z.object({
    kind: z.string(),
    profile: z.string().nullable(),
    agentReplicas: nullableNum,
    modelReplicas: nullableNum,
    gpusPerModelReplica: nullableNum,
    modelServer: z.string(),
    inMemoryState: z.boolean(),
  }),
  versions: z.object({ agentload: z.string(), node: z.string() }),
  segment: z.string().nullable(),
  source: z.string(),
});

/** One SLO target judged at the run level: the SLO percentile of the metric against its limit. */
export const sloVerdictSchema = z.object({
  target: z.enum(['ttft', 'itl', 'e2e', 'errorRate']),
  /** The published metric it was judged on (docs/metrics.md). */
  metric: z.string(),
  percentile: nullableNum,
  limit: num,
  actual: nullableNum,
  ok: z.boolean(),
});

export const thresholdRowSchema = thresholdResultSchema;

/** A phase of summary.json, with `dropped` always present. */
export const phaseRowSchema = phaseSchema
  .omit({ histograms: true, dropped: true })
  .extend({ dropped: count });

/** A sweep step of summary.json, its distributions reduced to p95s, and its SLO verdict. */
export const stepRowSchema = sweepStepSchema
  .pick({
    name: true,
    offeredRatePerSec: true,
    targetConcurrency: true,
    durationSec: true,
    requests: true,
    completed: true,
    failed: true,
    degraded: true,
    dropped: true,
    achievedRatePerSec: true,
    goodputPerSec: true,
    outputTokensPerSec: true,
    errorRate: true,
  })
  .extend({
    ttftP95Ms: num,
    itlP95Ms: num,
    e2eP95Ms: num,
    /** Every SLO target set holds for this step (at the SLO percentile). */
    withinSlo: z.boolean(),
  });

export const sweepSchema = z.object({
  steps: z.array(stepRowSchema),
  /** The step with the highest goodput (requests/s within SLO); null without completed steps. */
  goodputStep: z.string().nullable(),
  goodputPerSec: nullableNum,
});

export const planDigestSchema = z.object({
  peakRatePerSec: nullableNum,
  recommended: z
    .object({
      curveKey: z.string(),
      profile: z.string().nullable(),
      goodputPerReplicaPerSec: nullableNum,
      goodputLowPerSec: nullableNum,
      goodputHighPerSec: nullableNum,
      binding: z.string(),
      censored: z.boolean(),
      replicas: nullableNum,
      afterFailureReplicas: nullableNum,
      gpus: nullableNum,
      nodes: nullableNum,
    })
    .nullable(),
  settings: z
    .object({
      maxConcurrentRequests: nullableNum,
      maxBatchPrefillTokens: nullableNum,
      agentInFlightLimit: nullableNum,
    })
    .nullable(),
  costPerHourUsd: nullableNum,
  perMillionOutputTokensUsd: nullableNum,
  agentReplicas: nullableNum,
  rateLimit: z
    .object({ requestsPerMin: nullableNum, tokensPerMin: nullableNum, concurrency: nullableNum })
    .nullable(),
  autoscaling: z
    .object({
      secondsOverSlo: nullableNum,
      coldStartSec: nullableNum,
      minReplicasForNoOverSlo: nullableNum,
      warmPoolForNoOverSlo: nullableNum,
    })
    .nullable(),
  notes: z.array(z.string()),
});

export const runReportSchema = z.object({
  /** The results directory (or summary.json) as it was given. */
  source: z.string(),
  run: runMetaSchema,
  generator: z.object({
    valid: z.boolean(),
    reasons: z.array(z.string()),
    scheduleLagP99Ms: num,
    eventLoopDelayP99Ms: num,
    cpuPercent: nullableNum,
    cpuPeakPercent: nullableNum.optional(),
  }),
  verdict: z.object({
    ok: z.boolean(),
    thresholdsPassed: count,
    thresholdsFailed: count,
    /** null when the scenario set no SLO target. */
    sloMet: z.boolean().nullable(),
    reasons: z.array(z.string()),
  }),
  slo: z.object({
    percentile: num,
    ttftMs: nullableNum,
    itlMs: nullableNum,
    e2eMs: nullableNum,
    maxErrorRate: nullableNum,
    verdicts: z.array(sloVerdictSchema),
  }),
  thresholds: z.array(thresholdRowSchema),
  counts: z.object({
    requests: count,
    completed: count,
    failed: count,
    dropped: count,
    degraded: count,
    inputTokens: count,
    outputTokens: count,
    goodRequests: count.nullable(),
    turnsAcknowledged: count,
    turnsLost: count.nullable(),
  }),
  rates: z.object({
    requestsPerSec: num,
    completedPerSec: num,
    outputTokensPerSec: num,
    errorRate: num,
    goodputPerSec: num,
  }),
  latency: z.object({
    ttftMs: distributionSchema,
    firstByteMs: distributionSchema,
    itlMs: distributionSchema,
    tpotMs: distributionSchema,
    e2eMs: distributionSchema,
    scheduleLagMs: distributionSchema,
  }),
  errors: z.record(count),
  phases: z.array(phaseRowSchema),
  faults: z.array(
    z.object({
      atSec: num,
      component: z.string(),
      action: z.string(),
      ok: z.boolean(),
      detail: z.string().nullable(),
    }),
  ),
  sweep: sweepSchema.nullable(),
  plan: planDigestSchema.nullable(),
  notes: z.array(z.string()),
});

export const comparisonRowSchema = z.object({
  metric: z.string(),
  stat: z.string(),
  baseline: nullableNum,
  current: nullableNum,
  /** current - baseline, in the metric's unit. */
  delta: nullableNum,
  /** current / baseline - 1; null when the baseline is 0 or missing. */
  relative: nullableNum,
  /** True when the change is in the bad direction (slower, more errors, less throughput). */
  worse: z.boolean(),
});

export const comparisonSchema = z.object({
  baseline: z.string(),
  current: z.string(),
  sameScenario: z.boolean(),
  rows: z.array(comparisonRowSchema),
});

export const reportSchema = z.object({
  kind: z.literal('agentload.report'),
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  /** True when every run's verdict and the gate (when judged) are ok. */
  ok: z.boolean(),
  runs: z.array(runReportSchema).min(1),
  comparison: comparisonSchema.nullable(),
  gate: gateResultSchema.nullable(),
});

export type ReportDocument = z.infer<typeof reportSchema>;
export type RunReport = z.infer<typeof runReportSchema>;
export type SloVerdict = z.infer<typeof sloVerdictSchema>;
export type PhaseRow = z.infer<typeof phaseRowSchema>;
export type StepRow = z.infer<typeof stepRowSchema>;
export type SweepDigest = z.infer<typeof sweepSchema>;
export type PlanDigest = z.infer<typeof planDigestSchema>;
export type Comparison = z.infer<typeof comparisonSchema>;
export type ComparisonRow = z.infer<typeof comparisonRowSchema>;
export type Distribution = z.infer<typeof distributionSchema>;
export type { GateResult, GateRuleVerdict, GateThresholdCheck } from './gate-result-schema.ts';
