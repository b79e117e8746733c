/**
 * A scenario's executors and thresholds as a k6 `options` object.
 *
 * VU sizing (Little's law, L = lambda x W): xk6-sse blocks its VU for the whole stream, so an
 * arrival-rate scenario needs about (peak iterations/s) x (seconds per iteration) VUs busy at
 * once, or k6 drops iterations (dropped_iterations). We pre-allocate
 *   preAllocatedVUs = ceil(peakRatePerSec x iterationSec x safetyFactor)
 * where iterationSec is the expected E2E of one request, or for a session the mean turns x E2E plus
 * (mean turns - 1) x mean think time; never fewer than the scenario's own counts.
 *
 * Rates: k6 wants whole iterations per timeUnit, fixed for the whole scenario, so the timeUnit is
 * the shortest of 1s, 2s, 4s, 5s, 10s, 20s, 30s, 1m, 2m, 5m, 10m, 1h that makes every rate of the
 * executor whole (0.7/s -> 7 per 10s); failing that, rates are rounded per minute (and noted).
 */
import type { ExecutorConfig, StageMs } from '../config/executor-schema.ts';
import { formatDurationMs } from '../config/duration.ts';
import type { Scenario } from '../config/scenario-schema.ts';
import { meanOf } from '../engine/distribution.ts';
import { parseThresholds, type ThresholdSpec } from '../metrics/thresholds.ts';
import type { K6Options, K6Scenario } from './options-schema.ts';

export interface VuSizing {
  /** Expected seconds one request takes end to end; default slo.e2eMs, else 10 s. */
  e2eSec: number;
  /** Multiplies the Little's-law VU count; default 1.5. */
  safetyFactor: number;
}

export interface K6OptionsResult {
  options: K6Options;
  /** What could not be carried over, for the script's header. */
  notes: string[];
  /** The k6 function each scenario runs: 'turn' (one request) or 'session' (a conversation). */
  execs: Record<string, 'turn' | 'session'>;
}

const TIME_UNITS_SEC = [1, 2, 4, 5, 10, 20, 30, 60, 120, 300, 600, 3600];

function timeUnitFor(ratesPerSec: readonly number[]): { unitSec: number; exact: boolean } {
  for (const unitSec of TIME_UNITS_SEC) {
    if (ratesPerSec.every((r) => Math.abs(r * unitSec - Math.round(r * unitSec)) < 1e-9)) {
      return { unitSec, exact: true };
    }
  }
  return { unitSec: 60, exact: false };
}

const d = (ms: number): string => formatDurationMs(Math.round(ms));

function littleVus(ratePerSec: number, iterationSec: number, sizing: VuSizing): number {
  return Math.ceil(ratePerSec * iterationSec * sizing.safetyFactor);
}

function iterationSecOf(scenario: Scenario, exec: 'turn' | 'session', sizing: VuSizing): number {
  if (exec === 'turn') return sizing.e2eSec;
  const turns = Math.max(1, meanOf(scenario.workload.turnsPerSession));
  return turns * sizing.e2eSec + (turns - 1) * meanOf(scenario.workload.thinkTimeSec);
}

function arrivalScenario(
  c: Extract<ExecutorConfig, { preAllocatedVUs: number }>,
  rates: { start: number; stages: readonly StageMs[] } | { constant: number; durationMs: number },
  iterationSec: number,
  sizing: VuSizing,
  notes: string[],
  name: string,
): K6Scenario {
  const all = 'constant' in rates ? [rates.constant] : [rates.start, ...rates.stages.map((s) => s.target)];
  const { unitSec, exact } = timeUnitFor(all);
  if (!exact) notes.push(`${name}: rates rounded to whole iterations per minute`);
  const per = (r: number): number => Math.round(r * unitSec);
  const peak = Math.max(...all);
  const preAllocatedVUs = Math.max(c.preAllocatedVUs, littleVus(peak, iterationSec, sizing), 1);
  const common = {
    timeUnit: d(unitSec * 1000),
    preAllocatedVUs,
    maxVUs: Math.max(c.maxVUs, preAllocatedVUs),
    startTime: d(c.startTimeMs),
    gracefulStop: d(c.gracefulStopMs),
  };
  if ('constant' in rates) {
    return {
      executor: 'constant-arrival-rate',
      rate: per(rates.constant),
      duration: d(rates.durationMs),
      ...common,
    };
  }
  return {
    executor: 'ramping-arrival-rate',
    startRate: per(rates.start),
    stages: rates.stages.map((s) => ({ duration: d(s.durationMs), target: per(s.target) })),
    ...common,
  };
}

function k6Scenario(
  name: string,
  c: ExecutorConfig,
  scenario: Scenario,
  sizing: VuSizing,
  notes: string[],
): K6Scenario {
  const timing = { startTime: d(c.startTimeMs), gracefulStop: d(c.gracefulStopMs) };
  switch (c.executor) {
    case 'constant-vus':
      return { executor: 'constant-vus', vus: c.vus, duration: d(c.durationMs), ...timing };
    case 'per-vu-iterations':
      return {
        executor: 'per-vu-iterations',
        vus: c.vus,
        iterations: c.iterations,
        maxDuration: d(c.maxDurationMs),
        ...timing,
      };
    case 'ramping-vus':
      return {
        executor: 'ramping-vus',
        startVUs: c.startVUs,
        stages: c.stages.map((s) => ({ duration: d(s.durationMs), target: Math.round(s.target) })),
        gracefulRampDown: d(c.gracefulRampDownMs),
        ...timing,
      };
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const rates =
        c.executor === 'constant-arrival-rate'
          ? { constant: c.ratePerSec, durationMs: c.durationMs }
          : { start: c.startRatePerSec, stages: c.stages };
      return arrivalScenario(c, rates, iterationSecOf(scenario, 'turn', sizing), sizing, notes, name);
    }
    case 'session-arrivals': {
      notes.push(
        `${name}: session-arrivals runs as a k6 arrival-rate scenario of whole conversations; k6 spaces ` +
          `arrivals evenly, so ${c.arrival === 'poisson' ? 'Poisson' : 'the'} arrivals become uniform ones`,
      );
      const flat = c.stages.length === 1 && c.stages[0]!.target === c.startRatePerSec;
      const rates = flat
        ? { constant: c.startRatePerSec, durationMs: c.stages[0]!.durationMs }
        : { start: c.startRatePerSec, stages: c.stages };
      return arrivalScenario(c, rates, iterationSecOf(scenario, 'session', sizing), sizing, notes, name);
    }
  }
}

type K6Threshold = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string };

/** Our threshold metrics that k6 measures under another name and aggregation (docs/metrics.md). */
const RENAMED: Partial<Record<string, { metric: string; aggregation: string; why: string }>> = {
  output_tokens_per_sec: { metric: 'output_tokens', aggregation: 'rate', why: 'a Counter rate is tokens/s' },
  goodput_per_sec: { metric: 'good_requests', aggregation: 'rate', why: 'a Counter rate is good requests/s' },
};
export const NOT_IN_K6: Partial<Record<string, string>> = {
  turns_lost: 'needs the session audit after the run, which k6 cannot do',
  schedule_lag_ms:
    'k6 has no scheduled time per request; dropped_iterations is its coordinated-omission signal',
};

function k6Thresholds(specs: readonly ThresholdSpec[], notes: string[]): Record<string, K6Threshold[]> {
  const out: Record<string, K6Threshold[]> = {};
  for (const spec of specs) {
    const missing = NOT_IN_K6[spec.metric];
    if (missing) {
      notes.push(`threshold ${spec.metric} ${spec.expression} left out: ${missing}`);
      continue;
    }
    const renamed = RENAMED[spec.metric];
    const metric = renamed?.metric ?? spec.metric;
    const expression = renamed ? `${renamed.aggregation}${spec.operator}${spec.value}` : spec.expression;
    if (renamed)
      notes.push(
        `threshold ${spec.metric} ${spec.expression} becomes ${metric} ${expression} (${renamed.why})`,
      );
    const entry: K6Threshold =
      spec.abortOnFail || spec.delayAbortEvalMs > 0
        ? {
            threshold: expression,
            ...(spec.abortOnFail ? { abortOnFail: true } : {}),
            ...(spec.delayAbortEvalMs > 0 ? { delayAbortEval: d(spec.delayAbortEvalMs) } : {}),
          }
        : expression;
    (out[metric] ??= []).push(entry);
  }
  return out;
}

/** The k6 options of a validated scenario (executors, thresholds, tags). */
export function k6Options(scenario: Scenario, sizing: VuSizing): K6OptionsResult {
  const notes: string[] = [];
  const scenarios: Record<string, K6Scenario> = {};
  const execs: Record<string, 'turn' | 'session'> = {};
  for (const [name, config] of Object.entries(scenario.executors)) {
    const c = config as ExecutorConfig;
    execs[name] = c.executor === 'session-arrivals' ? 'session' : 'turn';
    scenarios[name] = { ...k6Scenario(name, c, scenario, sizing, notes), exec: execs[name] };
    if ('lateToleranceMs' in c) {
      notes.push(
        `${name}: lateTolerance has no k6 equivalent (k6 drops an iteration only when no VU is free)`,
      );
    }
  }
  const thresholds = k6Thresholds(parseThresholds(scenario.thresholds), notes);
  const options: K6Options = {
    scenarios,
    tags: { agentload_scenario: scenario.name },
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  };
  if (Object.keys(thresholds).length > 0) options.thresholds = thresholds;
  return { options, notes: [...new Set(notes)], execs };
}
