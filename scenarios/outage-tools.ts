import { defineScenario } from '../harness/config/scenario-schema.ts';
import { faultTokenMix, faultTraffic } from './fault-defaults.ts';

/**
 * Tool latency x5 and half the tool calls failing from 10 s to 20 s, through the tools service's
 * admin API. Most turns call a tool here. The reference agent hands a failed tool call back to the
 * model as a tool result, so turns still answer: the fault shows as TTFT/E2E in the tool-faults
 * phase (slow tools sit before the first answer token), in tool timeouts turning into errors, and
 * in the agent's agent_tool_calls_total{outcome="error"}.
 */
export default defineScenario({
  name: 'outage-tools',
  description: 'Tools slow (x5) and failing (50%) from 10 s to 20 s: turns still answer, later.',
  seed: 8,
  executors: faultTraffic(1.5),
  phases: [
    { name: 'baseline', at: '0s' },
    { name: 'tool-faults', at: '10s' },
    { name: 'recovery', at: '20s' },
  ],
  faults: [
    {
      action: 'http',
      component: 'tools',
      method: 'PUT',
      path: '/admin/faults',
      body: { latencyMultiplier: 5, errorRate: 0.5 },
      at: '10s',
      label: 'tools slow and failing',
    },
    {
      action: 'http',
      component: 'tools',
      method: 'DELETE',
      path: '/admin/faults',
      at: '20s',
      label: 'tools healed',
    },
  ],
  workload: {
    ...faultTokenMix,
    toolFraction: 0.8,
    turnsPerSession: { kind: 'fixed', value: 2 },
  },
  slo: { ttftMs: 8000, percentile: 95, maxErrorRate: 0.05 },
  recovery: { errorRateBar: 0.05, holdSec: 3 },
  thresholds: {
    http_req_failed: ['rate<0.1'],
    turns_lost: ['count<1'],
  },
});
