import { defineScenario } from '../harness/config/scenario-schema.ts';

/**
 * Sessions arrive as a Poisson process (0.7/s) and hold three-turn conversations with a second of
 * think time between turns, about 2 turns/s in all: the baseline every other scenario is read against.
 */
export default defineScenario({
  name: 'steady-state',
  description: 'Open-loop Poisson session arrivals, 3 turns each with think time, for 30 s.',
  seed: 2,
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
  workload: {
    inputTokens: { kind: 'lognormal', median: 60, sigma: 0.6, min: 8, max: 600 },
    maxTokens: { kind: 'normal', mean: 64, stddev: 16, min: 16, max: 128 },
    toolFraction: 0.2,
    turnsPerSession: { kind: 'fixed', value: 3 },
    thinkTimeSec: { kind: 'lognormal', median: 1, sigma: 0.4, max: 5 },
  },
  slo: { ttftMs: 3000, e2eMs: 10000, percentile: 95, maxErrorRate: 0.02 },
  thresholds: {
    http_req_failed: ['rate<0.02'],
    ttft_ms: ['p(95)<3000'],
    dropped_iterations: ['count<5'],
    turns_lost: ['count<1'],
  },
});
