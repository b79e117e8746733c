/** The planner's output: CapacityPlan, written as plan.json next to the results it was built from. */
import type { PerfModel } from '../reference-service/model-server/perf-types.ts';
import type { AgentPlan } from './agent-plan.ts';
import type { AutoscaleResult } from './autoscale-sim.ts';
import type { CostEstimate } from './cost.ts';
import type { ModelServerOption } from './plan-option.ts';
import type { GlobalLimits, QuotaCheck, TenantLimit } from './rate-limits.ts';
import type { ServerSettings } from './server-settings.ts';
import type { Demand, Policy, Reasoning, SloTargets } from './types.ts';
import type { WhatIfRow } from './what-if.ts';

export const CAPACITY_PLAN_SCHEMA_VERSION = 1 as const;

export interface PlanOptions {
  /** Performance models of measured profiles (prefill budget, kappa, cold start). */
  perfModels?: readonly PerfModel[];
  /** Profiles to compare in the what-if (modelled) rows. */
  whatIfModels?: readonly PerfModel[];
}

export interface PlanDemand {
  peakRatePerSec: number;
  meanRatePerSec: number | null;
  maxRatePerSec: number | null;
  meanInputTokens: number;
  meanOutputTokens: number;
  mixSource: 'measured' | 'demand';
  reasoning: Reasoning[];
}

export interface CapacityPlan {
  kind: 'agentload.capacity-plan';
  schemaVersion: typeof CAPACITY_PLAN_SCHEMA_VERSION;
  inputs: {
    curves: {
      key: string;
      role: string;
      loadAxis: string;
      runs: string[];
      points: number;
      measuredReplicas: number;
    }[];
    demand: Demand;
    slo: SloTargets;
    policy: Policy;
  };
  demand: PlanDemand;
  /** One per measured model-server configuration. */
  options: ModelServerOption[];
  /** Index into options of the cheapest (else fewest GPUs); null for a hosted API. */
  recommended: number | null;
  settings: ServerSettings | null;
  cost: CostEstimate | null;
  agent: AgentPlan | null;
  rateLimits: { global: GlobalLimits; tenants: TenantLimit[] };
  hostedApi: QuotaCheck | null;
  autoscaling: AutoscaleResult | null;
  whatIf: WhatIfRow[] | null;
  notes: string[];
}
