import { z } from 'zod';
import { InvalidConfigError, zodIssues, type ValidationIssue } from '../errors.ts';
import { parseThresholds } from '../metrics/thresholds.ts';
import { durationMsSchema } from './duration.ts';
import { executorSchema } from './executor-schema.ts';
import { deepFreeze } from './deep-freeze.ts';

/**
 * A scenario: what load (executors, k6 names), of what shape (workload), against what stack, with
 * which faults at which times, judged by which thresholds. Written as typed data in scenarios/*.ts
 * (ScenarioInput), validated once by parseScenario into a frozen Scenario (units resolved to ms).
 */
const bounds = { min: z.number().nonnegative().optional(), max: z.number().positive().optional() };
export const distributionSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('fixed'), value: z.number().nonnegative() }).strict(),
    z
      .object({ kind: z.literal('uniform'), min: z.number().nonnegative(), max: z.number().nonnegative() })
      .strict(),
    z
      .object({ kind: z.literal('normal'), mean: z.number(), stddev: z.number().nonnegative(), ...bounds })
      .strict(),
    z
      .object({
        kind: z.literal('lognormal'),
        median: z.number().positive(),
        sigma: z.number().nonnegative(),
        ...bounds,
      })
      .strict(),
  ])
  .superRefine((d, ctx) => {
    if ('min' in d && 'max' in d && d.min !== undefined && d.max !== undefined && d.min > d.max) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['max'],
        message: `max (${d.max}) is below min (${d.min})`,
      });
    }
  });

export const TARGET_KINDS = ['agent', 'openai-chat', 'tgi-generate-stream'] as const;

const workloadSchema = z
  .object({
    /** agent: the agent's turn API; openai-chat / tgi-generate-stream: a bare model server. */
    target: z.enum(TARGET_KINDS).default('agent'),
    /** `model` field of OpenAI-compatible requests. */
    model: z.string().min(1).default('agentload-sim'),
    /** Overrides the endpoint path (e.g. a gateway's prefix). */
    path: z.string().startsWith('/').optional(),
    inputTokens: distributionSchema.default({ kind: 'lognormal', median: 60, sigma: 0.6, min: 8, max: 1500 }),
    maxTokens: distributionSchema.default({ kind: 'uniform', min: 24, max: 96 }),
    /** Share of turns whose prompt makes the model call a tool, 0-1. */
    toolFraction: z.number().min(0).max(1).default(0.2),
    turnsPerSession: distributionSchema.default({ kind: 'fixed', value: 3 }),
    /** Between a turn's end and the next turn of the same session (session-arrivals). */
    thinkTimeSec: distributionSchema.default({ kind: 'lognormal', median: 1, sigma: 0.5, max: 10 }),
    /** Tenant name -> weight; default: every tenant of the stack, equally. */
    tenants: z.record(z.string(), z.number().positive()).optional(),
    stream: z.boolean().default(true),
    requestTimeout: durationMsSchema('requestTimeout').default('60s'),
    /** Upper bound on sockets per target origin. */
    connections: z.number().int().positive().default(256),
  })
  .strict()
  .transform(({ requestTimeout, ...rest }) => ({ ...rest, requestTimeoutMs: requestTimeout }));

const phaseSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'phase names are lower-case words joined by "-"'),
    at: durationMsSchema('phase at'),
    /** Sweep steps: the offered load of the step, so the planner can draw the capacity curve. */
    offeredRatePerSec: z.number().nonnegative().optional(),
    targetConcurrency: z.number().int().nonnegative().optional(),
  })
  .strict()
  .transform(({ at, ...rest }) => ({ ...rest, atMs: at }));

const faultTiming = { at: durationMsSchema('fault at'), label: z.string().optional() };
const faultUnion = z.discriminatedUnion('action', [
  z
    .object({
      action: z.enum(['kill', 'pause', 'resume', 'removeReplica']),
      /** A component id (model-0, agent-1, redis, tools) or a kind (the first running one of it). */
      component: z.string().min(1),
      ...faultTiming,
    })
    .strict(),
  z
    .object({
      action: z.literal('restart'),
      component: z.string().min(1),
      loadTime: durationMsSchema('loadTime').optional(),
      ...faultTiming,
    })
    .strict(),
  z
    .object({
      action: z.literal('addReplica'),
      kind: z.enum(['agent', 'model']),
      loadTime: durationMsSchema('loadTime').optional(),
      ...faultTiming,
    })
    .strict(),
  z
    .object({
      /** A call to a component's admin API (model-server or tools faults), with the stack's admin token. */
      action: z.literal('http'),
      component: z.string().min(1),
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
      path: z.string().startsWith('/'),
      body: z.unknown().optional(),
      ...faultTiming,
    })
    .strict(),
]);
export const faultSchema = faultUnion.transform((f) => {
  const { at, ...rest } = f;
  if ('loadTime' in rest) {
    const { loadTime, ...others } = rest;
    return { ...others, atMs: at, loadTimeMs: loadTime };
  }
  return { ...rest, atMs: at, loadTimeMs: undefined };
});

const stackSchema = z
  .object({
    agentReplicas: z.number().int().positive().default(1),
    modelReplicas: z.number().int().positive().default(1),
    /** Model-server profile `<model>@<gpu>[-tp<N>]` (reference-service/model-server/profiles). */
    profile: z.string().min(1).default('llama-3.1-8b@h100'),
    /** Model server cold start (weights load + warmup) at stack start and on restart. */
    loadTime: durationMsSchema('loadTime').default('0s'),
    /** Model server in-flight limit (TGI --max-concurrent-requests); default the server's (128). */
    maxConcurrentRequests: z.number().int().positive().optional(),
  })
  .strict()
  .transform(({ loadTime, ...rest }) => ({ ...rest, loadTimeMs: loadTime }));

export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'scenario names are lower-case words joined by "-"'),
    description: z.string().default(''),
    seed: z.number().int().nonnegative().default(1),
    executors: z
      .record(
        z.string().regex(/^[0-9a-zA-Z_-]+$/, 'executor names match ^[0-9a-zA-Z_-]+$ (k6)'),
        executorSchema,
      )
      .refine((r) => Object.keys(r).length > 0, 'give at least one executor'),
    workload: workloadSchema.default({}),
    phases: z.array(phaseSchema).default([]),
    faults: z.array(faultSchema).default([]),
    thresholds: z.record(z.string(), z.unknown()).default({}),
    slo: z
      .object({
        ttftMs: z.number().positive().optional(),
        itlMs: z.number().positive().optional(),
        e2eMs: z.number().positive().optional(),
        percentile: z.number().gt(0).max(100).default(95),
        maxErrorRate: z.number().min(0).max(1).optional(),
      })
      .strict()
      .default({}),
    recovery: z
      .object({
        errorRateBar: z.number().min(0).max(1).default(0.05),
        holdSec: z.number().positive().default(3),
      })
      .strict()
      .default({}),
    /** Stop the executors at the end of the first step (phase with offeredRatePerSec) that broke the SLO. */
    stopOnSloBreak: z.boolean().default(false),
    /** Check acknowledged turns against GET /v1/sessions/{id} at the end (agent targets). */
    ledger: z.boolean().default(true),
    /** Report drift (latency and server memory slopes per minute) in drift.json: soak tests. */
    drift: z.boolean().default(false),
    stack: stackSchema.default({}),
  })
  .strict();

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = DeepReadonly<z.output<typeof scenarioSchema>>;
export type WorkloadSpec = Scenario['workload'];
export type FaultSpec = Scenario['faults'][number];
export type PhaseSpec = Scenario['phases'][number];
export type StackNeeds = Scenario['stack'];
export type TargetKind = (typeof TARGET_KINDS)[number];

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** Types a scenario file; validation happens in parseScenario. */
export function defineScenario(input: ScenarioInput): ScenarioInput {
  return input;
}

/** Where the load ends: the last executor's startTime + duration (gracefulStop not included). */
export function loadEndMs(executors: Scenario['executors']): number {
  let endMs = 0;
  for (const c of Object.values(executors)) {
    const lengthMs =
      'durationMs' in c
        ? c.durationMs
        : 'maxDurationMs' in c
          ? c.maxDurationMs
          : c.stages.reduce((a, s) => a + s.durationMs, 0);
    endMs = Math.max(endMs, c.startTimeMs + lengthMs);
  }
  return endMs;
}

function crossChecks(s: z.output<typeof scenarioSchema>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const endMs = loadEndMs(s.executors);
  const seen = new Set<string>();
  s.phases.forEach((p, i) => {
    if (seen.has(p.name))
      issues.push({ path: `phases[${i}].name`, message: `phase "${p.name}" appears twice` });
    seen.add(p.name);
    const prev = s.phases[i - 1];
    if (prev && p.atMs <= prev.atMs) {
      issues.push({ path: `phases[${i}].at`, message: 'phases must be listed in increasing `at` order' });
    }
    if (p.atMs >= endMs) {
      issues.push({
        path: `phases[${i}].at`,
        message: `starts at ${p.atMs} ms, after the load ends (${endMs} ms)`,
      });
    }
  });
  s.faults.forEach((f, i) => {
    if (f.atMs > endMs) {
      issues.push({
        path: `faults[${i}].at`,
        message: `fires at ${f.atMs} ms, after the load ends (${endMs} ms)`,
      });
    }
  });
  const sessionExecutor = Object.values(s.executors).some((e) => e.executor === 'session-arrivals');
  if (sessionExecutor && s.workload.target === 'tgi-generate-stream') {
    issues.push({
      path: 'workload.target',
      message:
        'session-arrivals needs a conversational target (agent or openai-chat), not tgi-generate-stream',
    });
  }
  if (s.stopOnSloBreak && !s.phases.some((p) => p.offeredRatePerSec !== undefined)) {
    issues.push({ path: 'stopOnSloBreak', message: 'needs sweep steps: phases with offeredRatePerSec' });
  }
  return issues;
}

/**
 * Validates a scenario and returns it frozen. Every problem is reported at once, with its path.
 * @throws InvalidConfigError (AL_INVALID_CONFIG)
 */
export function parseScenario(input: unknown, source = 'scenario'): Scenario {
  const parsed = scenarioSchema.safeParse(input);
  const issues = parsed.success ? crossChecks(parsed.data) : zodIssues(parsed.error);
  const thresholds = (input as { thresholds?: unknown } | null)?.thresholds;
  if (thresholds && typeof thresholds === 'object' && !Array.isArray(thresholds)) {
    try {
      parseThresholds(thresholds, 'thresholds');
    } catch (error) {
      if (!(error instanceof InvalidConfigError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (!parsed.success || issues.length > 0) throw new InvalidConfigError(source, issues);
  return deepFreeze(parsed.data) as Scenario;
}
