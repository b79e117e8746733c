/**
 * Validating a plan by measurement: run the recommended configuration (or a slice of it: k
 * replicas at k / R of the peak) at its share of the peak and compare what was measured with what
 * the plan predicted. The load itself is run by a function passed in (the engine and a stack), so
 * this module stays pure and testable with a fake.
 *
 * A slice is pessimistic for queueing (fewer slots pool less: Erlang C falls with c at equal
 * utilization), so passing on a slice is a safe sign; failing on one is not proof the full fleet fails.
 */
import type { DistributionStats, Summary, Timeseries } from '../harness/results/schema.ts';
import { PlanInputError } from './errors.ts';
import type { CapacityPlan } from './plan.ts';
import { sloConstraints, statKeyFor } from './slo.ts';

export interface ValidationLoad {
  ratePerSec: number;
  durationSec: number;
  modelReplicas: number;
  agentReplicas: number | null;
  maxConcurrentRequests: number;
  maxBatchPrefillTokens: number;
  profile: string | null;
  meanInputTokens: number;
  meanOutputTokens: number;
  seed: number;
}

export interface MeasuredFigures {
  achievedRatePerSec: number;
  errorRate: number;
  meanInFlight: number | null;
  ttftMs: DistributionStats | null;
  itlMs: DistributionStats | null;
  e2eMs: DistributionStats | null;
}

export type LoadRunner = (load: ValidationLoad) => Promise<MeasuredFigures>;

export interface ValidationCheck {
  name: string;
  predicted: number | null;
  measured: number | null;
  ok: boolean;
  note?: string;
}

export interface ValidationReport {
  load: ValidationLoad;
  checks: ValidationCheck[];
  ok: boolean;
}

export interface ValidationOptions {
  /** Model replicas to run; defaults to min(recommended, 4). */
  replicas?: number;
  durationSec: number;
  seed: number;
  /** Tolerance on the in-flight prediction (Little's law), fraction. */
  inFlightTolerance?: number;
}

export function validationLoad(plan: CapacityPlan, opts: ValidationOptions): ValidationLoad {
  if (plan.recommended === null || plan.settings === null) {
    throw new PlanInputError('This plan has no model-server fleet to validate', {
      hint: 'Validate plans built from model-server sweeps (a hosted-API plan has nothing to run).',
    });
  }
  const option = plan.options[plan.recommended]!;
  const total = option.totals.replicas;
  const k = Math.min(opts.replicas ?? Math.min(total, 4), total);
  const agentReplicas =
    plan.agent === null ? null : Math.max(1, Math.ceil((plan.agent.size.replicas * k) / Math.max(total, 1)));
  return {
    ratePerSec: (plan.demand.peakRatePerSec * k) / total,
    durationSec: opts.durationSec,
    modelReplicas: k,
    agentReplicas,
    maxConcurrentRequests: plan.settings.maxConcurrentRequests,
    maxBatchPrefillTokens: plan.settings.maxBatchPrefillTokens,
    profile: option.profile,
    meanInputTokens: plan.demand.meanInputTokens,
    meanOutputTokens: plan.demand.meanOutputTokens,
    seed: opts.seed,
  };
}

/** Measured figures from a run's results; in-flight is the time series' mean when given. */
export function figuresFromSummary(summary: Summary, timeseries?: Timeseries): MeasuredFigures {
  const stats = (m: { stats: DistributionStats }) => (m.stats.count > 0 ? m.stats : null);
  const points = timeseries?.points ?? [];
  return {
    achievedRatePerSec: summary.rates.completedPerSec,
    errorRate: summary.rates.errorRate,
    meanInFlight: points.length === 0 ? null : points.reduce((s, p) => s + p.inFlight, 0) / points.length,
    ttftMs: stats(summary.metrics.ttftMs),
    itlMs: stats(summary.metrics.itlMs),
    e2eMs: stats(summary.metrics.e2eMs),
  };
}

export function compareToPlan(
  plan: CapacityPlan,
  load: ValidationLoad,
  m: MeasuredFigures,
  tolerance = 0.25,
): ValidationCheck[] {
  const option = plan.options[plan.recommended!]!;
  const checks: ValidationCheck[] = sloConstraints(plan.inputs.slo).map((c) => {
    if (c.metric === 'errorRate') {
      return { name: 'error rate', predicted: c.limit, measured: m.errorRate, ok: m.errorRate <= c.limit };
    }
    const stats = m[c.metric];
    const measured = stats === null ? null : stats[statKeyFor(c.percentile!)];
    return { name: c.label, predicted: c.limit, measured, ok: measured !== null && measured <= c.limit };
  });
  checks.push({
    name: 'achieved rate (requests/s)',
    predicted: load.ratePerSec,
    measured: m.achievedRatePerSec,
    ok: m.achievedRatePerSec >= 0.95 * load.ratePerSec,
    note: 'must reach 95% of the offered rate',
  });
  if (m.meanInFlight !== null) {
    const predicted = (load.ratePerSec * option.goodput.meanServiceMs) / 1000;
    checks.push({
      name: "requests in flight (Little's law)",
      predicted,
      measured: m.meanInFlight,
      ok: Math.abs(m.meanInFlight - predicted) <= tolerance * predicted,
      note: `within ${tolerance * 100}% of lambda x S`,
    });
  }
  return checks;
}

/** Runs the plan's configuration through `run` and checks the measurements against the plan. */
export async function validatePlan(
  plan: CapacityPlan,
  run: LoadRunner,
  opts: ValidationOptions,
): Promise<ValidationReport> {
  const load = validationLoad(plan, opts);
  const measured = await run(load);
  const checks = compareToPlan(plan, load, measured, opts.inFlightTolerance);
  return { load, checks, ok: checks.every((c) => c.ok) };
}
