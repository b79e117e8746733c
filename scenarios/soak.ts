import { defineScenario } from '../harness/config/scenario-schema.ts';

/**
 * Constant moderate load for longer than the rest (default 40 s here; scale with --duration for a
 * real soak). What matters is drift, reported as slopes: TTFT/E2E p95 and the servers' memory per
 * minute; a leak or a growing queue shows as a positive slope at a flat offered load.
 */
export default defineScenario({
  name: 'soak',
  description:
    'Constant 1.5 turns/s for 40 s (use --duration 30m for a real soak): latency and memory drift.',
  seed: 10,
  drift: true,
  executors: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: 1.5,
      duration: '40s',
      preAllocatedVUs: 8,
      maxVUs: 48,
      gracefulStop: '20s',
    },
  },
  workload: {
    inputTokens: { kind: 'lognormal', median: 60, sigma: 0.6, min: 8, max: 600 },
    maxTokens: { kind: 'uniform', min: 32, max: 96 },
    toolFraction: 0.2,
    turnsPerSession: { kind: 'uniform', min: 2, max: 6 },
  },
  slo: { ttftMs: 3000, e2eMs: 10000, percentile: 95, maxErrorRate: 0.02 },
  thresholds: {
    http_req_failed: ['rate<0.02'],
    turns_lost: ['count<1'],
  },
});
