import { defineScenario, type ScenarioInput } from '../harness/config/scenario-schema.ts';

/** How long each step lets the batch fill before it is measured, and how long it is measured. */
export const SETTLE_SEC = 5;
export const MEASURE_SEC = 16;

/** Offered rates of the 1-replica curve, turns/s: dense around the knee (about 5/s, below). */
const RATES_PER_SEC = [2, 4, 4.5, 5, 5.5, 6, 7];

/**
 * A stepped open-loop load: per rate, a `settle-<i>` phase (not a sweep step: the batch fills and
 * the previous step's backlog drains) then a `step-<i>` phase carrying the offered rate, which is
 * what summary.steps records. A closing `tail` phase at rate 0 ends the last step's window, so its
 * achieved rate divides by the step's length, not by the time the run took to drain.
 */
export function steppedLoad(
  ratesPerSec: readonly number[],
  settleSec = SETTLE_SEC,
  measureSec = MEASURE_SEC,
): Pick<ScenarioInput, 'executors' | 'phases'> {
  const stepSec = settleSec + measureSec;
  const maxRate = Math.max(...ratesPerSec);
  return {
    executors: {
      steps: {
        executor: 'ramping-arrival-rate',
        startRate: ratesPerSec[0],
        stages: [
          ...ratesPerSec.flatMap((rate) => [
            { duration: '0s', target: rate },
            { duration: `${stepSec * 1000}ms`, target: rate },
          ]),
          { duration: '0s', target: 0 },
          { duration: '1s', target: 0 },
        ],
        // Little's law at the highest step with E2E up to ~20 s, with room for the backlog.
        preAllocatedVUs: Math.ceil(maxRate * 4),
        maxVUs: Math.ceil(maxRate * 30) + 16,
        gracefulStop: '40s',
      },
    },
    phases: [
      ...ratesPerSec.flatMap((rate, i) => [
        { name: `settle-${i}`, at: `${i * stepSec * 1000}ms` },
        { name: `step-${i}`, at: `${(i * stepSec + settleSec) * 1000}ms`, offeredRatePerSec: rate },
      ]),
      { name: 'tail', at: `${ratesPerSec.length * stepSec * 1000}ms` },
    ],
  };
}

/**
 * The 1-replica capacity curve `agentload plan --validate` predicts from (docs/planner.md,
 * Validation). A slow simulated GPU (Llama 3.1 8B on one L4: a ~770-token prompt costs ~150 ms of
 * prefill, a decode step ~80 ms) saturates at about 5 turns/s, so the simulated GPU, not this
 * machine's CPU, is the bottleneck, and three replicas stay within two cores. Single-turn sessions
 * without tools, a fixed message length and a fixed max_tokens keep the latency spread to what the GPU adds. The sweep runs
 * through the agent (the product path); no stopOnSloBreak, so every step's window closes cleanly.
 */
export default defineScenario({
  name: 'plan-validate',
  description: `1 model replica (llama-3.1-8b@l4), steps of ${SETTLE_SEC}+${MEASURE_SEC} s at ${RATES_PER_SEC.join(', ')} turns/s through the agent.`,
  seed: 11,
  ...steppedLoad(RATES_PER_SEC),
  workload: {
    target: 'agent',
    inputTokens: { kind: 'fixed', value: 150 },
    maxTokens: { kind: 'fixed', value: 32 },
    toolFraction: 0,
    turnsPerSession: { kind: 'fixed', value: 1 },
    tenants: { acme: 1 },
  },
  slo: { ttftMs: 2000, e2eMs: 6000, percentile: 95, maxErrorRate: 0.05 },
  thresholds: { turns_lost: ['count<1'] },
  stack: { modelReplicas: 1, agentReplicas: 1, profile: 'llama-3.1-8b@l4', loadTime: '0s' },
});
