/**
 * `mergeResults(dirs)`: one results directory from the parts of a split run (used by
 * `agentload merge`). Summaries merge through their histograms (merge-summary.ts). Timeseries
 * counts add up second by second after aligning each part on the earliest start; per-second
 * percentiles are recomputed from the union of the parts' samples (read in end-time order),
 * and null when a part has no samples.ndjson.gz. Scraped server gauges describe the same servers
 * seen by every generator, so they are averaged over the parts that have them, not added.
 */
import { basename } from 'node:path';
import { recoverySec } from '../metrics/phases.ts';
import { requestMetrics } from '../metrics/request-metrics.ts';
import { emptyTimeseriesPoint, TimeseriesBuilder } from '../metrics/timeseries.ts';
import { InvalidResultsError } from './errors.ts';
import { mergeSummaries, type SummaryPart } from './merge-summary.ts';
import { readResults, readSamples, type ResultsDir } from './read.ts';
import type { RequestSample, SloSpec, Summary, Timeseries, TimeseriesPoint } from './schema.ts';
import { DEFAULT_RECOVERY, SUMMARY_SCHEMA_VERSION } from './schema.ts';
import { SamplesWriter, writeResults } from './write.ts';

export interface MergeOptions {
  /** Write the merged summary.json, timeseries.json and samples.ndjson.gz into this (existing) directory. */
  outDir?: string;
}

function shift(s: RequestSample, offsetMs: number): RequestSample {
  if (offsetMs === 0) return s;
  const add = (v: number | null): number | null => (v === null ? null : v + offsetMs);
  return {
    ...s,
    scheduledAtMs: s.scheduledAtMs + offsetMs,
    sentAtMs: s.sentAtMs + offsetMs,
    firstByteMs: add(s.firstByteMs),
    firstTokenMs: add(s.firstTokenMs),
    endMs: s.endMs + offsetMs,
  };
}

/** Interleaves the parts' sample streams by endMs (each part is already in about that order). */
async function* samplesByEnd(parts: { path: string; offsetMs: number; expected: number; label: string }[]) {
  const streams = parts.map((p) => readSamples(p.path));
  try {
    yield* interleave(streams, parts);
  } finally {
    await Promise.all(streams.map((s) => s.return(undefined)));
  }
}

async function* interleave(
  streams: AsyncGenerator<RequestSample>[],
  parts: { offsetMs: number; expected: number; label: string }[],
) {
  const heads = await Promise.all(streams.map((s) => s.next()));
  const seen = parts.map(() => 0);
  for (;;) {
    let pick = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      if (h.done) continue;
      const end = h.value.endMs + parts[i]!.offsetMs;
      if (pick < 0 || end < (heads[pick]!.value as RequestSample).endMs + parts[pick]!.offsetMs) pick = i;
    }
    if (pick < 0) break;
    seen[pick]! += 1;
    yield shift(heads[pick]!.value as RequestSample, parts[pick]!.offsetMs);
    heads[pick] = await streams[pick]!.next();
  }
  parts.forEach((p, i) => {
    if (seen[i] !== p.expected) {
      throw new InvalidResultsError(
        `${p.label}: samples.ndjson.gz holds ${seen[i]} samples but summary.json counts ${p.expected} requests`,
      );
    }
  });
}

type GaugeKey = keyof TimeseriesPoint['server'];
const GAUGES: GaugeKey[] = ['queueSize', 'batchSize', 'agentInFlight', 'breakerOpen'];

/** Adds the parts' points second by second; gauges averaged over the parts that scraped them. */
function sumTimeseries(parts: { ts: Timeseries; offsetSec: number }[], durationSec: number): Timeseries {
  const points = Array.from({ length: Math.ceil(durationSec) }, (_, i) => emptyTimeseriesPoint(i));
  const gaugeSums = points.map(() => GAUGES.map(() => ({ total: 0, n: 0 })));
  for (const { ts, offsetSec } of parts) {
    const shiftSec = Math.round(offsetSec);
    for (const p of ts.points) {
      const i = p.tSec + shiftSec;
      while (points.length <= i) {
        points.push(emptyTimeseriesPoint(points.length));
        gaugeSums.push(GAUGES.map(() => ({ total: 0, n: 0 })));
      }
      const m = points[i]!;
      m.requests += p.requests;
      m.completed += p.completed;
      m.failed += p.failed;
      m.degraded += p.degraded;
      m.dropped += p.dropped;
      m.inFlight += p.inFlight;
      m.outputTokens += p.outputTokens;
      GAUGES.forEach((g, k) => {
        const v = p.server[g];
        if (v !== null) gaugeSums[i]![k]!.total += v;
        if (v !== null) gaugeSums[i]![k]!.n += 1;
      });
    }
  }
  points.forEach((p, i) =>
    GAUGES.forEach((g, k) => {
      const acc = gaugeSums[i]![k]!;
      p.server[g] = acc.n > 0 ? acc.total / acc.n : null;
    }),
  );
  const annotations = parts
    .flatMap(({ ts, offsetSec }) => ts.annotations.map((a) => ({ tSec: a.tSec + offsetSec, label: a.label })))
    .sort((a, b) => a.tSec - b.tSec)
    .filter(
      (a, i, all) => i === 0 || a.label !== all[i - 1]!.label || Math.abs(a.tSec - all[i - 1]!.tSec) > 0.001,
    );
  return { schemaVersion: SUMMARY_SCHEMA_VERSION, intervalSec: 1, points, annotations };
}

function offsetsSec(dirs: ResultsDir[]): number[] {
  const starts = dirs.map((d) => Date.parse(d.summary.run.startedAt));
  const valid = starts.filter((t) => Number.isFinite(t));
  const first = valid.length > 0 ? Math.min(...valid) : 0;
  return starts.map((t) => (Number.isFinite(t) ? (t - first) / 1000 : 0));
}

function assertSameScenario(dirs: ResultsDir[]): void {
  const scenarios = new Set(dirs.map((d) => d.summary.run.scenario));
  if (scenarios.size > 1) {
    throw new InvalidResultsError('these results come from different scenarios:', {
      issues: dirs.map((d) => ({ path: d.dir, message: `scenario "${d.summary.run.scenario}"` })),
      hint: 'Merge only the parts of one split run (same scenario, different execution segments).',
    });
  }
}

/** Merges the results directories of the parts of one run; writes them to `outDir` when given. */
export async function mergeResults(
  dirs: readonly string[],
  options: MergeOptions = {},
): Promise<{ summary: Summary; timeseries: Timeseries }> {
  if (dirs.length === 0)
    throw new InvalidResultsError('nothing to merge: give at least one results directory');
  const read = await Promise.all(dirs.map((dir) => readResults(dir)));
  assertSameScenario(read);
  const offsets = offsetsSec(read);
  const labelOf = (d: ResultsDir): string => d.summary.run.segment ?? basename(d.dir);
  const parts: SummaryPart[] = read.map((d, i) => ({
    summary: d.summary,
    offsetSec: offsets[i]!,
    label: labelOf(d),
  }));
  const summary = mergeSummaries(parts);
  const timeseries = sumTimeseries(
    read.map((d, i) => ({ ts: d.timeseries, offsetSec: offsets[i]! })),
    summary.run.durationSec,
  );
  await mergeSamples(read, offsets, summary.slo, timeseries, options.outDir);
  const recovery = summary.recovery ?? DEFAULT_RECOVERY;
  for (const phase of summary.phases)
    phase.recoverySec = recoverySec(timeseries.points, phase.startSec, phase.endSec, recovery);
  if (options.outDir) await writeResults(options.outDir, { summary, timeseries });
  return { summary, timeseries };
}

/** Recomputes per-second percentiles from the union of samples; copies them to outDir if given. */
async function mergeSamples(
  read: ResultsDir[],
  offsets: number[],
  slo: SloSpec,
  timeseries: Timeseries,
  outDir: string | undefined,
): Promise<void> {
  if (read.some((d) => d.samplesPath === null)) return;
  const builder = new TimeseriesBuilder();
  const writer = outDir ? SamplesWriter.open(outDir) : null;
  const parts = read.map((d, i) => ({
    path: d.samplesPath!,
    offsetMs: offsets[i]! * 1000,
    expected: d.summary.counts.requests,
    label: d.dir,
  }));
  try {
    for await (const sample of samplesByEnd(parts)) {
      builder.addSample(sample, requestMetrics(sample, slo));
      writer?.write(sample);
    }
  } finally {
    await writer?.close();
  }
  const rebuilt = builder.build(timeseries.points.length * 1000);
  timeseries.points.forEach((p, i) => {
    const r = rebuilt.points[i];
    if (!r) return;
    p.ttftP50Ms = r.ttftP50Ms;
    p.ttftP95Ms = r.ttftP95Ms;
    p.e2eP95Ms = r.e2eP95Ms;
    p.itlP95Ms = r.itlP95Ms;
  });
}
