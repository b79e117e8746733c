import type { PerVuIterationsConfig } from '../../config/executor-schema.ts';
import { IterationSet } from './iteration-set.ts';
import { emptyReport, type Executor, type ExecutorEnv } from './types.ts';

/**
 * k6 per-vu-iterations: each of `vus` VUs runs exactly `iterations` iterations back to back. What has
 * not started by maxDuration is dropped (k6 dropped_iterations); in-flight ones get gracefulStop.
 * The executor ends as soon as every VU is done.
 */
export function perVuIterations(name: string, c: PerVuIterationsConfig): Executor {
  return {
    name,
    iterationUnit: 'turn',
    startTimeMs: c.startTimeMs,
    durationMs: c.maxDurationMs,
    gracefulStopMs: c.gracefulStopMs,
    offeredRateAt: () => null,
    targetVusAt: (tMs) => (tMs >= c.startTimeMs && tMs < c.startTimeMs + c.maxDurationMs ? c.vus : 0),
    run: (env) => runPerVuIterations(env, c),
  };
}

async function runPerVuIterations(env: ExecutorEnv, c: PerVuIterationsConfig) {
  const { clock } = env;
  const report = emptyReport();
  const inFlight = new IterationSet(report, env.abort);
  const halt = AbortSignal.any([env.stop, env.abort]);
  const endMs = c.startTimeMs + c.maxDurationMs;
  await clock.sleepUntil(c.startTimeMs, halt);
  const loops = Array.from({ length: c.vus }, async (_, vu) => {
    for (let i = 0; i < c.iterations && !halt.aborted && clock.now() < endMs; i++) {
      await inFlight.start(env.iterate, vu, clock.now());
    }
  });
  const allDone = Promise.all(loops);
  const timer = new AbortController();
  await Promise.race([allDone, clock.sleepUntil(endMs, AbortSignal.any([timer.signal, halt]))]);
  timer.abort();
  await inFlight.drain(clock, Math.min(clock.now(), endMs) + c.gracefulStopMs, env.abort);
  await allDone;
  if (!halt.aborted) {
    const unstarted = c.vus * c.iterations - report.started;
    for (let i = 0; i < unstarted; i++) env.dropped(endMs, 'max_duration');
    report.dropped.max_duration = unstarted;
  }
  report.peakVus = c.vus;
  report.allocatedVus = c.vus;
  return report;
}
