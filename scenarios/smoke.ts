import { defineScenario } from '../harness/config/scenario-schema.ts';

/** Ten seconds of light traffic: is the stack up, does every piece answer, is nothing lost? */
export default defineScenario({
  name: 'smoke',
  description: 'One turn a second for 10 s, two-turn sessions, a few tool calls: the stack works end to end.',
  seed: 1,
  executors: {
    smoke: {
      executor: 'constant-arrival-rate',
      rate: 1,
      duration: '10s',
      preAllocatedVUs: 4,
      maxVUs: 16,
      gracefulStop: '15s',
    },
  },
  workload: {
    inputTokens: { kind: 'uniform', min: 20, max: 80 },
    maxTokens: { kind: 'fixed', value: 32 },
    toolFraction: 0.3,
    turnsPerSession: { kind: 'fixed', value: 2 },
  },
  slo: { ttftMs: 3000, e2eMs: 8000, percentile: 95, maxErrorRate: 0.05 },
  thresholds: {
    http_req_failed: ['rate<0.05'],
    ttft_ms: ['p(95)<3000'],
    turns_lost: ['count<1'],
  },
});
