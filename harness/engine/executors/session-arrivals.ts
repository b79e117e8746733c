import type { SessionArrivalsConfig } from '../../config/executor-schema.ts';
import type { Rng } from '../rng.ts';
import { runOpenModel } from './open-model.ts';
import { profileOf, rampingArrivalSchedule } from './ramping-arrival-rate.ts';
import type { RateProfile } from './rate-profile.ts';
import type { Executor } from './types.ts';

/**
 * Poisson arrivals over a (possibly ramping) rate, by time rescaling: the k-th arrival of a unit-rate
 * Poisson process lands at area E1 + ... + Ek (Ei ~ Exp(1)); mapping that area back through the
 * cumulative rate curve gives an inhomogeneous Poisson process with the profile's rate.
 */
export function* poissonSchedule(profile: RateProfile, rng: Rng): Generator<number> {
  let area = 0;
  for (;;) {
    area += rng.exponential(1);
    const tMs = profile.timeAtCount(area);
    if (tMs === null) return;
    yield tMs;
  }
}

/**
 * Open-loop arrivals of multi-turn sessions. Each iteration is one whole conversation (its turns and
 * the think time between them run inside the iteration), so a VU is busy for the session's length:
 * size maxVUs by Little's law, sessions/s x session seconds.
 */
export function sessionArrivals(name: string, c: SessionArrivalsConfig): Executor {
  const shape = profileOf(c);
  return {
    name,
    iterationUnit: 'session',
    startTimeMs: c.startTimeMs,
    durationMs: shape.durationMs,
    gracefulStopMs: c.gracefulStopMs,
    offeredRateAt: (tMs) =>
      tMs >= c.startTimeMs && tMs < c.startTimeMs + shape.durationMs
        ? shape.ratePerSecAt(tMs - c.startTimeMs)
        : 0,
    targetVusAt: () => null,
    run: (env) =>
      runOpenModel(env, {
        startTimeMs: c.startTimeMs,
        schedule:
          c.arrival === 'poisson'
            ? poissonSchedule(profileOf(c), env.rng.fork(`arrivals:${name}`))
            : rampingArrivalSchedule(profileOf(c)),
        durationMs: shape.durationMs,
        gracefulStopMs: c.gracefulStopMs,
        preAllocatedVUs: c.preAllocatedVUs,
        maxVUs: c.maxVUs,
        lateToleranceMs: c.lateToleranceMs,
        signalPerIteration: true,
      }),
  };
}
