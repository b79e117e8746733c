/**
 * Validating a plan by measurement: run the recommended configuration (or a slice of it: k
 * replicas at k / R of the peak) at its share of the peak and compare what was measured with what
 * the plan predicted. The load itself is run by a function passed in (the engine and a stack), so
 * this module stays pure and testable with a fake.
 *
 * A slice is pessimistic for queueing (fewer slots pool less: Erlang C falls with c at equal
 * utilization), so passing on a slice is a safe sign; failing on one is not proof the full fleet fails.
 */
import type { DistributionStats, Summary, SweepStep, Timeseries } from '../harness/results/schema.ts';
import { PlanInputError, SloUnmetError } from './errors.ts';
import { computeGoodput } from './goodput.ts';
import { interpolate, isotonicIncreasing } from './monotone.ts';
import type { CapacityPlan } from './plan.ts';
import { mixScaling, sloConstraints, statKeyFor } from './slo.ts';
import type { CapacityCurve, CurvePoint, SloTargets } from './types.ts';

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
  /** Model replicas to run (taken as given); defaults to min(recommended, 4). */
  replicas?: number;
  /** Load per model replica; defaults to the plan's, peak / recommended replicas. */
  ratePerReplicaPerSec?: number;
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
  const k = opts.replicas ?? Math.min(total, 4);
  const agentReplicas =
    plan.agent === null ? null : Math.max(1, Math.ceil((plan.agent.size.replicas * k) / Math.max(total, 1)));
  return {
    ratePerSec: (opts.ratePerReplicaPerSec ?? plan.demand.peakRatePerSec / total) * k,
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

/** Measured figures of one sweep step (a validation run's operating point). */
export function figuresFromStep(step: SweepStep): MeasuredFigures {
  const stats = (d: DistributionStats) => (d.count > 0 ? d : null);
  return {
    achievedRatePerSec: step.durationSec > 0 ? step.completed / step.durationSec : step.achievedRatePerSec,
    errorRate: step.errorRate,
    meanInFlight: step.meanInFlight,
    ttftMs: stats(step.ttftMs),
    itlMs: stats(step.itlMs),
    e2eMs: stats(step.e2eMs),
  };
}

export function compareToPlan(
  plan: CapacityPlan,
  load: ValidationLoad,
  m: MeasuredFigures,
  tolerance = 0.25,
  predictedInFlight?: number,
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
    // lambda x S with S at goodput overstates in-flight below it; a curve-based figure is better.
    const predicted = predictedInFlight ?? (load.ratePerSec * option.goodput.meanServiceMs) / 1000;
    checks.push({
      name: "requests in flight (Little's law)",
      predicted,
      measured: m.meanInFlight,
      ok: Math.abs(m.meanInFlight - predicted) <= tolerance * predicted,
      note: `within ${tolerance * 100}% of ${predictedInFlight === undefined ? 'lambda x S' : 'the 1-replica curve at lambda / k, times k'}`,
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

/** What the plan predicts for k replicas at a load: goodput scales by k; the rest is one replica's at load / k. */
export interface ReplicaPrediction {
  replicas: number;
  /** All replicas together, requests/s. */
  goodputPerSec: number;
  /** The load the latency figures are for, all replicas together, requests/s. */
  ratePerSec: number;
  e2eP95Ms: number;
  /** Requests in flight, all replicas together (Little's law check). */
  meanInFlight: number;
  /** p95 E2E at k x the per-replica goodput: the SLO limit when E2E p95 is the binding target. */
  e2eP95AtGoodputMs: number;
}

/** The 1-replica curve's metric at a per-replica load: isotonic fit (as the goodput uses), interpolated. */
export function curveAt(curve: CapacityCurve, metric: (p: CurvePoint) => number, perReplica: number): number {
  const xs = curve.points.map((p) => p.offeredPerReplica);
  return interpolate(xs, isotonicIncreasing(curve.points.map(metric)), perReplica);
}

/**
 * Goodput: k x the recommended option's per-replica goodput (even balancing, independent replicas).
 * At a total load lambda each replica sees lambda / k, so p95 E2E and in-flight are the 1-replica
 * curve's at lambda / k (in-flight times k). A load balancer that sends each request to the replica
 * with the fewest in flight pools bursts across replicas, so for k >= 2 this latency is an upper
 * bound below the knee (docs/planner.md, Validation).
 */
export function predictAtReplicas(
  plan: CapacityPlan,
  curve: CapacityCurve,
  replicas: number,
  ratePerSec: number,
): ReplicaPrediction {
  const goodput = plan.options[plan.recommended!]!.goodput.ratePerSec;
  const x = ratePerSec / replicas;
  return {
    replicas,
    goodputPerSec: replicas * goodput,
    ratePerSec,
    e2eP95Ms: curveAt(curve, (p) => p.e2eMs.p95, x),
    meanInFlight: replicas * curveAt(curve, (p) => p.meanInFlight, x),
    e2eP95AtGoodputMs: curveAt(curve, (p) => p.e2eMs.p95, goodput),
  };
}

/** Fractions of the predicted per-replica goodput a validation run steps through to find its knee. */
const KNEE_FRACTIONS = [0.9, 1, 1.1, 1.25] as const;

/**
 * Per-replica rates of a validation run, ascending: the operating point (where p95 E2E is compared)
 * and rates around the predicted goodput, so the measured goodput is read the same way as the sweep's.
 * A knee rate within 3% of the operating point is dropped (the operating point stands for it).
 */
export function validationGrid(goodputPerReplica: number, operatingPerReplica: number): number[] {
  const round = (r: number) => Math.round(r * 1000) / 1000;
  const knee = KNEE_FRACTIONS.map((f) => f * goodputPerReplica).filter(
    (r) => Math.abs(r - operatingPerReplica) > 0.03 * operatingPerReplica,
  );
  return [operatingPerReplica, ...knee].sort((a, b) => a - b).map(round);
}

export interface MeasuredGoodput {
  /** All replicas together, requests/s. */
  goodputPerSec: number;
  /** within: crossed inside the run; censored: never crossed (a lower bound); unmet: missed at every load. */
  status: 'within' | 'censored' | 'unmet';
  binding: string | null;
}

/** Goodput of a validation run, read off its steps exactly as the planner reads a sweep's. */
export function measuredGoodput(curve: CapacityCurve, slo: SloTargets): MeasuredGoodput {
  const mix = mixScaling(curve.points[0]!, {}, 0).scaling;
  try {
    const g = computeGoodput(curve, sloConstraints(slo), mix, { iterations: 0, confidence: 0.95, seed: 1 });
    return { goodputPerSec: g.ratePerSec * curve.measuredReplicas, status: g.status, binding: g.binding };
  } catch (error) {
    if (!(error instanceof SloUnmetError)) throw error;
    return { goodputPerSec: 0, status: 'unmet', binding: null };
  }
}

/** Signed error of a prediction, percent of the measured value (null when there is none to divide by). */
export function errorPct(predicted: number, measured: number): number | null {
  return measured > 0 && Number.isFinite(measured) ? ((predicted - measured) / measured) * 100 : null;
}
