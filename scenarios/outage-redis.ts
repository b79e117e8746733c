import { defineScenario } from '../harness/config/scenario-schema.ts';
import { faultTokenMix } from './fault-defaults.ts';

/**
 * Redis (sessions, rate limits, idempotency) is restarted at 10 s. Turns during the restart should
 * fail fast (503 + Retry-After), and every turn acknowledged before it must still be in its
 * session afterwards: turns_lost shows whether the store kept them.
 */
export default defineScenario({
  name: 'outage-redis',
  description:
    'Redis restarted at 10 s under load: fast failures while it is down, no acknowledged turn lost.',
  seed: 7,
  executors: {
    sessions: {
      executor: 'session-arrivals',
      rate: 0.7,
      duration: '30s',
      preAllocatedVUs: 8,
      maxVUs: 32,
      gracefulStop: '20s',
    },
  },
  phases: [
    { name: 'baseline', at: '0s' },
    { name: 'redis-restart', at: '10s' },
    { name: 'recovery', at: '14s' },
  ],
  faults: [{ action: 'restart', component: 'redis', at: '10s' }],
  workload: {
    ...faultTokenMix,
    toolFraction: 0.2,
    turnsPerSession: { kind: 'fixed', value: 4 },
    thinkTimeSec: { kind: 'fixed', value: 1 },
  },
  slo: { ttftMs: 5000, percentile: 95, maxErrorRate: 0.05 },
  recovery: { errorRateBar: 0.05, holdSec: 3 },
  thresholds: {
    turns_lost: ['count<1'],
  },
});
