/**
 * Run-level SLO verdicts: each target the scenario set, judged on the SLO percentile of the whole
 * run (TTFT on ttft_ms, ITL on itl_ms as the planner does, E2E on e2e_ms) and the error rate on
 * http_req_failed. Goodput judges the same targets per request instead (docs/metrics.md).
 */
import type { Summary, SweepStep } from '../harness/results/schema.ts';
import { percentileOf } from './distributions.ts';
import type { SloVerdict } from './report-schema.ts';

type LatencyTarget = 'ttft' | 'itl' | 'e2e';

const LATENCY_TARGETS: readonly {
  target: LatencyTarget;
  key: 'ttftMs' | 'itlMs' | 'e2eMs';
  metric: string;
}[] = [
  { target: 'ttft', key: 'ttftMs', metric: 'ttft_ms' },
  { target: 'itl', key: 'itlMs', metric: 'itl_ms' },
  { target: 'e2e', key: 'e2eMs', metric: 'e2e_ms' },
];

export function sloVerdicts(summary: Summary): SloVerdict[] {
  const slo = summary.slo;
  const out: SloVerdict[] = [];
  for (const { target, key, metric } of LATENCY_TARGETS) {
    const limit = slo[key];
    if (limit === undefined) continue;
    const m = summary.metrics[key];
    const actual = percentileOf(m.stats, m.histogram, slo.percentile);
    out.push({
      target,
      metric,
      percentile: slo.percentile,
      limit,
      actual,
      ok: actual !== null && actual <= limit,
    });
  }
  if (slo.maxErrorRate !== undefined) {
    const finished = summary.counts.completed + summary.counts.failed;
    const actual = finished > 0 ? summary.rates.errorRate : null;
    out.push({
      target: 'errorRate',
      metric: 'http_req_failed',
      percentile: null,
      limit: slo.maxErrorRate,
      actual,
      ok: actual !== null && actual <= slo.maxErrorRate,
    });
  }
  return out;
}

/** Whether one sweep step meets every SLO target set, at the SLO percentile. */
export function stepWithinSlo(step: SweepStep, slo: Summary['slo']): boolean {
  for (const { key } of LATENCY_TARGETS) {
    const limit = slo[key];
    if (limit === undefined) continue;
    const actual = percentileOf(step[key], step.histograms?.[key], slo.percentile);
    if (actual === null || actual > limit) return false;
  }
  return slo.maxErrorRate === undefined || step.errorRate <= slo.maxErrorRate;
}
