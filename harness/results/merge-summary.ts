/**
 * Merges the summaries of parts of one run (execution segments on several machines) into one.
 * Distributions are merged as histograms, exactly: a merged p95 is the p95 of the union of all
 * values, never an average of p95s. Counts add up; rates are recomputed over the merged span
 * (the parts ran at the same time, so durations do not add). Offsets align each part on the
 * earliest start (from run.startedAt).
 */
import { mergeSnapshots } from '../metrics/histogram.ts';
import { errorRate } from '../metrics/phases.ts';
import { metricResult, ratesOf } from '../metrics/summarize.ts';
import { inputsFromSummary, judge } from '../metrics/threshold-eval.ts';
import { parseThresholds } from '../metrics/thresholds.ts';
import { InvalidResultsError } from './errors.ts';
import {
  DEFAULT_RECOVERY,
  type HistogramSnapshot,
  type PhaseSummary,
  type Summary,
  type SweepStep,
  type ThresholdResult,
} from './schema.ts';

export interface SummaryPart {
  summary: Summary;
  /** Seconds this part started after the earliest part. */
  offsetSec: number;
  /** Shown in messages and generator reasons (directory name or segment). */
  label: string;
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

function goodRequests(s: Summary): number {
  return s.counts.goodRequests ?? Math.round(s.rates.goodputPerSec * s.run.durationSec);
}

function mergeCounts(parts: SummaryPart[]): Summary['counts'] {
  const total = (pick: (c: Summary['counts']) => number): number =>
    sum(parts.map((p) => pick(p.summary.counts)));
  const lost = parts.map((p) => p.summary.counts.turnsLost).filter((n): n is number => n !== null);
  const chunks = parts.map((p) => p.summary.counts.contentChunks);
  const counts: Summary['counts'] = {
    requests: total((c) => c.requests),
    completed: total((c) => c.completed),
    failed: total((c) => c.failed),
    dropped: total((c) => c.dropped),
    degraded: total((c) => c.degraded),
    inputTokens: total((c) => c.inputTokens),
    outputTokens: total((c) => c.outputTokens),
    tokensFromUsage: total((c) => c.tokensFromUsage),
    tokensCounted: total((c) => c.tokensCounted),
    turnsAcknowledged: total((c) => c.turnsAcknowledged),
    turnsLost: lost.length > 0 ? sum(lost) : null,
    goodRequests: sum(parts.map((p) => goodRequests(p.summary))),
  };
  if (chunks.every((n) => n !== undefined)) counts.contentChunks = sum(chunks as number[]);
  return counts;
}

function required(h: HistogramSnapshot | undefined, part: SummaryPart, what: string): HistogramSnapshot {
  if (h) return h;
  throw new InvalidResultsError(`${part.label}: ${what} has no histogram, so it can not be merged exactly`, {
    hint: 'Re-run that part with a current agentload; percentiles are never averaged.',
  });
}

function groupByName<T extends { name: string }>(parts: SummaryPart[], pick: (s: Summary) => T[]) {
  const groups = new Map<string, { part: SummaryPart; item: T }[]>();
  for (const part of parts) {
    for (const item of pick(part.summary)) {
      const list = groups.get(item.name) ?? [];
      list.push({ part, item });
      groups.set(item.name, list);
    }
  }
  return groups;
}

/** Phases merged by name; recoverySec is left null for the caller to judge on the merged timeseries. */
function mergePhases(parts: SummaryPart[]): PhaseSummary[] {
  const out: PhaseSummary[] = [];
  for (const [name, list] of groupByName(parts, (s) => s.phases)) {
    const items = list.map((l) => l.item);
    const total = (pick: (p: PhaseSummary) => number): number => sum(items.map(pick));
    const hs = list.map((l) => l.item.histograms);
    const ttft = hs.every(Boolean) ? mergeSnapshots(hs.map((h) => h!.ttftMs)) : null;
    const e2e = hs.every(Boolean) ? mergeSnapshots(hs.map((h) => h!.e2eMs)) : null;
    const completed = total((p) => p.completed);
    const failed = total((p) => p.failed);
    out.push({
      name,
      startSec: Math.min(...list.map((l) => l.part.offsetSec + l.item.startSec)),
      endSec: Math.max(...list.map((l) => l.part.offsetSec + l.item.endSec)),
      requests: total((p) => p.requests),
      completed,
      failed,
      degraded: total((p) => p.degraded),
      dropped: total((p) => p.dropped ?? 0),
      errorRate: errorRate(completed, failed),
      ttftP95Ms: ttft ? ttft.percentile(95) : null,
      e2eP95Ms: e2e ? e2e.percentile(95) : null,
      ...(ttft && e2e ? { histograms: { ttftMs: ttft.snapshot(), e2eMs: e2e.snapshot() } } : {}),
      recoverySec: null,
    });
  }
  return out;
}

function mergeSteps(parts: SummaryPart[]): SweepStep[] {
  const out: SweepStep[] = [];
  for (const [name, list] of groupByName(parts, (s) => s.steps)) {
    const items = list.map((l) => l.item);
    const total = (pick: (s: SweepStep) => number): number => sum(items.map(pick));
    const nullableTotal = (pick: (s: SweepStep) => number | null): number | null =>
      items.every((s) => pick(s) !== null) ? sum(items.map((s) => pick(s)!)) : null;
    const durationSec = Math.max(...items.map((s) => s.durationSec));
    const perSec = (n: number): number => (durationSec > 0 ? n / durationSec : 0);
    const completed = total((s) => s.completed);
    const weighted = (pick: (s: SweepStep) => number): number =>
      completed > 0 ? total((s) => pick(s) * s.completed) / completed : 0;
    const merged = (key: 'ttftMs' | 'itlMs' | 'e2eMs') =>
      mergeSnapshots(list.map((l) => required(l.item.histograms?.[key], l.part, `step ${name} ${key}`)));
    const [ttft, itl, e2e] = [merged('ttftMs'), merged('itlMs'), merged('e2eMs')];
    out.push({
      name,
      offeredRatePerSec: nullableTotal((s) => s.offeredRatePerSec),
      targetConcurrency: nullableTotal((s) => s.targetConcurrency),
      durationSec,
      requests: total((s) => s.requests),
      completed,
      failed: total((s) => s.failed),
      ...(items.every((s) => s.degraded !== undefined) ? { degraded: total((s) => s.degraded!) } : {}),
      dropped: total((s) => s.dropped),
      achievedRatePerSec: perSec(completed),
      goodputPerSec: perSec(total((s) => s.goodputPerSec * s.durationSec)),
      outputTokensPerSec: perSec(total((s) => s.outputTokensPerSec * s.durationSec)),
      meanInFlight: total((s) => s.meanInFlight),
      meanInputTokens: weighted((s) => s.meanInputTokens),
      meanOutputTokens: weighted((s) => s.meanOutputTokens),
      errorRate: errorRate(
        completed,
        total((s) => s.failed),
      ),
      ttftMs: ttft.stats(),
      itlMs: itl.stats(),
      e2eMs: e2e.stats(),
      histograms: { ttftMs: ttft.snapshot(), itlMs: itl.snapshot(), e2eMs: e2e.snapshot() },
    });
  }
  return out;
}

/** Re-judges every distinct threshold of the parts on the merged numbers. */
function mergeThresholds(parts: SummaryPart[], merged: Summary): ThresholdResult[] {
  const seen = new Map<
    string,
    { metric: string; expression: string; abortOnFail: boolean; failedLive: boolean }
  >();
  for (const t of parts.flatMap((p) => p.summary.thresholds)) {
    const key = `${t.metric}\u0000${t.expression}`;
    const prev = seen.get(key);
    seen.set(key, {
      ...t,
      abortOnFail: t.abortOnFail || !!prev?.abortOnFail,
      failedLive: t.failedLive || !!prev?.failedLive,
    });
  }
  const inputs = inputsFromSummary(merged);
  return [...seen.values()].map((t) => {
    const [spec] = parseThresholds({ [t.metric]: [t.expression] }, `thresholds of the merged parts`);
    const v = judge(spec!, inputs);
    return {
      metric: t.metric,
      expression: t.expression,
      ok: v.ok,
      actual: v.actual,
      abortOnFail: t.abortOnFail,
      failedLive: t.failedLive,
    };
  });
}

export function mergeSummaries(parts: SummaryPart[]): Summary {
  const first = parts[0]?.summary;
  if (!first) throw new InvalidResultsError('nothing to merge: give at least one results directory');
  const durationSec = Math.max(...parts.map((p) => p.offsetSec + p.summary.run.durationSec));
  const counts = mergeCounts(parts);
  const metric = (key: keyof Summary['metrics']) =>
    metricResult(mergeSnapshots(parts.map((p) => p.summary.metrics[key].histogram)));
  const metrics: Summary['metrics'] = {
    ttftMs: metric('ttftMs'),
    firstByteMs: metric('firstByteMs'),
    itlMs: metric('itlMs'),
    tpotMs: metric('tpotMs'),
    e2eMs: metric('e2eMs'),
    scheduleLagMs: metric('scheduleLagMs'),
  };
  const errors: Record<string, number> = {};
  for (const p of parts)
    for (const [k, n] of Object.entries(p.summary.errors)) errors[k] = (errors[k] ?? 0) + n;
  const gens = parts.map((p) => p.summary.generator);
  const cpus = gens.map((g) => g.cpuPercent).filter((n): n is number => n !== null);
  const peaks = gens.map((g) => g.cpuPeakPercent ?? null).filter((n): n is number => n !== null);
  const starts = parts.map((p) => p.summary.run.startedAt).sort();
  const ends = parts.map((p) => p.summary.run.endedAt).sort();
  const merged: Summary = {
    ...first,
    run: {
      ...first.run,
      id: `merge-${parts.map((p) => p.summary.run.id).join('+')}`,
      startedAt: starts[0]!,
      endedAt: ends[ends.length - 1]!,
      durationSec,
      target: [...new Set(parts.map((p) => p.summary.run.target))].join(', '),
      segment: null,
      source: 'merge',
    },
    counts,
    rates: ratesOf({ ...counts, goodRequests: counts.goodRequests ?? 0 }, durationSec),
    metrics,
    errors,
    thresholds: [],
    phases: mergePhases(parts),
    recovery: first.recovery ?? { ...DEFAULT_RECOVERY },
    faults: parts
      .flatMap((p) => p.summary.faults.map((f) => ({ ...f, atSec: f.atSec + p.offsetSec })))
      .sort((a, b) => a.atSec - b.atSec),
    steps: mergeSteps(parts),
    generator: {
      valid: gens.every((g) => g.valid),
      reasons: parts.flatMap((p) => p.summary.generator.reasons.map((r) => `${p.label}: ${r}`)),
      scheduleLagP99Ms: metrics.scheduleLagMs.stats.p99,
      eventLoopDelayP99Ms: Math.max(...gens.map((g) => g.eventLoopDelayP99Ms)),
      cpuPercent: cpus.length > 0 ? Math.max(...cpus) : null,
      cpuPeakPercent: peaks.length > 0 ? Math.max(...peaks) : null,
    },
  };
  merged.thresholds = mergeThresholds(parts, merged);
  return merged;
}
