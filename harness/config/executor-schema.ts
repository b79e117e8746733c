import { z } from 'zod';
import { durationMsSchema } from './duration.ts';

/**
 * Executor options with k6's names, defaults and validation rules (k6 lib/executor/*.go). Durations
 * are k6 strings ("30s", "1m30s") or seconds; the parsed config carries milliseconds (`...Ms`).
 */
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

const base = {
  startTime: durationMsSchema('startTime').default('0s'),
  gracefulStop: durationMsSchema('gracefulStop').default('30s'),
};

/** Open models also drop what they reach later than this after its due time (never send it late). */
const openModel = {
  preAllocatedVUs: nonNegativeInt,
  maxVUs: positiveInt.optional(),
  timeUnit: durationMsSchema('timeUnit').default('1s'),
  lateTolerance: durationMsSchema('lateTolerance').default('500ms'),
};

const stage = z
  .object({ duration: durationMsSchema('stage duration'), target: z.number().nonnegative() })
  .strict();

/**
 * The highest offered rate, per second after timeUnit, that an open-model executor
 * (constant-arrival-rate, ramping-arrival-rate, session-arrivals) accepts in its rate, startRate or
 * any stage target. A process schedules every arrival one by one, so a rate far past what it can
 * send (tens of thousands a second, docs/engine-client.md) only burns CPU counting drops; a value
 * above this is taken for a typo.
 */
export const MAX_RATE_PER_SEC = 1_000_000;

export const constantArrivalRateSchema = z
  .object({
    executor: z.literal('constant-arrival-rate'),
    rate: z.number().positive(),
    duration: durationMsSchema('duration'),
    ...openModel,
    ...base,
  })
  .strict();

export const rampingArrivalRateSchema = z
  .object({
    executor: z.literal('ramping-arrival-rate'),
    startRate: z.number().nonnegative().default(0),
    stages: z.array(stage).min(1),
    ...openModel,
    ...base,
  })
  .strict();

export const constantVusSchema = z
  .object({
    executor: z.literal('constant-vus'),
    vus: positiveInt.default(1),
    duration: durationMsSchema('duration'),
    ...base,
  })
  .strict();

export const rampingVusSchema = z
  .object({
    executor: z.literal('ramping-vus'),
    startVUs: nonNegativeInt.default(1),
    stages: z.array(stage).min(1),
    gracefulRampDown: durationMsSchema('gracefulRampDown').default('30s'),
    ...base,
  })
  .strict();

export const perVuIterationsSchema = z
  .object({
    executor: z.literal('per-vu-iterations'),
    vus: positiveInt.default(1),
    iterations: positiveInt.default(1),
    maxDuration: durationMsSchema('maxDuration').default('10m'),
    ...base,
  })
  .strict();

/**
 * Open-loop arrivals of whole conversations: each iteration is a session of several turns with think
 * time between them. Either `rate` + `duration`, or `startRate` + `stages` (sessions per timeUnit).
 */
export const sessionArrivalsSchema = z
  .object({
    executor: z.literal('session-arrivals'),
    rate: z.number().positive().optional(),
    duration: durationMsSchema('duration').optional(),
    startRate: z.number().nonnegative().optional(),
    stages: z.array(stage).min(1).optional(),
    arrival: z.enum(['poisson', 'uniform']).default('poisson'),
    ...openModel,
    ...base,
  })
  .strict();

/** An open model's highest rate (per timeUnit) and the field that sets it, for the MAX_RATE_PER_SEC check. */
function peakRate(c: {
  rate?: number | undefined;
  startRate?: number | undefined;
  stages?: readonly { target: number }[] | undefined;
}): { field: 'rate' | 'startRate' | 'stages'; rate: number } {
  let peak: { field: 'rate' | 'startRate' | 'stages'; rate: number } = { field: 'rate', rate: c.rate ?? 0 };
  if (c.startRate !== undefined && c.startRate > peak.rate) peak = { field: 'startRate', rate: c.startRate };
  for (const s of c.stages ?? []) if (s.target > peak.rate) peak = { field: 'stages', rate: s.target };
  return peak;
}

const rawExecutorSchema = z
  .discriminatedUnion('executor', [
    constantArrivalRateSchema,
    rampingArrivalRateSchema,
    constantVusSchema,
    rampingVusSchema,
    perVuIterationsSchema,
    sessionArrivalsSchema,
  ])
  .superRefine((c, ctx) => {
    const issue = (path: string, message: string) =>
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    if ('maxVUs' in c && c.maxVUs !== undefined && c.maxVUs < c.preAllocatedVUs) {
      issue('maxVUs', `maxVUs (${c.maxVUs}) must be at least preAllocatedVUs (${c.preAllocatedVUs})`);
    }
    if ('maxVUs' in c && c.preAllocatedVUs === 0 && !c.maxVUs) {
      issue('preAllocatedVUs', 'an open-model executor needs preAllocatedVUs > 0 or maxVUs > 0');
    }
    if ('duration' in c && c.duration !== undefined && c.duration < 1000) {
      issue('duration', 'duration must be at least 1s (k6 minDuration)');
    }
    if (c.executor === 'ramping-vus' && c.startVUs === 0 && c.stages.every((s) => s.target === 0)) {
      issue('stages', 'ramping-vus needs startVUs > 0 or at least one stage with target > 0');
    }
    if (c.executor === 'ramping-arrival-rate' && c.startRate === 0 && c.stages.every((s) => s.target === 0)) {
      issue('stages', 'ramping-arrival-rate needs startRate > 0 or at least one stage with target > 0');
    }
    if ('timeUnit' in c) {
      const peak = peakRate(c);
      const peakPerSec = (peak.rate * 1000) / c.timeUnit;
      if (peakPerSec > MAX_RATE_PER_SEC) {
        issue(
          peak.field,
          `a peak of ${peakPerSec} per second is more than the ${MAX_RATE_PER_SEC} one executor accepts ` +
            '(one generator process sends tens of thousands of requests/s at most); lower it, or ' +
            'split the load across processes (--segment, or agentload export k6)',
        );
      }
    }
    if (c.executor === 'session-arrivals') {
      const constant = c.rate !== undefined || c.duration !== undefined;
      const staged = c.stages !== undefined || c.startRate !== undefined;
      if (constant === staged || (constant && (c.rate === undefined || c.duration === undefined))) {
        issue(
          'rate',
          'session-arrivals takes either rate + duration, or stages (with an optional startRate)',
        );
      }
    }
  });

/** Validated k6 options, before units are resolved. */
type RawExecutor = z.output<typeof rawExecutorSchema>;

export interface StageMs {
  durationMs: number;
  /** Target at the stage's end: iterations (or sessions) per second for rates, VUs for ramping-vus. */
  target: number;
}

interface TimingMs {
  startTimeMs: number;
  gracefulStopMs: number;
}

interface OpenModelMs extends TimingMs {
  preAllocatedVUs: number;
  maxVUs: number;
  lateToleranceMs: number;
}

export interface ConstantArrivalRateConfig extends OpenModelMs {
  executor: 'constant-arrival-rate';
  ratePerSec: number;
  durationMs: number;
}
export interface RampingArrivalRateConfig extends OpenModelMs {
  executor: 'ramping-arrival-rate';
  startRatePerSec: number;
  /** Targets in iterations per second. */
  stages: readonly StageMs[];
}
export interface ConstantVusConfig extends TimingMs {
  executor: 'constant-vus';
  vus: number;
  durationMs: number;
}
export interface RampingVusConfig extends TimingMs {
  executor: 'ramping-vus';
  startVUs: number;
  /** Targets in VUs. */
  stages: readonly StageMs[];
  gracefulRampDownMs: number;
}
export interface PerVuIterationsConfig extends TimingMs {
  executor: 'per-vu-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
export interface SessionArrivalsConfig extends OpenModelMs {
  executor: 'session-arrivals';
  arrival: 'poisson' | 'uniform';
  startRatePerSec: number;
  /** Targets in sessions per second; `rate` + `duration` becomes one flat stage. */
  stages: readonly StageMs[];
}

export type ExecutorConfig =
  | ConstantArrivalRateConfig
  | RampingArrivalRateConfig
  | ConstantVusConfig
  | RampingVusConfig
  | PerVuIterationsConfig
  | SessionArrivalsConfig;
export type ExecutorName = ExecutorConfig['executor'];
export type ConfigOf<N extends ExecutorName> = Extract<ExecutorConfig, { executor: N }>;

/** Per timeUnit -> per second; stages the same way; maxVUs defaults to preAllocatedVUs (k6). */
function resolveUnits(c: RawExecutor): ExecutorConfig {
  const timing = { startTimeMs: c.startTime, gracefulStopMs: c.gracefulStop };
  const open = (o: { preAllocatedVUs: number; maxVUs?: number | undefined; lateTolerance: number }) => ({
    ...timing,
    preAllocatedVUs: o.preAllocatedVUs,
    maxVUs: o.maxVUs ?? o.preAllocatedVUs,
    lateToleranceMs: o.lateTolerance,
  });
  const perSec = (rate: number, timeUnitMs: number) => (rate * 1000) / timeUnitMs;
  const stagesOf = (stages: { duration: number; target: number }[], scale: (n: number) => number) =>
    stages.map((s) => ({ durationMs: s.duration, target: scale(s.target) }));
  switch (c.executor) {
    case 'constant-arrival-rate':
      return {
        executor: c.executor,
        ...open(c),
        ratePerSec: perSec(c.rate, c.timeUnit),
        durationMs: c.duration,
      };
    case 'ramping-arrival-rate':
      return {
        executor: c.executor,
        ...open(c),
        startRatePerSec: perSec(c.startRate, c.timeUnit),
        stages: stagesOf(c.stages, (t) => perSec(t, c.timeUnit)),
      };
    case 'constant-vus':
      return { executor: c.executor, ...timing, vus: c.vus, durationMs: c.duration };
    case 'ramping-vus':
      return {
        executor: c.executor,
        ...timing,
        startVUs: c.startVUs,
        stages: stagesOf(c.stages, (t) => t),
        gracefulRampDownMs: c.gracefulRampDown,
      };
    case 'per-vu-iterations':
      return {
        executor: c.executor,
        ...timing,
        vus: c.vus,
        iterations: c.iterations,
        maxDurationMs: c.maxDuration,
      };
    case 'session-arrivals': {
      const flat = c.rate !== undefined && c.duration !== undefined;
      const rate = perSec(c.rate ?? 0, c.timeUnit);
      return {
        executor: c.executor,
        ...open(c),
        arrival: c.arrival,
        startRatePerSec: flat ? rate : perSec(c.startRate ?? 0, c.timeUnit),
        stages: flat
          ? [{ durationMs: c.duration!, target: rate }]
          : stagesOf(c.stages ?? [], (t) => perSec(t, c.timeUnit)),
      };
    }
  }
}

export const executorSchema = rawExecutorSchema.transform(resolveUnits);
export type ExecutorInput = z.input<typeof executorSchema>;
