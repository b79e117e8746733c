import type { ConstantArrivalRateConfig } from '../../config/executor-schema.ts';
import { runOpenModel } from './open-model.ts';
import type { Executor } from './types.ts';

/** k6 constant-arrival-rate: iteration i is due at i / rate (the first at the start), evenly spaced. */
export function* constantArrivalSchedule(ratePerSec: number, durationMs: number): Generator<number> {
  const periodMs = 1000 / ratePerSec;
  for (let i = 0; i * periodMs < durationMs; i++) yield i * periodMs;
}

export function constantArrivalRate(name: string, c: ConstantArrivalRateConfig): Executor {
  const endMs = c.startTimeMs + c.durationMs;
  return {
    name,
    iterationUnit: 'turn',
    startTimeMs: c.startTimeMs,
    durationMs: c.durationMs,
    gracefulStopMs: c.gracefulStopMs,
    offeredRateAt: (tMs) => (tMs >= c.startTimeMs && tMs < endMs ? c.ratePerSec : 0),
    targetVusAt: () => null,
    run: (env) =>
      runOpenModel(env, {
        startTimeMs: c.startTimeMs,
        schedule: constantArrivalSchedule(c.ratePerSec, c.durationMs),
        durationMs: c.durationMs,
        gracefulStopMs: c.gracefulStopMs,
        preAllocatedVUs: c.preAllocatedVUs,
        maxVUs: c.maxVUs,
        lateToleranceMs: c.lateToleranceMs,
      }),
  };
}
