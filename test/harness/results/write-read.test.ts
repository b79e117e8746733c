import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gzip, gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Recorder } from '../../../harness/metrics/recorder.ts';
import { parseThresholds } from '../../../harness/metrics/thresholds.ts';
import { readResults, readSamples, readSummary } from '../../../harness/results/read.ts';
import { RESULTS_FILES, type RequestSample } from '../../../harness/results/schema.ts';
import {
  SAMPLES_BATCH_CHARS,
  SamplesWriter,
  createResultsDir,
  resultsDirName,
  writeResults,
} from '../../../harness/results/write.ts';
import { RUN, handBuiltStream } from '../metrics/factories.ts';

let root = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'agentload-results-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function writeRun(dir: string, samples: RequestSample[] = handBuiltStream()) {
  const writer = SamplesWriter.open(dir);
  const recorder = new Recorder({
    slo: { ttftMs: 250, percentile: 95 },
    thresholds: parseThresholds({ ttft_ms: ['p(95)<1500'] }),
    onSample: (s) => writer.write(s),
  });
  recorder.setPhase('steady', 0);
  for (const s of samples) recorder.record({ ...s, phase: 'steady' });
  recorder.addScrape(1500, { queueSize: 2, batchSize: 4, agentInFlight: 1, breakerOpen: 0 });
  const results = recorder.finish({ endMs: 4000, run: RUN });
  await writer.close();
  await writeResults(dir, results);
  return results;
}

describe('results directory', () => {
  it('is named <UTC time>-<scenario>, and a second one in the same second gets a suffix', async () => {
    const at = new Date('2026-11-27T08:01:02.345Z');
    expect(resultsDirName('Steady State / EU', at)).toBe('20261127-080102-steady-state-eu');
    const first = await createResultsDir(root, 'smoke', at);
    const second = await createResultsDir(root, 'smoke', at);
    expect(first).toBe(join(root, '20261127-080102-smoke'));
    expect(second).toBe(join(root, '20261127-080102-smoke-2'));
  });

  it('reads back exactly what was written, samples streamed through gzip', async () => {
    const dir = await createResultsDir(root, 'unit', new Date());
    const written = await writeRun(dir);
    const back = await readResults(dir);
    expect(back.summary).toEqual(written.summary);
    expect(back.timeseries).toEqual(written.timeseries);
    const samples: RequestSample[] = [];
    for await (const s of readSamples(dir)) samples.push(s);
    expect(samples).toEqual(handBuiltStream().map((s) => ({ ...s, phase: 'steady' })));
    const raw = gunzipSync(await readFile(join(dir, RESULTS_FILES.samples))).toString('utf8');
    expect(raw.split('\n')).toHaveLength(6);
  });

  it('streams a large sample file without holding it (many gzip chunks)', async () => {
    const dir = await createResultsDir(root, 'big', new Date());
    const writer = SamplesWriter.open(dir);
    const base = handBuiltStream()[1]!;
    for (let i = 0; i < 8000; i++) writer.write({ ...base, session: `s-${i}`, tokenGapsMs: [i % 97, 3, 5] });
    await writer.close();
    expect(writer.count).toBe(8000);
    let n = 0;
    let last = '';
    for await (const s of readSamples(dir)) {
      n += 1;
      last = s.session ?? '';
    }
    expect(n).toBe(8000);
    expect(last).toBe('s-7999');
  });

  it('hands gzip batches of samples, not one write per sample (each zlib write has a fixed CPU cost)', async () => {
    const dir = await createResultsDir(root, 'batched', new Date());
    const writes = vi.spyOn(Gzip.prototype, 'write');
    try {
      const writer = SamplesWriter.open(dir);
      const base = handBuiltStream()[1]!;
      const lineChars = JSON.stringify(base).length + 1;
      for (let i = 0; i < 3000; i++) writer.write(base);
      const beforeClose = writes.mock.calls.length;
      await writer.close();
      // A batch is flushed by the line that reaches SAMPLES_BATCH_CHARS; the rest waits for close().
      const linesPerBatch = Math.ceil(SAMPLES_BATCH_CHARS / lineChars);
      expect(beforeClose).toBe(Math.floor(3000 / linesPerBatch));
      expect(writes.mock.calls.length).toBe(beforeClose + 1);
    } finally {
      writes.mockRestore();
    }
    let n = 0;
    for await (const _ of readSamples(dir)) n += 1;
    expect(n).toBe(3000);
  });

  it('fails with AL_INVALID_RESULTS naming a directory that does not exist', async () => {
    await expect(readSummary(join(root, 'nope'))).rejects.toMatchObject({
      code: 'AL_INVALID_RESULTS',
      message: expect.stringContaining('no results directory at'),
    });
  });

  it('fails naming the missing file', async () => {
    const dir = await createResultsDir(root, 'unit', new Date());
    await expect(readResults(dir)).rejects.toThrow(/summary\.json is missing or unreadable/);
  });

  it('fails naming the field paths that do not match the schema', async () => {
    const dir = await createResultsDir(root, 'unit', new Date());
    const { summary } = await writeRun(dir);
    const broken = {
      ...summary,
      counts: { ...summary.counts, requests: -1 },
      rates: { ...summary.rates, errorRate: 'high' },
    };
    await writeFile(join(dir, RESULTS_FILES.summary), JSON.stringify(broken));
    const err = await readSummary(dir).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AL_INVALID_RESULTS' });
    const paths = (err as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['counts.requests', 'rates.errorRate']));
  });

  it('fails on JSON that does not parse, and on a newer schema version with its own hint', async () => {
    const dir = await createResultsDir(root, 'unit', new Date());
    const { summary } = await writeRun(dir);
    await writeFile(join(dir, RESULTS_FILES.summary), '{"schemaVersion": 1,');
    await expect(readSummary(dir)).rejects.toThrow(/is not valid JSON/);
    await writeFile(join(dir, RESULTS_FILES.summary), JSON.stringify({ ...summary, schemaVersion: 2 }));
    await expect(readSummary(dir)).rejects.toMatchObject({
      message: expect.stringContaining('schemaVersion 2'),
      hint: expect.stringContaining('newer'),
    });
  });

  it('fails on a truncated samples file and on a sample line that is not a RequestSample, with its line number', async () => {
    const dir = await createResultsDir(root, 'unit', new Date());
    await writeRun(dir);
    const path = join(dir, RESULTS_FILES.samples);
    const full = await readFile(path);
    await writeFile(path, full.subarray(0, full.length - 12));
    const drain = async () => {
      for await (const _ of readSamples(dir)) void _;
    };
    await expect(drain()).rejects.toMatchObject({
      code: 'AL_INVALID_RESULTS',
      message: expect.stringContaining('not a complete gzip file'),
    });
    const lines = [
      JSON.stringify(handBuiltStream()[0]),
      JSON.stringify({ ...handBuiltStream()[0], outputTokens: 'many' }),
    ];
    await writeFile(path, gzipSync(`${lines.join('\n')}\n`));
    await expect(drain()).rejects.toThrow(/line 2 is not a RequestSample:\n {2}- outputTokens: /);
  });

  it('surfaces a samples write failure as AL_RESULTS_WRITE on close', async () => {
    const writer = SamplesWriter.open(join(root, 'missing-dir'));
    writer.write(handBuiltStream()[0]!);
    await expect(writer.close()).rejects.toMatchObject({ code: 'AL_RESULTS_WRITE' });
  });
});
