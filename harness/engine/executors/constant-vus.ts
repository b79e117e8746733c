import type { ConstantVusConfig } from '../../config/executor-schema.ts';
import { IterationSet } from './iteration-set.ts';
import { emptyReport, type Executor, type ExecutorEnv, type ExecutorReport } from './types.ts';

/**
 * k6 constant-vus: `vus` loops, each starting its next iteration as soon as the last one ends,
 * until `duration`. A closed model: the target's slowness lowers the offered load, so latency is
 * measured from the actual start (scheduledAtMs = when the VU got to it), and nothing is dropped.
 */
export function constantVus(name: string, c: ConstantVusConfig): Executor {
  const endMs = c.startTimeMs + c.durationMs;
  return {
    name,
    iterationUnit: 'turn',
    startTimeMs: c.startTimeMs,
    durationMs: c.durationMs,
    gracefulStopMs: c.gracefulStopMs,
    offeredRateAt: () => null,
    targetVusAt: (tMs) => (tMs >= c.startTimeMs && tMs < endMs ? c.vus : 0),
    run: (env) => runClosedLoops(env, c.startTimeMs, endMs, c.gracefulStopMs, c.vus),
  };
}

async function runClosedLoops(
  env: ExecutorEnv,
  startTimeMs: number,
  endMs: number,
  gracefulStopMs: number,
  vus: number,
): Promise<ExecutorReport> {
  const { clock } = env;
  const report = emptyReport();
  const inFlight = new IterationSet(report, env.abort);
  const halt = AbortSignal.any([env.stop, env.abort]);
  await clock.sleepUntil(startTimeMs, halt);
  const loops = Array.from({ length: vus }, async (_, vu) => {
    while (!halt.aborted && clock.now() < endMs) await inFlight.start(env.iterate, vu, clock.now());
  });
  await clock.sleepUntil(endMs, halt);
  await inFlight.drain(clock, Math.min(clock.now(), endMs) + gracefulStopMs, env.abort);
  await Promise.all(loops);
  report.peakVus = vus;
  report.allocatedVus = vus;
  return report;
}
