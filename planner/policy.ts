/** Planning policy: validated once (zod), defaults filled in, frozen. */
import { z } from 'zod';
import { InvalidConfigError, zodIssues } from '../harness/errors.ts';
import type { Policy, Redundancy } from './types.ts';

const positive = z.number().finite().positive();
const nonNegative = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();

const redundancySchema = z
  .string()
  .regex(/^(none|n\+1|zones:[0-9]+)$/, 'use none, n+1 or zones:<N> (N >= 2)')
  .refine((s) => !s.startsWith('zones:') || Number(s.slice(6)) >= 2, 'zones needs at least 2');

export const policySchema = z
  .object({
    utilizationTarget: z.number().gt(0).lte(1).default(0.8),
    redundancy: redundancySchema.default('n+1'),
    gpusPerReplica: z.number().int().positive().optional(),
    gpusPerNode: z.number().int().positive().default(8),
    gpuHourUsd: nonNegative.optional(),
    gpuHourUsdByGpu: z.record(nonNegative).optional(),
    agentReplicaHourUsd: nonNegative.optional(),
    regions: z
      .array(z.object({ name: z.string().min(1), demandShare: z.number().gt(0).lte(1) }).strict())
      .min(1)
      .optional(),
    coldStartSec: nonNegative.optional(),
    autoscaler: z
      .object({
        minReplicas: count.default(1),
        maxReplicas: z.number().int().positive().default(1000),
        windowSec: positive.default(60),
        scaleDownDelaySec: nonNegative.default(300),
        warmPool: count.default(0),
        warmStartSec: nonNegative.default(10),
        stepSec: positive.default(1),
      })
      .strict()
      .default({}),
    prefillCostRatio: nonNegative.optional(),
    oversubscription: z.number().gte(1).default(1),
    hostedApi: z
      .object({
        name: z.string().min(1),
        requestsPerMin: positive,
        tokensPerMin: positive.optional(),
        inputTokensPerMin: positive.optional(),
        outputTokensPerMin: positive.optional(),
        maxTokens: positive.optional(),
      })
      .strict()
      .optional(),
    bootstrapIterations: count.default(1000),
    confidence: z.number().gt(0).lt(1).default(0.95),
    seed: z.number().int().default(1),
  })
  .strict();

export type PolicyInput = z.input<typeof policySchema>;

function parseRedundancy(value: string): Redundancy {
  if (value === 'none') return { kind: 'none' };
  if (value === 'n+1') return { kind: 'n+1' };
  return { kind: 'zones', zones: Number(value.slice('zones:'.length)) };
}

/** Validates a policy (file values already merged with flags), fills defaults, freezes it. */
export function resolvePolicy(value: unknown, source = 'policy'): Policy {
  const parsed = policySchema.safeParse(value ?? {});
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    throw new InvalidConfigError(source, issues, 'See docs/planner.md "Policy" for the fields and defaults.');
  }
  const p = parsed.data;
  const regionShare = (p.regions ?? []).reduce((s, r) => s + r.demandShare, 0);
  if (p.regions !== undefined && Math.abs(regionShare - 1) > 1e-6) {
    throw new InvalidConfigError(source, [
      { path: 'regions', message: `demand shares sum to ${regionShare}, not 1` },
    ]);
  }
  const policy: Policy = { ...p, redundancy: parseRedundancy(p.redundancy), autoscaler: { ...p.autoscaler } };
  return Object.freeze(policy);
}
