import { defineScenario, type ScenarioInput } from '../harness/config/scenario-schema.ts';
import { createRng } from '../harness/engine/rng.ts';

/** How long each step lets the batch fill before it is measured, and how long it is measured. */
export const SETTLE_SEC = 5;
export const MEASURE_SEC = 24;

/** Offered rates of the 1-replica curve, turns/s: dense around the knee (about 5/s, below). */
const RATES_PER_SEC = [2, 3.5, 4, 4.5, 5, 5.5, 6.5];

/** Evenly spaced streams superposed into the arrival process (below). */
const STREAMS = 10;

/**
 * A stepped open-loop load: per rate, a `settle-<i>` phase (not a sweep step: the batch fills and
 * the previous step's backlog drains) then a `step-<i>` phase carrying the offered rate, which is
 * what summary.steps records. A closing `tail` phase at rate 0 ends the last step's window, so its
 * achieved rate divides by the step's length, not by the time the run took to drain.
 *
 * Arrivals: the sum of STREAMS evenly spaced streams with unequal rates (weights 0.5-1.5,
 * normalised) and first arrivals spread over the first second. Such a superposition tends to
 * Poisson over short spans (Palm-Khintchine; inter-arrival SCV 0.6-0.8 here: bursts, as users
 * arrive), while each step still gets its offered count to within a request or two. Why not either
 * pure form (measured on this machine, 2026-11-27):
 * evenly spaced arrivals flatter one replica, because a load balancer splits them into a burstier
 * stream per replica, so k replicas fell 10-15% short of k x one replica's goodput; Poisson
 * arrivals gave 16 s steps 79-126% of their offered count, and the latency follows the count.
 */
export function steppedLoad(
  ratesPerSec: readonly number[],
  settleSec = SETTLE_SEC,
  measureSec = MEASURE_SEC,
): Pick<ScenarioInput, 'executors' | 'phases'> {
  const stepSec = settleSec + measureSec;
  const maxRate = Math.max(...ratesPerSec);
  // Seeded: the streams' weights and phases are the same in every run.
  const random = createRng(20261127).next;
  const weights = Array.from({ length: STREAMS }, () => 0.5 + random());
  const total = weights.reduce((a, w) => a + w, 0);
  const executors = Object.fromEntries(
    weights.map((w, j) => {
      const share = w / total;
      // k6 sends a stream's n-th request when the area under its rate reaches n: a first stage
      // at 1/u for u seconds puts the first at u (its phase), not one whole period in.
      const primeSec = Math.min(1, settleSec / 2) * (0.1 + 0.9 * random());
      const [first, ...rest] = ratesPerSec;
      return [
        `stream-${j}`,
        {
          executor: 'ramping-arrival-rate' as const,
          startRate: 1 / primeSec,
          stages: [
            { duration: `${Math.round(primeSec * 1e6) / 1000}ms`, target: 1 / primeSec },
            { duration: '0s', target: first! * share },
            { duration: `${Math.round((stepSec - primeSec) * 1e6) / 1000}ms`, target: first! * share },
            ...rest.flatMap((rate) => [
              { duration: '0s', target: rate * share },
              { duration: `${stepSec * 1000}ms`, target: rate * share },
            ]),
            { duration: '0s', target: 0 },
            { duration: '1s', target: 0 },
          ],
          // Little's law at the highest step with E2E up to ~20 s, with room for the backlog.
          preAllocatedVUs: Math.ceil(maxRate * share * 4) + 1,
          maxVUs: Math.ceil(maxRate * share * 30) + 4,
          gracefulStop: '40s',
        },
      ];
    }),
  );
  return {
    executors,
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
 * without tools, a fixed message length and a fixed max_tokens keep the latency spread to what the
 * GPU adds. The sweep runs through the agent (the product path). No stopOnSloBreak: it ends a sweep
 * without starting the next phase, which leaves the breaking step's window open to the run's end.
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
  // A capacity measurement: the session ledger's end-of-run audit would only add time.
  ledger: false,
  stack: { modelReplicas: 1, agentReplicas: 1, profile: 'llama-3.1-8b@l4', loadTime: '0s' },
});
