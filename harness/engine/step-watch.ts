import type { SampleAggregate } from '../metrics/aggregate.ts';
import { errorRate } from '../metrics/phases.ts';
import type { SloSpec } from '../results/schema.ts';

/** Share of due iterations a step may drop before it counts as not sustained. */
const MAX_DROPPED_SHARE = 0.05;

/** The latency targets a step is judged on, as the report's step verdict does. */
const LATENCY_TARGETS = [
  ['ttftMs', 'TTFT'],
  ['itlMs', 'ITL'],
  ['e2eMs', 'E2E'],
] as const;

/**
 * Judges a sweep step live, so a sweep can stop at the first step past the knee (stopOnSloBreak),
 * from the recorder's own aggregate of the step (Recorder.stepAggregate): the figures the
 * summary's steps report, degraded answers counted as failures there. A step is broken when, over
 * the requests that finished by its end, the error rate exceeds slo.maxErrorRate, or the
 * slo.percentile of TTFT, ITL or E2E exceeds its target, or the generator dropped more than 5% of the
 * iterations due. Requests still in flight at the step's end are not judged (the summary's steps,
 * which also get the later samples, are the record). Returns why, or null when it held, nothing
 * finished in it, or no such step was started.
 */
export function brokenStep(name: string, step: SampleAggregate | null, slo: SloSpec): string | null {
  if (step === null) return null;
  const c = step.counts;
  const finished = c.completed + c.failed;
  if (finished + c.dropped === 0) return null;
  const rate = errorRate(c.completed, c.failed);
  if (slo.maxErrorRate !== undefined && rate > slo.maxErrorRate) {
    return `${name}: error rate ${(rate * 100).toFixed(1)}% > ${(slo.maxErrorRate * 100).toFixed(1)}%`;
  }
  const droppedShare = c.dropped / (finished + c.dropped);
  if (droppedShare > MAX_DROPPED_SHARE) {
    return `${name}: ${(droppedShare * 100).toFixed(1)}% of iterations dropped (no free VU or sent late)`;
  }
  for (const [key, label] of LATENCY_TARGETS) {
    const targetMs = slo[key];
    if (targetMs === undefined) continue;
    const p = step.trend(key).percentile(slo.percentile);
    if (p !== null && p > targetMs)
      return `${name}: ${label} p${slo.percentile} ${p.toFixed(0)} ms > ${targetMs} ms`;
  }
  return null;
}
