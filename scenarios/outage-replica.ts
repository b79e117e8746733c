import { defineScenario } from '../harness/config/scenario-schema.ts';
import { faultTokenMix, faultTraffic } from './fault-defaults.ts';

/**
 * Two agent replicas behind HAProxy; agent-1 is killed at 10 s and restarted at 20 s. In-flight
 * streams on it fail; HAProxy's health checks should route new turns to agent-0 within seconds,
 * and no acknowledged turn may be lost (sessions live in Redis, not in the replica).
 */
export default defineScenario({
  name: 'outage-replica',
  description: 'One of two agent replicas killed behind HAProxy at 10 s, back at 20 s.',
  seed: 6,
  executors: faultTraffic(2),
  phases: [
    { name: 'baseline', at: '0s' },
    { name: 'one-replica', at: '10s' },
    { name: 'recovery', at: '20s' },
  ],
  faults: [
    { action: 'kill', component: 'agent-1', at: '10s' },
    { action: 'restart', component: 'agent-1', at: '20s' },
  ],
  stack: { agentReplicas: 2 },
  workload: {
    ...faultTokenMix,
    toolFraction: 0.2,
    turnsPerSession: { kind: 'fixed', value: 3 },
  },
  slo: { ttftMs: 5000, percentile: 95, maxErrorRate: 0.05 },
  recovery: { errorRateBar: 0.05, holdSec: 3 },
  thresholds: {
    http_req_failed: ['rate<0.2'],
    turns_lost: ['count<1'],
  },
});
