/**
 * What-if across GPU profiles, from the model server's performance model: MODELLED, not measured.
 *
 * Steady state with N sequences running (every slot busy, arrivals replacing completions):
 *   context per sequence ~ in + out/2, so decode context = N (in + out/2);
 *   N / out new prompts start per step, so chunked prefill adds N in / out tokens per step;
 *   ITL = stepMs(N, N (in + out/2), N in / out);
 *   TTFT = ITL / 2 (wait for the step boundary) + stepMs(N, N (in + out/2), in);
 *   E2E = TTFT + (out - 1) ITL;  goodput = N / E2E (Little);  KV: N (in + out) <= KV capacity.
 * N* is the largest N whose means, times the tail factors measured on the real curve (pNN / mean),
 * meet the SLO. When the measured configuration's profile is among the models, every row is also
 * scaled by measured / modelled goodput of that profile (calibration).
 */
import type { PerfModel } from '../reference-service/model-server/perf-types.ts';
import { smallestReplicasForQueue } from './queueing.ts';
import { sizeModelFleet } from './sizing.ts';
import { statKeyFor, type SloConstraint } from './slo.ts';
import type { CapacityCurve, Policy, Reasoning } from './types.ts';

export interface TailFactors {
  ttft: number;
  itl: number;
  e2e: number;
}

export interface ModelledPoint {
  concurrency: number;
  ttftMs: number;
  itlMs: number;
  e2eMs: number;
  ratePerSec: number;
  outputTokensPerSec: number;
}

export function modelledPoint(
  model: PerfModel,
  n: number,
  inTokens: number,
  outTokens: number,
): ModelledPoint {
  const out = Math.max(outTokens, 1);
  const ctx = n * (inTokens + out / 2);
  const itlMs = model.stepMs({
    decodeSeqs: n,
    decodeContextTokens: ctx,
    prefillTokens: (n * inTokens) / out,
  });
  const ttftMs =
    itlMs / 2 + model.stepMs({ decodeSeqs: n, decodeContextTokens: ctx, prefillTokens: inTokens });
  const e2eMs = ttftMs + (out - 1) * itlMs;
  const ratePerSec = (1000 * n) / e2eMs;
  return { concurrency: n, ttftMs, itlMs, e2eMs, ratePerSec, outputTokensPerSec: ratePerSec * out };
}

function meets(p: ModelledPoint, constraints: readonly SloConstraint[], tails: TailFactors): boolean {
  return constraints.every((c) => {
    if (c.metric === 'ttftMs') return p.ttftMs * tails.ttft <= c.limit;
    if (c.metric === 'itlMs') return p.itlMs * tails.itl <= c.limit;
    if (c.metric === 'e2eMs') return p.e2eMs * tails.e2e <= c.limit;
    return true;
  });
}

/** Largest concurrency meeting the SLO and the KV capacity; null if even one request misses. */
export function modelledGoodput(
  model: PerfModel,
  inTokens: number,
  outTokens: number,
  constraints: readonly SloConstraint[],
  tails: TailFactors,
): { point: ModelledPoint; kvLimit: number } | null {
  const kvLimit = Math.floor(model.kvCapacityTokens / Math.max(inTokens + outTokens, 1));
  const maxN = Math.min(kvLimit, 4096);
  let best: ModelledPoint | null = null;
  for (let n = 1; n <= maxN; n += 1) {
    const p = modelledPoint(model, n, inTokens, outTokens);
    if (!meets(p, constraints, tails)) break;
    best = p;
  }
  return best === null ? null : { point: best, kvLimit };
}

export interface WhatIfRow {
  basis: 'modelled';
  profile: string;
  gpu: string;
  gpusPerReplica: number;
  /** null when the profile cannot meet the SLO even with one request in flight. */
  modelled: ModelledPoint | null;
  kvLimitedConcurrency: number | null;
  /** Goodput per replica after calibration (equal to modelled when no calibration applies). */
  goodputPerReplica: number | null;
  calibrationFactor: number | null;
  replicas: number | null;
  gpus: number | null;
  nodes: number | null;
  costPerHourUsd: number | null;
  reasoning: Reasoning[];
}

export interface WhatIfInput {
  models: readonly PerfModel[];
  ratePerSec: number;
  meanInputTokens: number;
  meanOutputTokens: number;
  constraints: readonly SloConstraint[];
  tails: TailFactors;
  policy: Policy;
  arrivalScv: number;
  serviceScv: number;
  maxWaitProbability: number;
  /** Measured goodput of the profile that was swept, for calibration. */
  measured: { profile: string; goodputPerReplica: number } | null;
}

const UNMET = {
  modelled: null,
  kvLimitedConcurrency: null,
  goodputPerReplica: null,
  replicas: null,
  gpus: null,
  nodes: null,
  costPerHourUsd: null,
  reasoning: [{ name: 'modelled goodput', formula: 'no N >= 1 meets the SLO', inputs: {}, value: null }],
};

function fleetFor(point: ModelledPoint, goodput: number, gpusPerReplica: number, input: WhatIfInput) {
  const ttftTarget = input.constraints.find((c) => c.metric === 'ttftMs');
  const queue = smallestReplicasForQueue({
    ratePerSec: input.ratePerSec,
    slotsPerReplica: point.concurrency,
    serviceMs: (1000 * point.concurrency) / goodput,
    arrivalScv: input.arrivalScv,
    serviceScv: input.serviceScv,
    budgetMs:
      ttftTarget === undefined ? null : Math.max(0, ttftTarget.limit - point.ttftMs * input.tails.ttft),
    maxProb: input.maxWaitProbability,
  });
  return sizeModelFleet({
    ratePerSec: input.ratePerSec,
    goodputPerReplica: goodput,
    utilizationTarget: input.policy.utilizationTarget,
    queueReplicas: queue.replicas,
    redundancy: input.policy.redundancy,
    gpusPerReplica,
    gpusPerNode: input.policy.gpusPerNode,
  });
}

function rowFor(model: PerfModel, input: WhatIfInput, factor: number | null): WhatIfRow {
  const { profile } = model;
  const base = {
    basis: 'modelled' as const,
    profile: profile.name,
    gpu: profile.gpu.name,
    gpusPerReplica: profile.tensorParallel,
    calibrationFactor: factor,
  };
  const found = modelledGoodput(
    model,
    input.meanInputTokens,
    input.meanOutputTokens,
    input.constraints,
    input.tails,
  );
  if (found === null) return { ...base, ...UNMET };
  const { point, kvLimit } = found;
  const goodput = point.ratePerSec * (factor ?? 1);
  const size = fleetFor(point, goodput, profile.tensorParallel, input);
  const gpuHourUsd = input.policy.gpuHourUsdByGpu?.[profile.gpu.name] ?? null;
  return {
    ...base,
    modelled: point,
    kvLimitedConcurrency: kvLimit,
    goodputPerReplica: goodput,
    replicas: size.replicas,
    gpus: size.gpus,
    nodes: size.nodes,
    costPerHourUsd: gpuHourUsd === null ? null : size.gpus * gpuHourUsd,
    reasoning: [
      {
        name: `${profile.name}: modelled goodput per replica`,
        formula: 'N* / E2E(N*) x calibration; E2E = TTFT + (out - 1) ITL from stepMs',
        inputs: { N: point.concurrency, e2eMs: point.e2eMs, itlMs: point.itlMs, calibration: factor },
        value: goodput,
      },
      ...size.reasoning,
    ],
  };
}

export function whatIf(input: WhatIfInput): WhatIfRow[] {
  let factor: number | null = null;
  const swept =
    input.measured === null
      ? undefined
      : input.models.find((m) => m.profile.name === input.measured!.profile);
  if (swept !== undefined) {
    const raw = modelledGoodput(
      swept,
      input.meanInputTokens,
      input.meanOutputTokens,
      input.constraints,
      input.tails,
    );
    if (raw !== null && raw.point.ratePerSec > 0)
      factor = input.measured!.goodputPerReplica / raw.point.ratePerSec;
  }
  return input.models.map((m) => rowFor(m, input, factor));
}

/** pNN / mean of each SLO metric at the measured point nearest the goodput load (1 when unknown). */
export function tailFactorsAt(
  curve: CapacityCurve,
  offered: number,
  constraints: readonly SloConstraint[],
): TailFactors {
  const nearest = curve.points.reduce((a, b) =>
    Math.abs(b.offeredPerReplica - offered) < Math.abs(a.offeredPerReplica - offered) ? b : a,
  );
  const factor = (metric: 'ttftMs' | 'itlMs' | 'e2eMs') => {
    const c = constraints.find((k) => k.metric === metric);
    const stats = nearest[metric];
    if (c === undefined || !(stats.mean > 0) || !Number.isFinite(stats.mean)) return 1;
    return stats[statKeyFor(c.percentile!)] / stats.mean;
  };
  return { ttft: factor('ttftMs'), itl: factor('itlMs'), e2e: factor('e2eMs') };
}
