/**
 * Fleet size for a peak. Model-server replicas:
 *   R_util  = ceil(lambda_peak / (goodput_per_replica x utilization_target))
 *   R_queue = smallest R whose batch slots keep the wait within SLO (queueing.ts)
 *   R_base  = max(R_util, R_queue)
 * Redundancy: N+1 adds one replica (one replica lost or restarting in a rollout); z zones place
 * z x ceil(R_base / (z - 1)) replicas so any one zone can fail and R_base remain.
 * GPUs = replicas x GPUs per replica; nodes = ceil(replicas per failure domain / replicas per node)
 * summed over domains (a replica wider than a node takes ceil(GPUs per replica / GPUs per node)).
 * Agent replicas (CPU) follow the same rule from the agent's measured per-replica goodput.
 */
import type { Reasoning, Redundancy } from './types.ts';

export function replicasForUtilization(
  ratePerSec: number,
  goodputPerReplica: number,
  utilization: number,
): number {
  if (ratePerSec <= 0) return 0;
  return Math.ceil(ratePerSec / (goodputPerReplica * utilization) - 1e-9);
}

export interface RedundantCount {
  total: number;
  spare: number;
  /** Replicas left after the worst single failure the policy covers. */
  afterFailure: number;
  zones: number;
}

export function withRedundancy(base: number, redundancy: Redundancy): RedundantCount {
  const need = Math.max(base, 1);
  if (redundancy.kind === 'none') return { total: need, spare: 0, afterFailure: need, zones: 1 };
  if (redundancy.kind === 'n+1') return { total: need + 1, spare: 1, afterFailure: need, zones: 1 };
  const z = redundancy.zones;
  const perZone = Math.ceil(need / (z - 1));
  return { total: z * perZone, spare: perZone, afterFailure: (z - 1) * perZone, zones: z };
}

export function nodesFor(
  replicas: number,
  gpusPerReplica: number,
  gpusPerNode: number,
  zones: number,
): number {
  if (gpusPerReplica > gpusPerNode) return replicas * Math.ceil(gpusPerReplica / gpusPerNode);
  const perNode = Math.floor(gpusPerNode / gpusPerReplica);
  return zones * Math.ceil(Math.ceil(replicas / zones) / perNode);
}

export interface FleetSize {
  utilizationReplicas: number;
  queueReplicas: number;
  baseReplicas: number;
  spareReplicas: number;
  replicas: number;
  afterFailureReplicas: number;
  gpusPerReplica: number;
  gpus: number;
  nodes: number;
  /** Peak load over the capacity of all replicas at goodput. */
  peakUtilization: number;
  reasoning: Reasoning[];
}

export interface FleetSizeInput {
  ratePerSec: number;
  goodputPerReplica: number;
  utilizationTarget: number;
  queueReplicas: number;
  redundancy: Redundancy;
  gpusPerReplica: number;
  gpusPerNode: number;
}

export function sizeModelFleet(input: FleetSizeInput): FleetSize {
  const util = replicasForUtilization(input.ratePerSec, input.goodputPerReplica, input.utilizationTarget);
  const base = Math.max(util, input.queueReplicas, 1);
  const red = withRedundancy(base, input.redundancy);
  const gpus = red.total * input.gpusPerReplica;
  const nodes = nodesFor(red.total, input.gpusPerReplica, input.gpusPerNode, red.zones);
  const reasoning: Reasoning[] = [
    {
      name: 'replicas for the utilization target',
      formula: 'R_util = ceil(lambda_peak / (goodput_per_replica x u))',
      inputs: {
        lambdaPerSec: input.ratePerSec,
        goodputPerReplica: input.goodputPerReplica,
        u: input.utilizationTarget,
      },
      value: util,
    },
    {
      name: 'replicas before redundancy',
      formula: 'R_base = max(R_util, R_queue)',
      inputs: { R_util: util, R_queue: input.queueReplicas },
      value: base,
    },
    {
      name: 'replicas with redundancy',
      formula: redundancyFormula(input.redundancy),
      inputs: { R_base: base, redundancy: redundancyLabel(input.redundancy) },
      value: red.total,
    },
    {
      name: 'GPUs',
      formula: 'GPUs = replicas x GPUs per replica',
      inputs: { replicas: red.total, gpusPerReplica: input.gpusPerReplica },
      value: gpus,
    },
    {
      name: 'nodes',
      formula: 'per failure domain ceil(replicas / floor(GPUs per node / GPUs per replica)), summed',
      inputs: { replicas: red.total, gpusPerNode: input.gpusPerNode, zones: red.zones },
      value: nodes,
    },
  ];
  return {
    utilizationReplicas: util,
    queueReplicas: input.queueReplicas,
    baseReplicas: base,
    spareReplicas: red.spare,
    replicas: red.total,
    afterFailureReplicas: red.afterFailure,
    gpusPerReplica: input.gpusPerReplica,
    gpus,
    nodes,
    peakUtilization: input.ratePerSec / (red.total * input.goodputPerReplica),
    reasoning,
  };
}

function redundancyLabel(r: Redundancy): string {
  return r.kind === 'zones' ? `zones:${r.zones}` : r.kind;
}

function redundancyFormula(r: Redundancy): string {
  if (r.kind === 'none') return 'R = R_base';
  if (r.kind === 'n+1') return 'R = R_base + 1';
  return 'R = z x ceil(R_base / (z - 1))';
}

export interface AgentFleetSize {
  goodputPerReplica: number;
  /** measured: from an agent sweep; bound: the agent never saturated, so this over-counts replicas. */
  basis: 'measured' | 'bound';
  baseReplicas: number;
  replicas: number;
  reasoning: Reasoning[];
}

export function sizeAgentFleet(
  ratePerSec: number,
  goodputPerReplica: number,
  basis: AgentFleetSize['basis'],
  utilizationTarget: number,
  redundancy: Redundancy,
): AgentFleetSize {
  const base = Math.max(replicasForUtilization(ratePerSec, goodputPerReplica, utilizationTarget), 1);
  const red = withRedundancy(base, redundancy);
  return {
    goodputPerReplica,
    basis,
    baseReplicas: base,
    replicas: red.total,
    reasoning: [
      {
        name: 'agent replicas',
        formula: `R_agent = ceil(lambda_peak / (agent goodput per replica x u)), then ${redundancyFormula(redundancy)}`,
        inputs: { lambdaPerSec: ratePerSec, goodputPerReplica, u: utilizationTarget, basis },
        value: red.total,
        ...(basis === 'bound'
          ? {
              note: 'the sweep never saturated the agent: its goodput is a lower bound, so this count is an upper bound',
            }
          : {}),
      },
    ],
  };
}
