import { defineScenario } from '../harness/config/scenario-schema.ts';
import { faultTokenMix, faultTraffic } from './fault-defaults.ts';

/**
 * Traffic while the model server loads: at 0 s the model server restarts cold (6 s load) under
 * load; at 15 s a second model replica is added, itself cold for 5 s. The warm-up phase shows the
 * failures and queueing while nothing can answer; its recoverySec is the time to the first
 * healthy second; the scale-out phase shows whether adding a cold replica hurts.
 */
export default defineScenario({
  name: 'cold-start',
  description: 'Model server restarted cold under load, then a cold replica added mid-run.',
  seed: 4,
  executors: faultTraffic(1.5),
  phases: [
    { name: 'warm-up', at: '0s' },
    { name: 'warm', at: '8s' },
    { name: 'scale-out', at: '15s' },
  ],
  faults: [
    { action: 'restart', component: 'model-0', at: '0s', loadTime: '6s', label: 'cold start' },
    { action: 'addReplica', kind: 'model', at: '15s', loadTime: '5s', label: 'cold replica' },
  ],
  stack: { modelReplicas: 1 },
  workload: {
    ...faultTokenMix,
    toolFraction: 0.1,
    turnsPerSession: { kind: 'fixed', value: 2 },
    requestTimeout: '30s',
  },
  slo: { ttftMs: 5000, percentile: 95, maxErrorRate: 0.05 },
  recovery: { errorRateBar: 0.05, holdSec: 3 },
  thresholds: {
    turns_lost: ['count<1'],
  },
});
