import { defineScenario } from '../harness/config/scenario-schema.ts';

/**
 * A spike to five times the base rate and back. The after-spike phase's recoverySec is the time to
 * recover (how long errors stay over the recovery bar once the spike is gone) and its p95 TTFT
 * against base's shows whether the queue built in the spike has drained.
 */
export default defineScenario({
  name: 'peak',
  description: 'Base 2/s, a jump to 10/s for 8 s, back to 2/s: queueing, shedding and time to recover.',
  seed: 3,
  executors: {
    peak: {
      executor: 'ramping-arrival-rate',
      startRate: 2,
      stages: [
        { duration: '10s', target: 2 },
        { duration: '0s', target: 10 },
        { duration: '8s', target: 10 },
        { duration: '0s', target: 2 },
        { duration: '12s', target: 2 },
      ],
      preAllocatedVUs: 8,
      maxVUs: 64,
      gracefulStop: '20s',
    },
  },
  phases: [
    { name: 'base', at: '0s' },
    { name: 'spike', at: '10s' },
    { name: 'after-spike', at: '18s' },
  ],
  // A small in-flight limit on the model server (TGI --max-concurrent-requests) so the spike
  // overflows it on a machine that cannot offer a simulated H100's real peak.
  stack: { profile: 'llama-3.1-8b@l4', maxConcurrentRequests: 16 },
  workload: {
    inputTokens: { kind: 'lognormal', median: 60, sigma: 0.6, min: 8, max: 600 },
    maxTokens: { kind: 'uniform', min: 32, max: 96 },
    toolFraction: 0.2,
    turnsPerSession: { kind: 'fixed', value: 3 },
  },
  slo: { ttftMs: 5000, e2eMs: 15000, percentile: 95, maxErrorRate: 0.05 },
  recovery: { errorRateBar: 0.05, holdSec: 3 },
  thresholds: {
    http_req_failed: ['rate<0.2'],
    turns_lost: ['count<1'],
  },
});
