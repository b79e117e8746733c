import type { ScenarioInput } from '../harness/config/scenario-schema.ts';
import coldStart from './cold-start.ts';
import outageModel from './outage-model.ts';
import outageRedis from './outage-redis.ts';
import outageReplica from './outage-replica.ts';
import outageTools from './outage-tools.ts';
import peak from './peak.ts';
import smoke from './smoke.ts';
import soak from './soak.ts';
import steadyState from './steady-state.ts';
import sweep from './sweep.ts';

/** The shipped scenarios, by name (the key is the scenario's own name; a test keeps them equal). */
export const scenarios = {
  smoke,
  'steady-state': steadyState,
  peak,
  'cold-start': coldStart,
  'outage-model': outageModel,
  'outage-replica': outageReplica,
  'outage-redis': outageRedis,
  'outage-tools': outageTools,
  sweep,
  soak,
} satisfies Record<string, ScenarioInput>;

export type ScenarioName = keyof typeof scenarios;

/** Named suites; `default` is what `npm run loadtest` runs (130 s of scheduled load plus start-up and drains). */
export const suites = {
  default: ['smoke', 'steady-state', 'peak', 'outage-model', 'cold-start'],
  outages: ['outage-model', 'outage-replica', 'outage-redis', 'outage-tools'],
  all: Object.keys(scenarios) as ScenarioName[],
} satisfies Record<string, ScenarioName[]>;

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(scenarios, name);
}
