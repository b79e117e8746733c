import type { RequestSample, SloSpec } from '../results/schema.ts';

interface StepTally {
  finished: number;
  failed: number;
  dropped: number;
  ttftMs: number[];
  e2eMs: number[];
}

/** Share of due iterations a step may drop before it counts as not sustained. */
const MAX_DROPPED_SHARE = 0.05;

/**
 * Judges sweep steps live, so a sweep can stop at the first step past the knee (stopOnSloBreak).
 * A step is broken when, over the requests that finished by its end, the error rate (degraded
 * answers included) exceeds
 * slo.maxErrorRate, or the slo.percentile of TTFT or E2E exceeds its target, or the generator
 * dropped more than 5% of the iterations due. Requests still in flight at the step's end are not
 * judged (the summary's steps, built from every sample, are the record).
 */
export class StepWatch {
  private readonly tallies = new Map<string, StepTally>();

  constructor(private readonly slo: SloSpec) {}

  add(sample: RequestSample): void {
    if (sample.phase === null) return;
    const t = this.tally(sample.phase);
    t.finished++;
    // A degraded answer is a failure here, as in the summary's steps (SampleAggregate).
    if (sample.errorClass !== null || sample.degraded) {
      t.failed++;
      return;
    }
    if (sample.firstTokenMs !== null) t.ttftMs.push(sample.firstTokenMs - sample.scheduledAtMs);
    t.e2eMs.push(sample.endMs - sample.scheduledAtMs);
  }

  addDropped(phase: string | null): void {
    if (phase !== null) this.tally(phase).dropped++;
  }

  /** Why the step broke its SLO, or null when it held (or nothing finished in it). */
  broken(phase: string): string | null {
    const t = this.tallies.get(phase);
    if (!t || t.finished + t.dropped === 0) return null;
    const { slo } = this;
    const errorRate = t.finished > 0 ? t.failed / t.finished : 0;
    if (slo.maxErrorRate !== undefined && errorRate > slo.maxErrorRate) {
      return `${phase}: error rate ${(errorRate * 100).toFixed(1)}% > ${(slo.maxErrorRate * 100).toFixed(1)}%`;
    }
    const droppedShare = t.dropped / (t.finished + t.dropped);
    if (droppedShare > MAX_DROPPED_SHARE) {
      return `${phase}: ${(droppedShare * 100).toFixed(1)}% of iterations dropped (no free VU or sent late)`;
    }
    const over = (values: number[], targetMs: number | undefined, name: string): string | null => {
      if (targetMs === undefined || values.length === 0) return null;
      const p = percentile(values, slo.percentile);
      return p > targetMs ? `${phase}: ${name} p${slo.percentile} ${p.toFixed(0)} ms > ${targetMs} ms` : null;
    };
    return over(t.ttftMs, slo.ttftMs, 'TTFT') ?? over(t.e2eMs, slo.e2eMs, 'E2E');
  }

  private tally(phase: string): StepTally {
    let t = this.tallies.get(phase);
    if (!t) {
      t = { finished: 0, failed: 0, dropped: 0, ttftMs: [], e2eMs: [] };
      this.tallies.set(phase, t);
    }
    return t;
  }
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}
