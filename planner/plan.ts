/**
 * planCapacity: measured curves + demand + SLO + policy -> CapacityPlan. Pure (no I/O, no clock,
 * seeded randomness) so the same inputs give the same plan, and fast (well under a second).
 * Every model-server configuration measured becomes an option; the cheapest (else the one with
 * the fewest GPUs) is recommended, and settings, rate limits, autoscaling and cost are given for it.
 */
import type { PerfModel } from '../reference-service/model-server/perf-types.ts';
import { planAgent, type AgentPlan } from './agent-plan.ts';
import { planAutoscaling, type AutoscaleResult } from './autoscale-sim.ts';
import { estimateCost } from './cost.ts';
import { demandSeries, meanOf, peakRatePerSec } from './demand.ts';
import { PlanInputError } from './errors.ts';
import { planOption, queueBudget, type ModelServerOption } from './plan-option.ts';
import {
  checkHostedQuota,
  globalLimits,
  hostedGlobalLimits,
  tenantLimits,
  type MixInput,
} from './rate-limits.ts';
import { serverSettings } from './server-settings.ts';
import { sloConstraints, type SloConstraint } from './slo.ts';
import type { CapacityCurve, Demand, Policy, Reasoning, SloTargets } from './types.ts';
import { tailFactorsAt, whatIf, type WhatIfRow } from './what-if.ts';

export type { AgentPlan } from './agent-plan.ts';

import {
  CAPACITY_PLAN_SCHEMA_VERSION,
  type CapacityPlan,
  type PlanDemand,
  type PlanOptions,
} from './plan-types.ts';

export { CAPACITY_PLAN_SCHEMA_VERSION } from './plan-types.ts';
export type { CapacityPlan, PlanDemand, PlanOptions } from './plan-types.ts';

interface PlanContext {
  curves: readonly CapacityCurve[];
  demand: Demand;
  policy: Policy;
  constraints: readonly SloConstraint[];
  peak: number;
  series: number[];
  options: PlanOptions;
  notes: string[];
}

function findModel(models: readonly PerfModel[] | undefined, profile: string | null): PerfModel | null {
  return models?.find((m) => m.profile.name === profile) ?? null;
}

/** $/GPU-hour of an option: the per-GPU price of its profile's GPU, else the policy's single price. */
function gpuPrice(option: ModelServerOption, ctx: PlanContext): number | null {
  const gpu = findModel(ctx.options.perfModels, option.profile)?.profile.gpu.name;
  return (gpu === undefined ? undefined : ctx.policy.gpuHourUsdByGpu?.[gpu]) ?? ctx.policy.gpuHourUsd ?? null;
}

function pickRecommended(options: readonly ModelServerOption[], ctx: PlanContext): number | null {
  if (options.length === 0) return null;
  const price = (o: ModelServerOption) => o.totals.gpus * (gpuPrice(o, ctx) ?? 1);
  let best = 0;
  options.forEach((o, i) => {
    const b = options[best]!;
    if (price(o) < price(b) || (price(o) === price(b) && o.goodput.ratePerSec > b.goodput.ratePerSec))
      best = i;
  });
  return best;
}

function buildOptions(ctx: PlanContext): ModelServerOption[] {
  return ctx.curves
    .filter((c) => c.role === 'model')
    .map((curve) => {
      const perfModel = findModel(ctx.options.perfModels, curve.profile);
      const option = planOption(curve, {
        demand: ctx.demand,
        peakRatePerSec: ctx.peak,
        constraints: ctx.constraints,
        policy: ctx.policy,
        perfModel,
        gpusPerReplica:
          ctx.policy.gpusPerReplica ?? curve.gpusPerReplica ?? perfModel?.profile.tensorParallel ?? 1,
      });
      if (option.goodput.status === 'censored') {
        ctx.notes.push(
          `${curve.key}: the sweep never reached an SLO limit; goodput is a lower bound (extend the sweep)`,
        );
      }
      return option;
    });
}

function autoscale(
  option: ModelServerOption,
  model: PerfModel | null,
  ctx: PlanContext,
): AutoscaleResult | null {
  const { policy } = ctx;
  if (ctx.series.length === 0) {
    ctx.notes.push('autoscaling not simulated: the demand has no daily curve or spikes');
    return null;
  }
  const coldStartSec = policy.coldStartSec ?? model?.profile.loadTimeSec;
  if (coldStartSec === undefined) {
    ctx.notes.push(
      'autoscaling not simulated: no cold-start time (pass --cold-start-sec or a known profile)',
    );
    return null;
  }
  const g = option.goodput;
  return planAutoscaling({
    ...policy.autoscaler,
    demandPerSec: ctx.series,
    goodputPerReplica: g.ratePerSec,
    serviceSec: g.meanServiceMs / 1000,
    targetConcurrencyPerReplica: g.concurrency * policy.utilizationTarget,
    coldStartSec,
    queueBudgetSec: (queueBudget(ctx.constraints, g).budgetMs ?? 0) / 1000,
  });
}

function slotsOf(option: ModelServerOption): number {
  return Math.max(1, Math.ceil(option.goodput.concurrency - 1e-9));
}

function settingsFor(rec: ModelServerOption, mix: MixInput, agent: AgentPlan | null, ctx: PlanContext) {
  return serverSettings({
    goodput: rec.goodput,
    meanInputTokens: mix.meanInputTokens,
    meanOutputTokens: mix.meanOutputTokens,
    itlLimitMs: ctx.constraints.find((c) => c.metric === 'itlMs')?.limit ?? null,
    perfModel: findModel(ctx.options.perfModels, rec.profile),
    modelSlots: rec.totals.replicas * slotsOf(rec),
    agent:
      agent === null
        ? null
        : { replicas: agent.size.replicas, concurrency: agent.goodput?.concurrency ?? null },
  });
}

function costFor(
  rec: ModelServerOption,
  agent: AgentPlan | null,
  auto: AutoscaleResult | null,
  ctx: PlanContext,
) {
  return estimateCost({
    gpus: rec.totals.gpus,
    gpuHourUsd: gpuPrice(rec, ctx),
    agentReplicas: agent?.size.replicas ?? 0,
    agentReplicaHourUsd: ctx.policy.agentReplicaHourUsd ?? null,
    peakRatePerSec: ctx.peak,
    meanRatePerSec: meanOf(ctx.series),
    outputTokensPerRequest: rec.mix.demandOutputTokens,
    autoscaled:
      auto === null
        ? null
        : { meanReplicas: auto.run.meanReadyReplicas, gpusPerReplica: rec.regions[0]!.size.gpusPerReplica },
  });
}

function whatIfFor(rec: ModelServerOption | null, mix: MixInput, ctx: PlanContext): WhatIfRow[] | null {
  const models = ctx.options.whatIfModels;
  if (models === undefined || models.length === 0) return null;
  const recCurve =
    rec === null ? undefined : ctx.curves.find((c) => c.role === 'model' && c.key === rec.curveKey);
  return whatIf({
    models,
    ratePerSec: ctx.peak,
    meanInputTokens: mix.meanInputTokens,
    meanOutputTokens: mix.meanOutputTokens,
    constraints: ctx.constraints,
    tails:
      rec !== null && recCurve !== undefined
        ? tailFactorsAt(recCurve, rec.goodput.offeredPerReplica, ctx.constraints)
        : { ttft: 1, itl: 1, e2e: 1 },
    policy: ctx.policy,
    arrivalScv: ctx.demand.arrivalScv ?? 1,
    serviceScv: ctx.demand.serviceScv ?? rec?.goodput.serviceScv ?? 1,
    maxWaitProbability: rec?.regions[0]?.queueing.maxProbability ?? 0.05,
    measured:
      rec?.profile == null ? null : { profile: rec.profile, goodputPerReplica: rec.goodput.ratePerSec },
  });
}

function planDemand(ctx: PlanContext, mix: MixInput, peakReasoning: Reasoning): PlanDemand {
  const d = ctx.demand;
  return {
    peakRatePerSec: ctx.peak,
    meanRatePerSec: meanOf(ctx.series),
    maxRatePerSec: ctx.series.length === 0 ? null : ctx.series.reduce((m, v) => Math.max(m, v), 0),
    meanInputTokens: mix.meanInputTokens,
    meanOutputTokens: mix.meanOutputTokens,
    mixSource: d.meanInputTokens !== undefined || d.meanOutputTokens !== undefined ? 'demand' : 'measured',
    reasoning: [peakReasoning],
  };
}

function echoCurve(c: CapacityCurve): CapacityPlan['inputs']['curves'][number] {
  return {
    key: c.key,
    role: c.role,
    loadAxis: c.loadAxis,
    runs: c.runs,
    points: c.points.length,
    measuredReplicas: c.measuredReplicas,
  };
}

function fleetLimits(rec: ModelServerOption | null, mix: MixInput, ctx: PlanContext) {
  const quota = ctx.policy.hostedApi;
  const hostedApi =
    quota === undefined ? null : checkHostedQuota(quota, ctx.peak, mix.meanInputTokens, mix.meanOutputTokens);
  const global =
    rec !== null
      ? globalLimits(rec.totals.afterFailureReplicas, rec.goodput.ratePerSec, rec.goodput.concurrency, mix)
      : hostedGlobalLimits(hostedApi!, mix);
  const tenants = tenantLimits(global, ctx.demand.tenants ?? [], mix, ctx.policy.oversubscription);
  return { hostedApi, rateLimits: { global, tenants } };
}

/** Builds the capacity plan. Throws PlannerInputError subclasses on input it cannot plan on. */
export function planCapacity(
  curves: readonly CapacityCurve[],
  demand: Demand,
  slo: SloTargets,
  policy: Policy,
  options: PlanOptions = {},
): CapacityPlan {
  if (!curves.some((c) => c.role === 'model') && policy.hostedApi === undefined) {
    throw new PlanInputError('No model-server sweep to plan on', {
      hint: 'Pass --from <results dir of a sweep>, or --api-quota when the model is a hosted API.',
    });
  }
  const peak = peakRatePerSec(demand);
  const series = demandSeries(demand, peak.value, policy.autoscaler.stepSec);
  // A hosted API with no sweep has no curve to judge an SLO on.
  const constraints = curves.length > 0 ? sloConstraints(slo) : [];
  const ctx: PlanContext = {
    curves,
    demand,
    policy,
    constraints,
    peak: peak.value,
    series,
    options,
    notes: [],
  };
  const opts = buildOptions(ctx);
  const recommended = pickRecommended(opts, ctx);
  const rec = recommended === null ? null : opts[recommended]!;
  const mix: MixInput = {
    meanInputTokens: rec?.mix.demandInputTokens ?? demand.meanInputTokens ?? 0,
    meanOutputTokens: rec?.mix.demandOutputTokens ?? demand.meanOutputTokens ?? 1,
    prefillCostRatio: rec?.mix.prefillCostRatio ?? policy.prefillCostRatio ?? 0.2,
  };
  const boot = { iterations: policy.bootstrapIterations, confidence: policy.confidence, seed: policy.seed };
  const recCurve = curves.find((c) => c.role === 'model' && c.key === rec?.curveKey);
  const agentCurve = curves.find((c) => c.role === 'agent');
  const agent = planAgent(agentCurve, recCurve, peak.value, constraints, policy, boot);
  if (agent === null)
    ctx.notes.push('agent replicas not sized: no agent sweep (--agent-from) and no agent count in the sweep');
  const { hostedApi, rateLimits } = fleetLimits(rec, mix, ctx);
  const autoscaling = rec === null ? null : autoscale(rec, findModel(options.perfModels, rec.profile), ctx);
  return {
    kind: 'agentload.capacity-plan',
    schemaVersion: CAPACITY_PLAN_SCHEMA_VERSION,
    inputs: { curves: curves.map(echoCurve), demand, slo, policy },
    demand: planDemand(ctx, mix, peak.reasoning),
    options: opts,
    recommended,
    settings: rec === null ? null : settingsFor(rec, mix, agent, ctx),
    cost: rec === null ? null : costFor(rec, agent, autoscaling, ctx),
    agent,
    rateLimits,
    hostedApi,
    autoscaling,
    whatIf: whatIfFor(rec, mix, ctx),
    notes: ctx.notes,
  };
}
