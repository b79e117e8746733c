import type { SessionArrivalsConfig } from '../../config/executor-schema.ts';
import type { Rng } from '../rng.ts';
import { openModelExecutor } from './open-model.ts';
import { profileOf, rampingArrivalSchedule } from './ramping-arrival-rate.ts';
import type { RateProfile } from './rate-profile.ts';
import type { Executor } from './types.ts';

/**
 * Poisson arrivals over a (possibly ramping) rate, by time rescaling: the k-th arrival of a unit-rate
 * Poisson process lands at area E1 + ... + Ek (Ei ~ Exp(1)); mapping that area back through the
 * cumulative rate curve gives an inhomogeneous Poisson process with the profile's rate.
 */
function* poissonSchedule(profile: RateProfile, rng: Rng): Generator<number> {
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
  return openModelExecutor({
    name,
    unit: 'session',
    options: c,
    durationMs: shape.durationMs,
    ratePerSecAt: (offsetMs) => shape.ratePerSecAt(offsetMs),
    schedule: (env) =>
      c.arrival === 'poisson'
        ? poissonSchedule(profileOf(c), env.rng.fork(`arrivals:${name}`))
        : rampingArrivalSchedule(profileOf(c)),
    signalPerIteration: true,
  });
}
