/**
 * plan.json as the reports read it: only the fields a report shows, each checked, every other
 * field let through. plan.json is written with Infinity as null (planner/run-plan.ts jsonSafe),
 * so numbers here may be null.
 */
import { z } from 'zod';

const n = z.number().finite().nullable();
const reasoning = z.array(z.object({ name: z.string(), formula: z.string() }).passthrough());

const option = z
  .object({
    curveKey: z.string(),
    profile: z.string().nullable(),
    goodput: z
      .object({
        ratePerSec: n,
        status: z.enum(['within', 'censored']),
        binding: z.string(),
        concurrency: n,
        offeredPerReplica: n,
        ci: z.object({ lowPerSec: n, highPerSec: n, confidence: n }).passthrough().nullable(),
      })
      .passthrough(),
    regions: z.array(
      z
        .object({
          name: z.string(),
          demandShare: n,
          ratePerSec: n,
          size: z.object({ replicas: n, gpus: n, nodes: n, peakUtilization: n }).passthrough(),
        })
        .passthrough(),
    ),
    totals: z.object({ replicas: n, afterFailureReplicas: n, gpus: n, nodes: n }),
    reasoning,
  })
  .passthrough();

const limitsRow = z.object({ requestsPerMin: n, tokensPerMin: n, concurrency: n }).passthrough();

export const planFileSchema = z
  .object({
    kind: z.literal('agentload.capacity-plan'),
    schemaVersion: z.literal(1),
    inputs: z
      .object({
        demand: z.record(z.unknown()),
        policy: z
          .object({
            autoscaler: z.object({ minReplicas: n, maxReplicas: n, stepSec: n, warmPool: n }).passthrough(),
          })
          .passthrough(),
      })
      .passthrough(),
    demand: z
      .object({
        peakRatePerSec: n,
        meanRatePerSec: n,
        maxRatePerSec: n,
        meanInputTokens: n,
        meanOutputTokens: n,
      })
      .passthrough(),
    options: z.array(option),
    recommended: z.number().int().nonnegative().nullable(),
    settings: z
      .object({ maxConcurrentRequests: n, maxBatchPrefillTokens: n, agentInFlightLimit: n })
      .passthrough()
      .nullable(),
    cost: z
      .object({ costPerHourUsd: n, perMillionOutputTokensAtPeakUsd: n, autoscaledCostPerHourUsd: n })
      .passthrough()
      .nullable(),
    agent: z
      .object({ basis: z.string(), size: z.object({ replicas: n }).passthrough() })
      .passthrough()
      .nullable(),
    rateLimits: z
      .object({ global: limitsRow, tenants: z.array(limitsRow.extend({ name: z.string() })) })
      .passthrough()
      .nullable(),
    autoscaling: z
      .object({
        coldStartSec: n,
        stepSec: n,
        horizonSec: n,
        run: z
          .object({ secondsOverSlo: n, firstOverSloSec: n, meanReadyReplicas: n, peakReadyReplicas: n })
          .passthrough(),
        minReplicasForNoOverSlo: n,
        warmPoolForNoOverSlo: n,
      })
      .passthrough()
      .nullable(),
    whatIf: z
      .array(
        z
          .object({
            profile: z.string(),
            gpu: z.string(),
            gpusPerReplica: n,
            goodputPerReplica: n,
            replicas: n,
            gpus: n,
            costPerHourUsd: n,
          })
          .passthrough(),
      )
      .nullable(),
    notes: z.array(z.string()),
  })
  .passthrough();

export type PlanFile = z.infer<typeof planFileSchema>;
export type PlanFileOption = PlanFile['options'][number];
