import { defineScenario } from '../harness/config/scenario-schema.ts';
import { faultTokenMix, faultTraffic } from './fault-defaults.ts';

/**
 * The only model server is killed at 10 s and restarted at 15 s (2 s load). The agent's breaker,
 * retries and degraded answers decide what users see; recoverySec of the recovery phase is how
 * long errors last once the model server is back.
 */
export default defineScenario({
  name: 'outage-model',
  description:
    'Model server killed at 10 s, restarted at 15 s (2 s cold start): errors, degraded answers, recovery.',
  seed: 5,
  executors: faultTraffic(2),
  phases: [
    { name: 'baseline', at: '0s' },
    { name: 'outage', at: '10s' },
    { name: 'recovery', at: '15s' },
  ],
  faults: [
    { action: 'kill', component: 'model-0', at: '10s' },
    { action: 'restart', component: 'model-0', at: '15s', loadTime: '2s' },
  ],
  workload: {
    ...faultTokenMix,
    toolFraction: 0.2,
    turnsPerSession: { kind: 'fixed', value: 3 },
    requestTimeout: '30s',
  },
  slo: { ttftMs: 5000, percentile: 95, maxErrorRate: 0.05 },
  recovery: { errorRateBar: 0.05, holdSec: 3 },
  thresholds: {
    turns_lost: ['count<1'],
  },
});
