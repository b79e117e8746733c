/**
 * The per-request formulas of the metric contract (docs/metrics.md), in one place.
 * All sample times are ms since the run's start on one monotonic clock. The clock of every
 * latency starts at `scheduledAtMs`, the time the executor said the request was due, not when it
 * was actually sent, so a slow generator or a full connection pool shows up as latency instead of
 * silently thinning the load (no coordinated omission):
 *   ttftMs       = firstTokenMs - scheduledAtMs          (first content token)
 *   firstByteMs  = firstByteMs  - scheduledAtMs          (first response byte, headers included)
 *   e2eMs        = endMs        - scheduledAtMs
 *   tpotMs       = (endMs - firstTokenMs) / (n - 1)      n = outputTokens > 1
 *   scheduleLagMs = sentAtMs    - scheduledAtMs          (generator health)
 * Latencies are taken from completed requests only (errorClass null); failures count in
 * http_req_failed instead of pulling latency down with fast error responses.
 */
import type { RequestSample, SloSpec } from '../results/schema.ts';

export interface RequestMetrics {
  completed: boolean;
  ttftMs: number | null;
  firstByteMs: number | null;
  e2eMs: number;
  tpotMs: number | null;
  scheduleLagMs: number;
  /** Content chunks seen: tokenGapsMs.length + 1 once a first token arrived. */
  contentChunks: number;
  /** Counts toward goodput: completed, not degraded, within every SLO target set. */
  good: boolean;
}

export function requestMetrics(sample: RequestSample, slo: SloSpec | undefined): RequestMetrics {
  const completed = sample.errorClass === null;
  const origin = sample.scheduledAtMs;
  const ttftMs = sample.firstTokenMs === null ? null : sample.firstTokenMs - origin;
  const tpotMs =
    sample.firstTokenMs !== null && sample.outputTokens > 1
      ? (sample.endMs - sample.firstTokenMs) / (sample.outputTokens - 1)
      : null;
  const metrics: RequestMetrics = {
    completed,
    ttftMs,
    firstByteMs: sample.firstByteMs === null ? null : sample.firstByteMs - origin,
    e2eMs: sample.endMs - origin,
    tpotMs,
    scheduleLagMs: sample.sentAtMs - origin,
    contentChunks: sample.firstTokenMs === null ? 0 : sample.tokenGapsMs.length + 1,
    good: false,
  };
  metrics.good = completed && !sample.degraded && meetsSlo(metrics, slo);
  return metrics;
}

/**
 * A request meets the SLO when each target that is set holds for it alone: TTFT <= ttftMs (a
 * request with no first token fails a TTFT target), TPOT <= itlMs (its mean inter-token time; a
 * request with at most one token has none and passes), E2E <= e2eMs.
 */
function meetsSlo(m: RequestMetrics, slo: SloSpec | undefined): boolean {
  if (!slo) return true;
  if (slo.ttftMs !== undefined && (m.ttftMs === null || m.ttftMs > slo.ttftMs)) return false;
  if (slo.itlMs !== undefined && m.tpotMs !== null && m.tpotMs > slo.itlMs) return false;
  if (slo.e2eMs !== undefined && m.e2eMs > slo.e2eMs) return false;
  return true;
}

const TIME_FIELDS = ['scheduledAtMs', 'sentAtMs', 'endMs'] as const;
const NULLABLE_TIME_FIELDS = ['firstByteMs', 'firstTokenMs'] as const;

/** Cheap structural check for the hot path; returns every problem found (empty = fine). */
export function sampleProblems(sample: RequestSample): string[] {
  const problems: string[] = [];
  for (const key of TIME_FIELDS) {
    if (!Number.isFinite(sample[key])) problems.push(`${key} must be a finite number, got ${sample[key]}`);
  }
  for (const key of NULLABLE_TIME_FIELDS) {
    const v = sample[key];
    if (v !== null && !Number.isFinite(v)) problems.push(`${key} must be null or a finite number, got ${v}`);
  }
  if (!Array.isArray(sample.tokenGapsMs)) problems.push('tokenGapsMs must be an array');
  else if (!sample.tokenGapsMs.every((g) => Number.isFinite(g) && g >= 0)) {
    problems.push('tokenGapsMs must hold finite non-negative numbers');
  }
  if (!Number.isInteger(sample.outputTokens) || sample.outputTokens < 0) {
    problems.push(`outputTokens must be a non-negative integer, got ${sample.outputTokens}`);
  }
  if (sample.inputTokens !== null && !(Number.isInteger(sample.inputTokens) && sample.inputTokens >= 0)) {
    problems.push(`inputTokens must be null or a non-negative integer, got ${sample.inputTokens}`);
  }
  if (sample.tokenSource !== 'usage' && sample.tokenSource !== 'counted') {
    problems.push(`tokenSource must be 'usage' or 'counted', got ${String(sample.tokenSource)}`);
  }
  if (sample.errorClass !== null && typeof sample.errorClass !== 'string') {
    problems.push('errorClass must be null or a string');
  }
  return problems;
}
