/**
 * Capacity curves from sweep results. Each sweep step becomes one point scaled to one replica:
 * rates, tokens/s and in-flight are divided by the replicas the measured stack ran, which assumes
 * the load balancer spread requests evenly. Sweeps of the same configuration (same profile, or the
 * same scenario when the profile is unknown) are pooled into one curve; steps at the same offered
 * load are then replicates, which is what the goodput bootstrap resamples.
 */
import type { DistributionStats, Summary, SweepStep } from '../harness/results/schema.ts';
import { NoSweepError, PlanInputError } from './errors.ts';
import type { CapacityCurve, CurvePoint, CurveRole, LoadAxis } from './types.ts';

export interface SweepResults {
  /** Directory (or file) the summary was read from, for messages. */
  source: string;
  summary: Summary;
}

function usableStats(stats: DistributionStats): DistributionStats {
  if (stats.count > 0) return stats;
  // A step where nothing completed has no latency; treat it as infinitely slow, never as 0 ms.
  const inf = Number.POSITIVE_INFINITY;
  return { ...stats, min: inf, max: inf, mean: inf, p50: inf, p90: inf, p95: inf, p99: inf, p999: inf };
}

function stepAxis(step: SweepStep): LoadAxis | null {
  if (step.offeredRatePerSec !== null && step.offeredRatePerSec > 0) return 'rate';
  if (step.targetConcurrency !== null && step.targetConcurrency > 0) return 'concurrency';
  return null;
}

function pointFromStep(step: SweepStep, axis: LoadAxis, replicas: number, runId: string): CurvePoint {
  const offered = axis === 'rate' ? step.offeredRatePerSec! : step.targetConcurrency!;
  const successPerSec = step.durationSec > 0 ? step.completed / step.durationSec : step.achievedRatePerSec;
  return {
    offeredPerReplica: offered / replicas,
    achievedRatePerSec: successPerSec / replicas,
    outputTokensPerSec: step.outputTokensPerSec / replicas,
    meanInFlight: step.meanInFlight / replicas,
    errorRate: step.requests > 0 ? step.errorRate : 1,
    meanInputTokens: step.meanInputTokens,
    meanOutputTokens: step.meanOutputTokens,
    ttftMs: usableStats(step.ttftMs),
    itlMs: usableStats(step.itlMs),
    e2eMs: usableStats(step.e2eMs),
    durationSec: step.durationSec,
    source: `${runId}/${step.name}`,
  };
}

function replicasFor(summary: Summary, role: CurveRole): number {
  const stack = summary.run.stack;
  const n = role === 'model' ? stack.modelReplicas : stack.agentReplicas;
  return n !== null && n > 0 ? n : 1;
}

function configKey(summary: Summary, role: CurveRole): string {
  return `${role}:${summary.run.stack.profile ?? summary.run.scenario}`;
}

/** Builds one per-replica curve per configuration from sweep summaries. */
export function curvesFromSweeps(results: readonly SweepResults[], role: CurveRole): CapacityCurve[] {
  const byKey = new Map<string, CapacityCurve>();
  for (const { source, summary } of results) {
    if (summary.steps.length === 0) {
      throw new NoSweepError(`${source} has no sweep steps (summary.json "steps" is empty)`, {
        hint: 'Plan from the results of a sweep scenario (one step per offered load), e.g. `agentload run scenarios/sweep`.',
      });
    }
    const axes = new Set(summary.steps.map(stepAxis));
    if (axes.has(null) || axes.size > 1) {
      throw new PlanInputError(
        `${source}: sweep steps must all set offeredRatePerSec or all set targetConcurrency`,
        {
          hint: 'Re-run the sweep with one load axis (arrival rate or concurrency) for every step.',
        },
      );
    }
    const axis = [...axes][0] as LoadAxis;
    const replicas = replicasFor(summary, role);
    const key = configKey(summary, role);
    let curve = byKey.get(key);
    if (curve === undefined) {
      curve = {
        key: key.slice(role.length + 1),
        role,
        loadAxis: axis,
        profile: summary.run.stack.profile,
        measuredReplicas: replicas,
        measuredAgentReplicas: role === 'model' ? summary.run.stack.agentReplicas : null,
        gpusPerReplica: summary.run.stack.gpusPerModelReplica,
        runs: [],
        points: [],
      };
      byKey.set(key, curve);
    } else if (curve.loadAxis !== axis) {
      throw new PlanInputError(
        `${source}: mixes a ${axis} sweep with a ${curve.loadAxis} sweep of ${curve.key}`,
        {
          hint: 'Pool only sweeps with the same load axis; pass the others in a separate plan.',
        },
      );
    }
    curve.runs.push(summary.run.id);
    for (const step of summary.steps) curve.points.push(pointFromStep(step, axis, replicas, summary.run.id));
  }
  for (const curve of byKey.values()) curve.points.sort((a, b) => a.offeredPerReplica - b.offeredPerReplica);
  return [...byKey.values()];
}

/** Token mix of a curve: means over its points weighted by completed requests/s. */
export function measuredMix(curve: CapacityCurve): { meanInputTokens: number; meanOutputTokens: number } {
  let weight = 0;
  let input = 0;
  let output = 0;
  for (const p of curve.points) {
    const w = Math.max(p.achievedRatePerSec * p.durationSec, 1e-9);
    weight += w;
    input += w * p.meanInputTokens;
    output += w * p.meanOutputTokens;
  }
  return { meanInputTokens: input / weight, meanOutputTokens: output / weight };
}
