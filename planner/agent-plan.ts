/**
 * Agent replicas (CPU) for the peak. From an agent sweep (one where the agent, not the model, was
 * the bottleneck) the agent's own goodput at SLO is measured. Without one, a model sweep run
 * through the agent bounds it: the agent carried the highest achieved rate on its replicas without
 * being the limit, so goodput per agent replica >= max achieved / agent replicas, and the count
 * derived from that bound is an upper bound.
 */
import { computeGoodput, type BootstrapOptions, type GoodputResult } from './goodput.ts';
import { sizeAgentFleet, type AgentFleetSize } from './sizing.ts';
import { mixScaling, type SloConstraint } from './slo.ts';
import type { CapacityCurve, Policy } from './types.ts';

export interface AgentPlan {
  basis: AgentFleetSize['basis'];
  goodput: GoodputResult | null;
  size: AgentFleetSize;
}

export function planAgent(
  agentCurve: CapacityCurve | undefined,
  modelCurve: CapacityCurve | undefined,
  peakRatePerSec: number,
  constraints: readonly SloConstraint[],
  policy: Policy,
  boot: BootstrapOptions,
): AgentPlan | null {
  const { utilizationTarget: u, redundancy } = policy;
  if (agentCurve !== undefined) {
    // The agent's cost per request is taken as measured: no token-mix rescaling.
    const neutral = mixScaling({ meanInputTokens: 1, meanOutputTokens: 1 }, {}, 0).scaling;
    const goodput = computeGoodput(agentCurve, constraints, neutral, boot);
    return {
      basis: 'measured',
      goodput,
      size: sizeAgentFleet(peakRatePerSec, goodput.ratePerSec, 'measured', u, redundancy),
    };
  }
  const agents = modelCurve?.measuredAgentReplicas;
  if (modelCurve === undefined || agents === null || agents === undefined || agents <= 0) return null;
  const maxTotal = modelCurve.points.reduce(
    (m, p) => Math.max(m, p.achievedRatePerSec * modelCurve.measuredReplicas),
    0,
  );
  const perAgent = maxTotal / agents;
  if (!(perAgent > 0)) return null;
  return {
    basis: 'bound',
    goodput: null,
    size: sizeAgentFleet(peakRatePerSec, perAgent, 'bound', u, redundancy),
  };
}
