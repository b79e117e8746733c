import { z } from 'zod';

/**
 * k6's own `options` object as k6 validates it (grafana/k6 lib/executor/*.go Validate(), k6-docs
 * "scenarios" and "thresholds"; see shared/reference/k6-and-testcontainers.md §1.2-1.3), written
 * from the reference rather than from our executor schema, so an exported script is checked
 * against what k6 will accept and not against what we meant. Defaults are k6's; a missing field
 * k6 requires is an error here too.
 */

/** Go/k6 duration strings: "0", "500ms", "1m30s", "1.5h". */
const GO_DURATION = /^(?:0|(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/;
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export function goDurationMs(text: string): number | null {
  if (!GO_DURATION.test(text)) return null;
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms;
}

/** k6 lib/executor/constant_vus.go minDuration. */
const MIN_DURATION_MS = 1000;

const duration = z
  .string()
  .refine((s) => goDurationMs(s) !== null, 'must be a k6 duration like "30s" or "1m30s"');
const longDuration = duration.refine(
  (s) => (goDurationMs(s) ?? 0) >= MIN_DURATION_MS,
  'must be at least 1s (k6 minDuration)',
);
const positiveDuration = duration.refine((s) => (goDurationMs(s) ?? 0) > 0, 'must be more than 0');
const nonNegativeInt = z.number().int().nonnegative();
const positiveInt = z.number().int().positive();

const base = {
  startTime: duration.optional(),
  gracefulStop: duration.optional(),
  exec: z.string().min(1, 'exec must not be empty').optional(),
  env: z.record(z.string(), z.string()).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  options: z.object({ browser: z.unknown().optional() }).strict().optional(),
};

const stage = z.object({ duration, target: nonNegativeInt }).strict();

const sharedIterations = z
  .object({
    executor: z.literal('shared-iterations'),
    vus: positiveInt.optional(),
    iterations: positiveInt.optional(),
    maxDuration: longDuration.optional(),
    ...base,
  })
  .strict()
  .refine((s) => (s.iterations ?? 1) >= (s.vus ?? 1), {
    message: 'iterations must be at least vus',
    path: ['iterations'],
  });

const perVuIterations = z
  .object({
    executor: z.literal('per-vu-iterations'),
    vus: positiveInt.optional(),
    iterations: positiveInt.optional(),
    maxDuration: longDuration.optional(),
    ...base,
  })
  .strict();

const constantVus = z
  .object({
    executor: z.literal('constant-vus'),
    vus: positiveInt.optional(),
    duration: longDuration,
    ...base,
  })
  .strict();

const rampingVus = z
  .object({
    executor: z.literal('ramping-vus'),
    startVUs: nonNegativeInt.optional(),
    stages: z.array(stage).min(1),
    gracefulRampDown: duration.optional(),
    ...base,
  })
  .strict()
  .refine((s) => (s.startVUs ?? 1) > 0 || s.stages.some((st) => st.target > 0), {
    message: 'either startVUs or one stage target must be above 0',
    path: ['stages'],
  });

const arrivalVus = {
  preAllocatedVUs: nonNegativeInt,
  maxVUs: nonNegativeInt.optional(),
  timeUnit: positiveDuration.optional(),
};
const maxVusRule = {
  check: (s: { preAllocatedVUs: number; maxVUs?: number | undefined }) =>
    s.maxVUs === undefined || s.maxVUs >= s.preAllocatedVUs,
  issue: { message: "maxVUs can't be less than preAllocatedVUs", path: ['maxVUs'] },
};
const someVusRule = {
  check: (s: { preAllocatedVUs: number; maxVUs?: number | undefined }) =>
    s.preAllocatedVUs > 0 || (s.maxVUs ?? 0) > 0,
  issue: { message: 'preAllocatedVUs or maxVUs must be above 0', path: ['preAllocatedVUs'] },
};

const constantArrivalRate = z
  .object({
    executor: z.literal('constant-arrival-rate'),
    rate: positiveInt,
    duration: longDuration,
    ...arrivalVus,
    ...base,
  })
  .strict()
  .refine(maxVusRule.check, maxVusRule.issue)
  .refine(someVusRule.check, someVusRule.issue);

const rampingArrivalRate = z
  .object({
    executor: z.literal('ramping-arrival-rate'),
    startRate: nonNegativeInt.optional(),
    stages: z.array(stage).min(1),
    ...arrivalVus,
    ...base,
  })
  .strict()
  .refine(maxVusRule.check, maxVusRule.issue)
  .refine(someVusRule.check, someVusRule.issue)
  .refine((s) => (s.startRate ?? 0) > 0 || s.stages.some((st) => st.target > 0), {
    message: 'either startRate or one stage target must be above 0',
    path: ['stages'],
  });

/** k6 v1's externally-controlled executor is left out: v2 removed it. */
export const k6ScenarioSchema = z.union([
  sharedIterations,
  perVuIterations,
  constantVus,
  rampingVus,
  constantArrivalRate,
  rampingArrivalRate,
]);

const THRESHOLD_EXPRESSION =
  /^\s*(avg|min|max|med|count|rate|value|p\(\s*\d+(?:\.\d+)?\s*\))\s*(===|==|!=|<=|>=|<|>)\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$/;
const expression = z.string().regex(THRESHOLD_EXPRESSION, 'must read `<aggregation> <operator> <number>`');
const thresholdEntry = z.union([
  expression,
  z
    .object({
      threshold: expression,
      abortOnFail: z.boolean().optional(),
      delayAbortEval: duration.optional(),
    })
    .strict(),
]);

/** Metric names (k6 metrics.checkName) with an optional `{tag:value}` sub-metric selector. */
const METRIC_KEY = /^[\p{L}\p{N}._ !?/&#()<>%-]{1,128}(?:\{[^{}]+\})?$/u;

export const k6OptionsSchema = z
  .object({
    scenarios: z
      .record(z.string().regex(/^[0-9a-zA-Z_-]+$/, 'scenario names match ^[0-9a-zA-Z_-]+$'), k6ScenarioSchema)
      .refine((r) => Object.keys(r).length > 0, 'give at least one scenario'),
    thresholds: z
      .record(z.string().regex(METRIC_KEY, 'not a k6 metric name'), z.array(thresholdEntry).min(1))
      .optional(),
    tags: z.record(z.string(), z.string()).optional(),
    summaryTrendStats: z.array(z.string()).optional(),
    setupTimeout: duration.optional(),
    teardownTimeout: duration.optional(),
  })
  .strict();

export type K6Options = z.infer<typeof k6OptionsSchema>;
export type K6Scenario = z.infer<typeof k6ScenarioSchema>;
