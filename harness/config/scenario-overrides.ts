import type { Scenario } from './scenario-schema.ts';
import { loadEndMs, parseScenario } from './scenario-schema.ts';
import type { ExecutorConfig } from './executor-schema.ts';

/** CLI overrides (--duration, --rate, --vus, --seed), applied to a parsed scenario. */
export interface ScenarioOverrides {
  /** New load length; the whole timeline (stages, phases, faults, load times) is scaled to it. */
  durationSec?: number;
  /** New base rate, per second: every rate of every open-model executor scales by rate / its base. */
  ratePerSec?: number;
  /** VUs of closed models; for open models, the maxVUs cap (preAllocatedVUs clipped to it). */
  vus?: number;
  seed?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

/**
 * Returns a new frozen scenario with the overrides applied. Scaling time keeps a fault scenario's
 * shape: an outage at 10 s of 30 s lands at 4 s of 12 s. Validation runs again on the result.
 */
export function applyOverrides(scenario: Scenario, o: ScenarioOverrides): Scenario {
  const s = structuredClone(scenario) as Mutable<Scenario>;
  if (o.seed !== undefined) s.seed = o.seed;
  if (o.durationSec !== undefined) {
    const f = (o.durationSec * 1000) / loadEndMs(scenario.executors);
    for (const c of Object.values(s.executors)) scaleExecutorTime(c as ExecutorConfig, f);
    for (const p of s.phases) p.atMs *= f;
    for (const x of s.faults) {
      x.atMs *= f;
      if (x.loadTimeMs !== undefined) x.loadTimeMs *= f;
    }
    s.stack.loadTimeMs *= f;
  }
  if (o.ratePerSec !== undefined) {
    for (const c of Object.values(s.executors)) scaleRate(c as ExecutorConfig, o.ratePerSec);
    const base = baseRateOf(Object.values(scenario.executors) as ExecutorConfig[]);
    if (base)
      for (const p of s.phases)
        if (p.offeredRatePerSec !== undefined) p.offeredRatePerSec *= o.ratePerSec / base;
  }
  if (o.vus !== undefined) for (const c of Object.values(s.executors)) setVus(c as ExecutorConfig, o.vus);
  return parseScenario(toInput(s as Scenario), `scenario ${scenario.name} with overrides`);
}

function scaleExecutorTime(c: ExecutorConfig, f: number): void {
  c.startTimeMs *= f;
  if ('durationMs' in c) c.durationMs *= f;
  if ('maxDurationMs' in c) c.maxDurationMs *= f;
  if ('stages' in c) for (const st of c.stages) st.durationMs *= f;
}

/** The rate an executor starts from: its rate, else its start rate, else its first non-zero target. */
function baseRate(c: ExecutorConfig): number | null {
  if (c.executor === 'constant-arrival-rate') return c.ratePerSec;
  if (c.executor === 'ramping-arrival-rate' || c.executor === 'session-arrivals') {
    return c.startRatePerSec > 0 ? c.startRatePerSec : (c.stages.find((st) => st.target > 0)?.target ?? null);
  }
  return null;
}

function baseRateOf(all: ExecutorConfig[]): number | null {
  for (const c of all) {
    const r = baseRate(c);
    if (r) return r;
  }
  return null;
}

function scaleRate(c: ExecutorConfig, ratePerSec: number): void {
  const base = baseRate(c);
  if (!base) return;
  const f = ratePerSec / base;
  if (c.executor === 'constant-arrival-rate') c.ratePerSec *= f;
  if (c.executor === 'ramping-arrival-rate' || c.executor === 'session-arrivals') {
    c.startRatePerSec *= f;
    for (const st of c.stages) st.target *= f;
  }
}

function setVus(c: ExecutorConfig, vus: number): void {
  switch (c.executor) {
    case 'constant-vus':
    case 'per-vu-iterations':
      c.vus = vus;
      return;
    case 'ramping-vus': {
      const peak = Math.max(c.startVUs, ...c.stages.map((st) => st.target));
      const f = peak > 0 ? vus / peak : 1;
      c.startVUs = Math.round(c.startVUs * f);
      for (const st of c.stages) st.target = Math.round(st.target * f);
      return;
    }
    default:
      c.maxVUs = vus;
      c.preAllocatedVUs = Math.min(c.preAllocatedVUs, vus);
  }
}

/** A parsed scenario back in input form (ms and per-second units written as k6 options). */
export function toInput(s: Scenario): unknown {
  const ms = (v: number) => `${Math.round(v)}ms`;
  const executors = Object.fromEntries(
    Object.entries(s.executors).map(([name, c]) => [name, executorInput(c as ExecutorConfig, ms)]),
  );
  const { requestTimeoutMs, ...workload } = s.workload;
  return {
    ...s,
    executors,
    workload: { ...workload, requestTimeout: ms(requestTimeoutMs) },
    phases: s.phases.map(({ atMs, ...p }) => ({ ...p, at: ms(atMs) })),
    faults: s.faults.map(({ atMs, loadTimeMs, ...f }) => ({
      ...f,
      at: ms(atMs),
      ...(loadTimeMs === undefined ? {} : { loadTime: ms(loadTimeMs) }),
    })),
    stack: (({ loadTimeMs, ...st }) => ({ ...st, loadTime: ms(loadTimeMs) }))(s.stack),
  };
}

function executorInput(c: ExecutorConfig, ms: (v: number) => string): Record<string, unknown> {
  const timing = { startTime: ms(c.startTimeMs), gracefulStop: ms(c.gracefulStopMs) };
  const open = (o: { preAllocatedVUs: number; maxVUs: number; lateToleranceMs: number }) => ({
    preAllocatedVUs: o.preAllocatedVUs,
    maxVUs: o.maxVUs,
    lateTolerance: ms(o.lateToleranceMs),
    timeUnit: '1s',
  });
  const stages = (st: readonly { durationMs: number; target: number }[]) =>
    st.map((x) => ({ duration: ms(x.durationMs), target: x.target }));
  switch (c.executor) {
    case 'constant-arrival-rate':
      return { executor: c.executor, rate: c.ratePerSec, duration: ms(c.durationMs), ...open(c), ...timing };
    case 'ramping-arrival-rate':
      return {
        executor: c.executor,
        startRate: c.startRatePerSec,
        stages: stages(c.stages),
        ...open(c),
        ...timing,
      };
    case 'session-arrivals':
      return {
        executor: c.executor,
        arrival: c.arrival,
        startRate: c.startRatePerSec,
        stages: stages(c.stages),
        ...open(c),
        ...timing,
      };
    case 'constant-vus':
      return { executor: c.executor, vus: c.vus, duration: ms(c.durationMs), ...timing };
    case 'ramping-vus':
      return {
        executor: c.executor,
        startVUs: c.startVUs,
        stages: stages(c.stages),
        gracefulRampDown: ms(c.gracefulRampDownMs),
        ...timing,
      };
    case 'per-vu-iterations':
      return {
        executor: c.executor,
        vus: c.vus,
        iterations: c.iterations,
        maxDuration: ms(c.maxDurationMs),
        ...timing,
      };
  }
}
