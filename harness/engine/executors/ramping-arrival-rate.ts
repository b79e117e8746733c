import type { RampingArrivalRateConfig } from '../../config/executor-schema.ts';
import { openModelExecutor } from './open-model.ts';
import { RateProfile } from './rate-profile.ts';
import type { Executor } from './types.ts';

/**
 * k6 ramping-arrival-rate: the n-th iteration (n = 1, 2, ...) is due when the area under the
 * piecewise-linear rate curve reaches n, so at a flat 2/s the first is due at 0.5 s.
 */
export function* rampingArrivalSchedule(profile: RateProfile): Generator<number> {
  for (let n = 1; ; n++) {
    const tMs = profile.timeAtCount(n);
    if (tMs === null) return;
    yield tMs;
  }
}

export function profileOf(c: {
  startRatePerSec: number;
  stages: readonly { durationMs: number; target: number }[];
}) {
  return new RateProfile(
    c.startRatePerSec,
    c.stages.map((s) => ({ durationMs: s.durationMs, targetPerSec: s.target })),
  );
}

export function rampingArrivalRate(name: string, c: RampingArrivalRateConfig): Executor {
  const shape = profileOf(c);
  return openModelExecutor({
    name,
    unit: 'turn',
    options: c,
    durationMs: shape.durationMs,
    ratePerSecAt: (offsetMs) => shape.ratePerSecAt(offsetMs),
    schedule: () => rampingArrivalSchedule(profileOf(c)),
  });
}
