/**
 * One run's digest for the reports: its metadata, verdicts, figures, phases, sweep and plan, as
 * numbers (formatting happens in html.ts / markdown.ts through format.ts).
 * Verdict: ok when no threshold failed, every SLO target set was met, and the load generator kept
 * up (a saturated generator makes every latency figure suspect, so the run cannot pass).
 */
import type { Summary } from '../harness/results/schema.ts';
import type { LoadedRun } from './load.ts';
import { digestPlan } from './plan-digest.ts';
import { formatMetricValue, formatPercentileLabel } from './format.ts';
import type { PhaseRow, RunReport, SloVerdict, StepRow, SweepDigest } from './report-schema.ts';
import { sloVerdicts, stepWithinSlo } from './slo-verdicts.ts';

function phaseRows(summary: Summary): PhaseRow[] {
  return summary.phases.map((p) => ({
    name: p.name,
    startSec: p.startSec,
    endSec: p.endSec,
    requests: p.requests,
    completed: p.completed,
    failed: p.failed,
    degraded: p.degraded,
    dropped: p.dropped ?? 0,
    errorRate: p.errorRate,
    ttftP95Ms: p.ttftP95Ms,
    e2eP95Ms: p.e2eP95Ms,
    recoverySec: p.recoverySec,
  }));
}

/**
 * The goodput point of a sweep: the highest-throughput step that still meets every SLO target at
 * the SLO percentile (with no target set, simply the highest-throughput step).
 */
export function sweepDigest(summary: Summary): SweepDigest | null {
  if (summary.steps.length === 0) return null;
  const steps: StepRow[] = summary.steps.map((s) => ({
    name: s.name,
    offeredRatePerSec: s.offeredRatePerSec,
    targetConcurrency: s.targetConcurrency,
    durationSec: s.durationSec,
    requests: s.requests,
    completed: s.completed,
    failed: s.failed,
    ...(s.degraded === undefined ? {} : { degraded: s.degraded }),
    dropped: s.dropped,
    achievedRatePerSec: s.achievedRatePerSec,
    goodputPerSec: s.goodputPerSec,
    outputTokensPerSec: s.outputTokensPerSec,
    errorRate: s.errorRate,
    ttftP95Ms: s.ttftMs.p95,
    itlP95Ms: s.itlMs.p95,
    e2eP95Ms: s.e2eMs.p95,
    withinSlo: s.completed > 0 && stepWithinSlo(s, summary.slo),
  }));
  const best = steps
    .filter((s) => s.withinSlo)
    .reduce<StepRow | null>(
      (a, s) => (a === null || s.achievedRatePerSec > a.achievedRatePerSec ? s : a),
      null,
    );
  return { steps, goodputStep: best?.name ?? null, goodputPerSec: best?.goodputPerSec ?? null };
}

/** The verdict line of a failed threshold (the run's own or the gate's). */
export function thresholdFailure(t: { metric: string; expression: string; actual: number | null }): string {
  return `threshold ${t.metric} ${t.expression} failed: ${formatMetricValue(t.metric, t.actual)}`;
}

function verdictOf(summary: Summary, verdicts: readonly SloVerdict[]): RunReport['verdict'] {
  const failed = summary.thresholds.filter((t) => !t.ok);
  const reasons: string[] = failed.map(thresholdFailure);
  for (const v of verdicts.filter((x) => !x.ok)) {
    const stat = v.percentile === null ? 'rate' : formatPercentileLabel(v.percentile);
    reasons.push(
      `SLO ${v.metric} ${stat} missed: ${formatMetricValue(v.metric, v.actual)} against ${formatMetricValue(v.metric, v.limit)}`,
    );
  }
  const sloMet = verdicts.length === 0 ? null : verdicts.every((v) => v.ok);
  if (!summary.generator.valid)
    reasons.push('the load generator could not keep up, so latencies are suspect');
  return {
    ok: reasons.length === 0,
    thresholdsPassed: summary.thresholds.length - failed.length,
    thresholdsFailed: failed.length,
    sloMet,
    reasons,
  };
}

export function buildRunReport(loaded: LoadedRun): RunReport {
  const { summary } = loaded;
  const verdicts = sloVerdicts(summary);
  const m = summary.metrics;
  const c = summary.counts;
  return {
    source: loaded.source,
    run: summary.run,
    generator: summary.generator,
    verdict: verdictOf(summary, verdicts),
    slo: {
      percentile: summary.slo.percentile,
      ttftMs: summary.slo.ttftMs ?? null,
      itlMs: summary.slo.itlMs ?? null,
      e2eMs: summary.slo.e2eMs ?? null,
      maxErrorRate: summary.slo.maxErrorRate ?? null,
      verdicts,
    },
    thresholds: summary.thresholds.map((t) => ({ ...t })),
    counts: {
      requests: c.requests,
      completed: c.completed,
      failed: c.failed,
      dropped: c.dropped,
      degraded: c.degraded,
      inputTokens: c.inputTokens,
      outputTokens: c.outputTokens,
      goodRequests: c.goodRequests ?? null,
      turnsAcknowledged: c.turnsAcknowledged,
      turnsLost: c.turnsLost,
    },
    rates: { ...summary.rates },
    latency: {
      ttftMs: m.ttftMs.stats,
      firstByteMs: m.firstByteMs.stats,
      itlMs: m.itlMs.stats,
      tpotMs: m.tpotMs.stats,
      e2eMs: m.e2eMs.stats,
      scheduleLagMs: m.scheduleLagMs.stats,
    },
    errors: { ...summary.errors },
    phases: phaseRows(summary),
    faults: summary.faults.map((f) => ({ ...f, detail: f.detail ?? null })),
    sweep: sweepDigest(summary),
    plan: loaded.plan === null ? null : digestPlan(loaded.plan),
    notes: [...loaded.notes],
  };
}
