import type { ConstantArrivalRateConfig } from '../../config/executor-schema.ts';
import { openModelExecutor } from './open-model.ts';
import type { Executor } from './types.ts';

/** k6 constant-arrival-rate: iteration i is due at i / rate (the first at the start), evenly spaced. */
function* constantArrivalSchedule(ratePerSec: number, durationMs: number): Generator<number> {
  const periodMs = 1000 / ratePerSec;
  for (let i = 0; i * periodMs < durationMs; i++) yield i * periodMs;
}

export function constantArrivalRate(name: string, c: ConstantArrivalRateConfig): Executor {
  return openModelExecutor({
    name,
    unit: 'turn',
    options: c,
    durationMs: c.durationMs,
    ratePerSecAt: () => c.ratePerSec,
    schedule: () => constantArrivalSchedule(c.ratePerSec, c.durationMs),
  });
}
