/**
 * SLO targets as constraints the goodput search checks, and the token-mix rescaling that moves a
 * measured curve to the demand's mix.
 *
 * Mix rescaling: a request costs kappa x input + output decode-token equivalents (kappa = prefill
 * cost of one prompt token over the cost of one decode token in a full batch). A replica's request
 * rate scales by costRatio = (kappa in_m + out_m) / (kappa in_d + out_d), and the decode part of
 * E2E by outputRatio = out_d / out_m. First-order: it ignores the change of ITL with context length.
 */
import type { DistributionStats, SloSpec } from '../harness/results/schema.ts';
import { PlanInputError } from './errors.ts';
import type { Reasoning, SloTargets } from './types.ts';

export type StatKey = keyof Pick<DistributionStats, 'p50' | 'p90' | 'p95' | 'p99' | 'p999'>;
export type SloMetric = 'ttftMs' | 'itlMs' | 'e2eMs' | 'errorRate';

export interface SloConstraint {
  metric: SloMetric;
  /** Percentile for latency metrics; null for the error rate. */
  percentile: number | null;
  limit: number;
  label: string;
}

const STAT_KEYS: Record<string, StatKey> = {
  '50': 'p50',
  '90': 'p90',
  '95': 'p95',
  '99': 'p99',
  '99.9': 'p999',
};

export function statKeyFor(percentile: number): StatKey {
  const key = STAT_KEYS[String(percentile)];
  if (key === undefined) {
    throw new PlanInputError(`SLO percentile ${percentile} is not one the results record`, {
      hint: 'Use one of 50, 90, 95, 99, 99.9.',
    });
  }
  return key;
}

/** The SLO targets as constraints, in a fixed order (TTFT, ITL, E2E, errors). */
export function sloConstraints(slo: SloTargets): SloConstraint[] {
  const out: SloConstraint[] = [];
  const latency = [
    ['ttftMs', 'ttft', slo.ttft],
    ['itlMs', 'itl', slo.itl],
    ['e2eMs', 'e2e', slo.e2e],
  ] as const;
  for (const [metric, short, target] of latency) {
    if (target === undefined) continue;
    statKeyFor(target.percentile);
    out.push({
      metric,
      percentile: target.percentile,
      limit: target.maxMs,
      label: `${short} p${target.percentile} (ms)`,
    });
  }
  if (slo.maxErrorRate !== undefined) {
    out.push({ metric: 'errorRate', percentile: null, limit: slo.maxErrorRate, label: 'error rate' });
  }
  if (out.length === 0) {
    throw new PlanInputError('The SLO has no targets', {
      hint: 'Pass --slo, e.g. --slo "ttft:p95=800,itl:p95=60,errors=0.01" (ms; errors as a fraction).',
    });
  }
  return out;
}

/** The SLO a sweep recorded in its summary, as planner targets. */
export function sloFromSummary(spec: SloSpec): SloTargets {
  const p = spec.percentile;
  const slo: SloTargets = {};
  if (spec.ttftMs !== undefined) slo.ttft = { percentile: p, maxMs: spec.ttftMs };
  if (spec.itlMs !== undefined) slo.itl = { percentile: p, maxMs: spec.itlMs };
  if (spec.e2eMs !== undefined) slo.e2e = { percentile: p, maxMs: spec.e2eMs };
  if (spec.maxErrorRate !== undefined) slo.maxErrorRate = spec.maxErrorRate;
  return slo;
}

/**
 * Parses `ttft:p95=800,itl:p99=60,e2e:p99=20000,errors=0.01`. Latencies are ms; a bare metric
 * (`ttft=800`) takes p95. Every problem is reported at once.
 */
export function parseSloSpec(spec: string): SloTargets {
  const slo: SloTargets = {};
  const problems: string[] = [];
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(ttft|itl|e2e|errors)(?::p([0-9.]+))?\s*(?:=|<=|<)\s*([0-9.eE+-]+)(ms|s|%)?$/.exec(part);
    if (m === null) {
      problems.push(`"${part}" is not metric[:pNN]=value`);
      continue;
    }
    const [, metric, pct, raw, unit] = m;
    let value = Number(raw);
    if (!Number.isFinite(value) || value < 0) {
      problems.push(`"${part}": ${raw} is not a non-negative number`);
      continue;
    }
    if (metric === 'errors') {
      slo.maxErrorRate = unit === '%' ? value / 100 : value;
      continue;
    }
    if (unit === 's') value *= 1000;
    const percentile = pct === undefined ? 95 : Number(pct);
    if (STAT_KEYS[String(percentile)] === undefined)
      problems.push(`"${part}": percentile must be 50, 90, 95, 99 or 99.9`);
    slo[metric as 'ttft' | 'itl' | 'e2e'] = { percentile, maxMs: value };
  }
  if (problems.length > 0) {
    throw new PlanInputError(`Invalid --slo "${spec}": ${problems.join('; ')}`, {
      hint: 'Write e.g. --slo "ttft:p95=800,itl:p95=60,e2e:p99=20s,errors=1%".',
    });
  }
  return slo;
}

export interface MixScaling {
  measuredInputTokens: number;
  measuredOutputTokens: number;
  demandInputTokens: number;
  demandOutputTokens: number;
  /** kappa: prompt-token cost in decode-token equivalents. */
  prefillCostRatio: number;
  outputRatio: number;
  costRatio: number;
}

export function mixScaling(
  measured: { meanInputTokens: number; meanOutputTokens: number },
  demand: { meanInputTokens?: number; meanOutputTokens?: number },
  prefillCostRatio: number,
): { scaling: MixScaling; reasoning: Reasoning } {
  const inM = measured.meanInputTokens;
  const outM = Math.max(measured.meanOutputTokens, 1e-9);
  const inD = demand.meanInputTokens ?? inM;
  const outD = demand.meanOutputTokens ?? outM;
  const k = prefillCostRatio;
  const costRatio = (k * inM + outM) / (k * inD + outD);
  const scaling: MixScaling = {
    measuredInputTokens: inM,
    measuredOutputTokens: outM,
    demandInputTokens: inD,
    demandOutputTokens: outD,
    prefillCostRatio: k,
    outputRatio: outD / outM,
    costRatio,
  };
  const reasoning: Reasoning = {
    name: 'token-mix cost ratio',
    formula: 'costRatio = (kappa in_measured + out_measured) / (kappa in_demand + out_demand)',
    inputs: { kappa: k, in_measured: inM, out_measured: outM, in_demand: inD, out_demand: outD },
    value: costRatio,
    note:
      costRatio === 1
        ? 'demand uses the measured mix'
        : 'goodput rescaled to the demand mix (modelled, first-order)',
  };
  return { scaling, reasoning };
}
