/**
 * One measured model-server configuration turned into a fleet: goodput at the demand's mix, then
 * per region the replicas (utilization, queueing, redundancy), GPUs, nodes, and the settings.
 */
import type { PerfModel } from '../reference-service/model-server/perf-types.ts';
import { measuredMix } from './curves.ts';
import { computeGoodput, type GoodputResult } from './goodput.ts';
import {
  fleetQueueing,
  smallestReplicasForQueue,
  type FleetQueueInput,
  type FleetQueueing,
} from './queueing.ts';
import { sizeModelFleet, type FleetSize } from './sizing.ts';
import { mixScaling, type MixScaling, type SloConstraint } from './slo.ts';
import type { CapacityCurve, Demand, Policy, Reasoning } from './types.ts';

export interface RegionPlan {
  name: string;
  demandShare: number;
  ratePerSec: number;
  size: FleetSize;
  queueing: FleetQueueing;
}

export interface ModelServerOption {
  basis: 'measured';
  curveKey: string;
  profile: string | null;
  mix: MixScaling;
  goodput: GoodputResult;
  regions: RegionPlan[];
  totals: { replicas: number; afterFailureReplicas: number; gpus: number; nodes: number };
  reasoning: Reasoning[];
}

const DEFAULT_PREFILL_COST_RATIO = 0.2;

/**
 * kappa = marginal prefill ms per prompt token / decode ms per sequence, both in a step carrying
 * the goodput batch: (stepMs(N, ctx, 1024) - stepMs(N, ctx, 0)) / 1024 / (stepMs(N, ctx, 0) / N).
 */
export function prefillCostRatio(
  policy: Policy,
  model: PerfModel | null,
  concurrency: number,
  mix: { meanInputTokens: number; meanOutputTokens: number },
): Reasoning {
  if (policy.prefillCostRatio !== undefined) {
    return {
      name: 'kappa (prefill cost ratio)',
      formula: 'given in the policy',
      inputs: {},
      value: policy.prefillCostRatio,
    };
  }
  if (model === null) {
    return {
      name: 'kappa (prefill cost ratio)',
      formula: 'default (no performance model for this profile)',
      inputs: {},
      value: DEFAULT_PREFILL_COST_RATIO,
    };
  }
  const n = Math.max(1, Math.round(concurrency));
  const ctx = n * (mix.meanInputTokens + mix.meanOutputTokens / 2);
  const decode = model.stepMs({ decodeSeqs: n, decodeContextTokens: ctx, prefillTokens: 0 });
  const withPrefill = model.stepMs({ decodeSeqs: n, decodeContextTokens: ctx, prefillTokens: 1024 });
  const kappa = (withPrefill - decode) / 1024 / (decode / n);
  return {
    name: 'kappa (prefill cost ratio)',
    formula: '((stepMs(N, ctx, 1024) - stepMs(N, ctx, 0)) / 1024) / (stepMs(N, ctx, 0) / N)',
    inputs: { N: n, ctx, profile: model.profile.name },
    value: kappa,
  };
}

export interface OptionContext {
  demand: Demand;
  peakRatePerSec: number;
  constraints: readonly SloConstraint[];
  policy: Policy;
  perfModel: PerfModel | null;
  gpusPerReplica: number;
}

export function queueBudget(constraints: readonly SloConstraint[], goodput: GoodputResult) {
  const ttft = constraints.find((c) => c.metric === 'ttftMs');
  if (ttft !== undefined) {
    return { budgetMs: Math.max(0, ttft.limit - goodput.ttftInSlotMs), maxProb: 1 - ttft.percentile! / 100 };
  }
  const e2e = constraints.find((c) => c.metric === 'e2eMs');
  if (e2e !== undefined) {
    return { budgetMs: Math.max(0, e2e.limit - goodput.meanServiceMs), maxProb: 1 - e2e.percentile! / 100 };
  }
  return { budgetMs: null, maxProb: 0.05 };
}

export function planOption(curve: CapacityCurve, ctx: OptionContext): ModelServerOption {
  const { policy, demand } = ctx;
  const measured = measuredMix(curve);
  const boot = { iterations: policy.bootstrapIterations, confidence: policy.confidence, seed: policy.seed };
  const atMeasured = computeGoodput(curve, ctx.constraints, mixScaling(measured, {}, 0).scaling, boot);
  const kappa = prefillCostRatio(policy, ctx.perfModel, atMeasured.concurrency, measured);
  const mix = mixScaling(measured, demand, kappa.value as number);
  const goodput =
    mix.scaling.costRatio === 1 ? atMeasured : computeGoodput(curve, ctx.constraints, mix.scaling, boot);
  const { budgetMs, maxProb } = queueBudget(ctx.constraints, goodput);
  const regionList = policy.regions ?? [{ name: 'all', demandShare: 1 }];
  const regions = regionList.map((region): RegionPlan => {
    const ratePerSec = ctx.peakRatePerSec * region.demandShare;
    const queueInput: FleetQueueInput = {
      ratePerSec,
      slotsPerReplica: Math.max(1, Math.floor(goodput.concurrency + 1e-9)),
      serviceMs: goodput.meanServiceMs,
      arrivalScv: demand.arrivalScv ?? 1,
      serviceScv: demand.serviceScv ?? goodput.serviceScv,
      budgetMs,
      maxProb,
    };
    const size = sizeModelFleet({
      ratePerSec,
      goodputPerReplica: goodput.ratePerSec,
      utilizationTarget: policy.utilizationTarget,
      queueReplicas: smallestReplicasForQueue(queueInput).replicas,
      redundancy: policy.redundancy,
      gpusPerReplica: ctx.gpusPerReplica,
      gpusPerNode: policy.gpusPerNode,
    });
    const queueing = fleetQueueing(queueInput, size.replicas, size.afterFailureReplicas);
    return { name: region.name, demandShare: region.demandShare, ratePerSec, size, queueing };
  });
  const sum = (f: (r: RegionPlan) => number) => regions.reduce((s, r) => s + f(r), 0);
  return {
    basis: 'measured',
    curveKey: curve.key,
    profile: curve.profile,
    mix: mix.scaling,
    goodput,
    regions,
    totals: {
      replicas: sum((r) => r.size.replicas),
      afterFailureReplicas: sum((r) => r.size.afterFailureReplicas),
      gpus: sum((r) => r.size.gpus),
      nodes: sum((r) => r.size.nodes),
    },
    reasoning: [kappa, mix.reasoning],
  };
}
