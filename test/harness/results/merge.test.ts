import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GeneratorSignals } from '../../../harness/metrics/generator-health.ts';
import { MetricHistogram } from '../../../harness/metrics/histogram.ts';
import { Recorder } from '../../../harness/metrics/recorder.ts';
import { parseThresholds } from '../../../harness/metrics/thresholds.ts';
import { mergeResults } from '../../../harness/results/merge.ts';
import { readResults, readSamples } from '../../../harness/results/read.ts';
import type { RequestSample } from '../../../harness/results/schema.ts';
import { SamplesWriter, writeResults } from '../../../harness/results/write.ts';
import { RUN, handBuiltStream, makeFailure, makeSample } from '../metrics/factories.ts';

const T0 = Date.parse('2026-11-27T08:00:00.000Z');
const OFFSET_MS = 2000;
const thresholds = parseThresholds({ ttft_ms: ['p(95)<1500'], http_reqs: ['count>=9'] });
const slo = { ttftMs: 250, percentile: 95 };

/** Part B: failures early, then slow successes; scheduled in its own clock. */
function partB(): RequestSample[] {
  return [
    makeFailure(100, 'timeout', { endMs: 900 }),
    makeFailure(300, 'timeout', { endMs: 950 }),
    makeSample({
      scheduledAtMs: 1000,
      sentAtMs: 1000,
      firstTokenMs: 1800,
      tokenGapsMs: [40, 40],
      endMs: 1900,
      outputTokens: 3,
    }),
    makeSample({
      scheduledAtMs: 2000,
      sentAtMs: 2001,
      firstTokenMs: 2250,
      tokenGapsMs: [5],
      endMs: 2300,
      outputTokens: 2,
      tokenSource: 'counted',
    }),
    makeSample({ scheduledAtMs: 3000, sentAtMs: 3000, firstTokenMs: 3120, endMs: 3500 }),
  ];
}

function feed(recorder: Recorder, samples: RequestSample[], offsetMs: number, queueSize: number): void {
  recorder.setPhase('steady', offsetMs);
  for (const s of samples) {
    const shift = (v: number | null) => (v === null ? null : v + offsetMs);
    recorder.record({
      ...s,
      phase: 'steady',
      scheduledAtMs: s.scheduledAtMs + offsetMs,
      sentAtMs: s.sentAtMs + offsetMs,
      firstByteMs: shift(s.firstByteMs),
      firstTokenMs: shift(s.firstTokenMs),
      endMs: s.endMs + offsetMs,
    });
  }
  recorder.addScrape(1500 + offsetMs, { queueSize, batchSize: 1, agentInFlight: null, breakerOpen: 0 });
  recorder.recordDropped(2500 + offsetMs, 1);
}

async function writePart(
  dir: string,
  samples: RequestSample[],
  startMs: number,
  segment: string,
  { scenario = 'unit', queueSize = 2, generator = undefined as GeneratorSignals | undefined } = {},
) {
  await mkdir(dir, { recursive: true });
  const writer = SamplesWriter.open(dir);
  const recorder = new Recorder({ slo, thresholds, onSample: (s) => writer.write(s) });
  feed(recorder, samples, 0, queueSize);
  const results = recorder.finish({
    endMs: 4000,
    ...(generator ? { generator } : {}),
    run: {
      ...RUN,
      scenario,
      segment,
      startedAt: new Date(startMs).toISOString(),
      endedAt: new Date(startMs + 4000).toISOString(),
    },
  });
  await writer.close();
  await writeResults(dir, results);
}

/** What one generator would have recorded for both parts together. */
function wholeRun() {
  const recorder = new Recorder({ slo, thresholds });
  feed(recorder, handBuiltStream(), 0, 2);
  feed(recorder, partB(), OFFSET_MS, 4);
  return recorder.finish({ endMs: 4000 + OFFSET_MS, run: RUN });
}

let root = '';
let dirA = '';
let dirB = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'agentload-merge-'));
  dirA = join(root, 'a');
  dirB = join(root, 'b');
  await writePart(dirA, handBuiltStream(), T0, '0:1/2');
  await writePart(dirB, partB(), T0 + OFFSET_MS, '1/2:1', { queueSize: 4 });
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('mergeResults', () => {
  it('adds counts exactly and recomputes rates over the merged span', async () => {
    const { summary } = await mergeResults([dirA, dirB]);
    const whole = wholeRun().summary;
    expect(summary.run).toMatchObject({
      source: 'merge',
      segment: null,
      durationSec: 6,
      startedAt: RUN.startedAt,
    });
    expect(summary.counts).toEqual(whole.counts);
    expect(summary.counts).toMatchObject({ requests: 10, failed: 3, dropped: 2 });
    expect(summary.rates).toEqual(whole.rates);
    expect(summary.errors).toEqual({ http_5xx: 1, timeout: 2 });
  });

  it('takes percentiles from merged histograms: identical to recording the union', async () => {
    const { summary } = await mergeResults([dirA, dirB]);
    const whole = wholeRun().summary;
    for (const key of ['ttftMs', 'firstByteMs', 'itlMs', 'tpotMs', 'e2eMs', 'scheduleLagMs'] as const) {
      const merged = MetricHistogram.fromSnapshot(summary.metrics[key].histogram);
      const union = MetricHistogram.fromSnapshot(whole.metrics[key].histogram);
      for (const p of [1, 25, 50, 90, 95, 99, 100])
        expect(merged.percentile(p), `${key} p${p}`).toBe(union.percentile(p));
      const { mean, stddev, ...exact } = summary.metrics[key].stats;
      const { mean: wMean, stddev: wStd, ...wExact } = whole.metrics[key].stats;
      expect(exact).toEqual(wExact);
      expect(mean).toBeCloseTo(wMean, 9);
      expect(stddev).toBeCloseTo(wStd, 9);
    }
  });

  it("keeps the busiest generator's CPU peak and average, and its verdict", async () => {
    const hot = join(root, 'hot');
    const cool = join(root, 'cool');
    await writePart(hot, handBuiltStream(), T0, '0:1/2', {
      generator: { eventLoopDelayP99Ms: 2, cpuPercent: 30, cpuPeakPercent: 95 },
    });
    await writePart(cool, partB(), T0 + OFFSET_MS, '1/2:1', {
      generator: { eventLoopDelayP99Ms: 1, cpuPercent: 40, cpuPeakPercent: 60 },
    });
    const { summary } = await mergeResults([hot, cool]);
    expect(summary.generator).toMatchObject({ cpuPercent: 40, cpuPeakPercent: 95, valid: false });
    expect(summary.generator.reasons).toEqual([
      expect.stringMatching(/: generator CPU 95% of a core over 5 s/),
    ]);
    const { summary: old } = await mergeResults([dirA, dirB]);
    expect(old.generator.cpuPeakPercent).toBeNull();
  });

  it('re-judges the thresholds on the merged numbers', async () => {
    const partA = await readResults(dirA);
    expect(partA.summary.thresholds.find((t) => t.metric === 'http_reqs')).toMatchObject({
      ok: false,
      actual: 5,
    });
    const { summary } = await mergeResults([dirA, dirB]);
    expect(summary.thresholds.map((t) => [t.metric, t.expression, t.ok, t.actual])).toEqual(
      wholeRun().summary.thresholds.map((t) => [t.metric, t.expression, t.ok, t.actual]),
    );
    expect(summary.thresholds.find((t) => t.metric === 'http_reqs')).toMatchObject({ ok: true, actual: 10 });
  });

  it('aligns the timeseries on the earliest start, recomputing per-second percentiles from the samples', async () => {
    const { timeseries } = await mergeResults([dirA, dirB]);
    const whole = wholeRun().timeseries;
    const strip = (p: (typeof whole.points)[number]) => ({
      ...p,
      inFlight: Math.round(p.inFlight * 1e9),
      server: null,
    });
    expect(timeseries.points.map(strip)).toEqual(whole.points.map(strip));
    expect(timeseries.points[3]!.server.queueSize).toBe(4);
    expect(timeseries.points[1]!.server.queueSize).toBe(2);
    expect(timeseries.annotations).toEqual([
      { tSec: 0, label: 'phase: steady' },
      { tSec: 2, label: 'phase: steady' },
    ]);
  });

  it('averages a gauge that both generators scraped in the same second instead of adding it', async () => {
    const c = join(root, 'c');
    await writePart(c, partB(), T0, '1/2:1', { queueSize: 4 });
    const { timeseries } = await mergeResults([dirA, c]);
    expect(timeseries.points[1]!.server.queueSize).toBe(3);
  });

  it('merges phases with exact percentiles and judges recovery on the merged series', async () => {
    const { summary } = await mergeResults([dirA, dirB]);
    const whole = wholeRun().summary.phases[0]!;
    const [steady] = summary.phases;
    expect(steady).toMatchObject({
      name: 'steady',
      startSec: 0,
      endSec: 6,
      requests: 10,
      failed: 3,
      dropped: 2,
    });
    expect(steady!.ttftP95Ms).toBe(whole.ttftP95Ms);
    expect(steady!.e2eP95Ms).toBe(whole.e2eP95Ms);
    expect(steady!.recoverySec).toBe(whole.recoverySec);
    expect(steady!.recoverySec).toBe(3);
  });

  it('writes a merged directory that reads back, with the union of samples in end-time order', async () => {
    const out = join(root, 'merged');
    await mkdir(out);
    const merged = await mergeResults([dirA, dirB], { outDir: out });
    const back = await readResults(out);
    expect(back.summary).toEqual(merged.summary);
    const ends: number[] = [];
    for await (const s of readSamples(out)) ends.push(s.endMs);
    expect(ends).toHaveLength(10);
    expect(ends).toEqual([...ends].sort((x, y) => x - y));
    expect(ends).toContain(900 + OFFSET_MS);
  });

  it('leaves per-second percentiles null when a part has no samples file', async () => {
    await rm(join(dirB, 'samples.ndjson.gz'));
    const { timeseries, summary } = await mergeResults([dirA, dirB]);
    expect(summary.counts.requests).toBe(10);
    expect(timeseries.points.every((p) => p.ttftP95Ms === null)).toBe(true);
  });

  it('refuses to merge parts of different scenarios', async () => {
    const other = join(root, 'other');
    await writePart(other, partB(), T0, '1/2:1', { scenario: 'soak' });
    await expect(mergeResults([dirA, other])).rejects.toMatchObject({
      code: 'AL_INVALID_RESULTS',
      message: expect.stringContaining('different scenarios'),
    });
  });

  it('refuses a part whose samples file does not hold the requests its summary counts', async () => {
    const { summary } = await readResults(dirB);
    await writeResults(dirB, {
      summary: { ...summary, counts: { ...summary.counts, requests: 6 } },
      timeseries: (await readResults(dirB)).timeseries,
    });
    await expect(mergeResults([dirA, dirB])).rejects.toThrow(
      /holds 5 samples but summary.json counts 6 requests/,
    );
  });
});
