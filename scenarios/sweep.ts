import { defineScenario } from '../harness/config/scenario-schema.ts';

/** Offered rates of the steps, turns per second. */
const RATES_PER_SEC = [1, 2, 4, 8, 12, 16];
const STEP_SEC = 7;

/**
 * Stepped rates until the SLO breaks: each step is a phase `step-<i>` carrying its offered rate,
 * so summary.steps is the capacity curve the planner reads (offered vs achieved, latency, goodput).
 * stopOnSloBreak ends the run after the first step past the knee.
 */
export default defineScenario({
  name: 'sweep',
  description: `Steps of ${STEP_SEC} s at ${RATES_PER_SEC.join(', ')} turns/s; stops after the first step that breaks the SLO.`,
  seed: 9,
  executors: {
    sweep: {
      executor: 'ramping-arrival-rate',
      startRate: RATES_PER_SEC[0],
      stages: RATES_PER_SEC.flatMap((rate) => [
        { duration: '0s', target: rate },
        { duration: `${STEP_SEC}s`, target: rate },
      ]),
      preAllocatedVUs: 16,
      maxVUs: 96,
      gracefulStop: '15s',
    },
  },
  phases: RATES_PER_SEC.map((rate, i) => ({
    name: `step-${i}`,
    at: `${i * STEP_SEC}s`,
    offeredRatePerSec: rate,
  })),
  workload: {
    inputTokens: { kind: 'lognormal', median: 60, sigma: 0.6, min: 8, max: 600 },
    maxTokens: { kind: 'uniform', min: 32, max: 96 },
    toolFraction: 0.2,
    turnsPerSession: { kind: 'fixed', value: 3 },
  },
  slo: { ttftMs: 3000, e2eMs: 12000, percentile: 95, maxErrorRate: 0.05 },
  stopOnSloBreak: true,
  thresholds: {
    turns_lost: ['count<1'],
  },
});
