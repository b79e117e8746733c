import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseScenario } from '../../../harness/config/scenario-schema.ts';
import { K6OutputError } from '../../../harness/k6/errors.ts';
import { ingestK6 } from '../../../harness/k6/ingest.ts';
import { parseK6Time } from '../../../harness/k6/k6-json.ts';
import { readResults, readSamples } from '../../../harness/results/read.ts';
import { scenarios } from '../../../scenarios/index.ts';

const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);
const RUNNERS = [fixture('exported-runner-0.json'), fixture('exported-runner-1.json.gz')];
const smoke = parseScenario(scenarios.smoke);

let out: string | null = null;
afterEach(async () => {
  if (out) await rm(out, { recursive: true, force: true });
  out = null;
});

async function outDir(): Promise<string> {
  out = await mkdtemp(join(tmpdir(), 'agentload-ingest-'));
  return join(out, 'run');
}

describe('parseK6Time', () => {
  it('keeps the sub-millisecond part of the nanosecond times k6 writes', () => {
    expect(parseK6Time('2026-11-27T10:00:00.040000001Z')).toBeCloseTo(
      Date.UTC(2026, 10, 27, 10) + 40.000001,
      6,
    );
    expect(parseK6Time('2017-05-09T14:34:45.239531499+02:00')).toBeCloseTo(
      Date.UTC(2017, 4, 9, 12, 34, 45) + 239.531499,
      6,
    );
    expect(parseK6Time('yesterday')).toBeNull();
  });
});

describe('ingestK6 on output of an exported script', () => {
  it('rebuilds every request of every runner as a sample, on one clock', async () => {
    const dir = await outDir();
    const result = await ingestK6(RUNNERS, { outDir: dir, resolveScenario: async () => smoke });
    expect(result.samples).toBe(5);
    const samples = [];
    for await (const s of readSamples(dir)) samples.push(s);
    expect(samples.map((s) => s.scheduledAtMs)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(samples[1]).toMatchObject({
      sentAtMs: 500,
      firstByteMs: 505,
      firstTokenMs: 530,
      endMs: 580,
      tokenGapsMs: [10, 10, 10],
      inputTokens: 20,
      outputTokens: 4,
      tokenSource: 'usage',
      status: 200,
      errorClass: null,
      session: 'k6-b-v1-s1',
      turn: 1,
      replica: 'agent-0',
    });
    expect(samples[4]).toMatchObject({
      status: 429,
      errorClass: 'http_429',
      outputTokens: 0,
      tokenGapsMs: [],
    });
    expect(samples[3]!.degraded).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['samples.ndjson.gz', 'summary.json', 'timeseries.json']);
  });

  it('computes the docs/metrics.md numbers and judges the scenario thresholds on the whole run', async () => {
    const dir = await outDir();
    const { summary, notes } = await ingestK6(RUNNERS, { outDir: dir, scenario: smoke, version: 't' });
    expect(summary.run).toMatchObject({ scenario: 'smoke', source: 'k6', target: 'http://127.0.0.1:8080' });
    expect(summary.run.stack.kind).toBe('k6');
    expect(summary.counts).toMatchObject({
      requests: 5,
      completed: 4,
      failed: 1,
      dropped: 1,
      degraded: 1,
      outputTokens: 16,
      inputTokens: 115,
      goodRequests: 3,
    });
    expect(summary.errors).toEqual({ http_429: 1 });
    expect(summary.metrics.ttftMs.stats).toMatchObject({ count: 4, min: 10, max: 60, mean: 35 });
    expect(summary.metrics.e2eMs.stats).toMatchObject({ count: 4, min: 80, max: 150 });
    expect(summary.metrics.itlMs.stats.count).toBe(12);
    expect(summary.metrics.tpotMs.stats.max).toBe(30);
    expect(summary.rates.errorRate).toBeCloseTo(0.2, 9);
    const failed = summary.thresholds.find((t) => t.metric === 'http_req_failed');
    expect(failed).toMatchObject({ ok: false, actual: 0.2 });
    expect(summary.thresholds.find((t) => t.metric === 'ttft_ms')).toMatchObject({ ok: true, actual: 60 });
    expect(summary.thresholds.some((t) => t.metric === 'turns_lost')).toBe(false);
    expect(notes.join('\n')).toMatch(/turns_lost count<1 not judged/);
    const read = await readResults(dir);
    expect(read.timeseries.points[0]).toMatchObject({ requests: 2, completed: 2 });
    expect(read.timeseries.points[2]).toMatchObject({ failed: 1, dropped: 1 });
  });

  it('judges the thresholds k6 printed when the scenario is unknown', async () => {
    const dir = await outDir();
    const { summary, notes } = await ingestK6(RUNNERS, { outDir: dir, resolveScenario: async () => null });
    expect(summary.run.scenario).toBe('smoke');
    expect(summary.thresholds.map((t) => `${t.metric} ${t.expression}`).sort()).toEqual([
      'http_req_failed rate<0.05',
      'ttft_ms p(95)<3000',
    ]);
    expect(notes.join('\n')).toMatch(/no scenario/);
  });
});

describe('ingestK6 on output of any k6 script', () => {
  it('summarizes the metric points it has, without samples', async () => {
    const dir = await outDir();
    const { summary, samples, notes } = await ingestK6([fixture('plain-http.json')], { outDir: dir });
    expect(samples).toBeNull();
    expect(summary.counts).toMatchObject({ requests: 6, failed: 1, completed: 5 });
    expect(summary.metrics.e2eMs.stats.count).toBe(5);
    expect(summary.metrics.e2eMs.stats.max).toBe(300);
    expect(summary.metrics.ttftMs.stats.count).toBe(0);
    expect(summary.thresholds).toEqual([
      expect.objectContaining({ metric: 'http_req_failed', expression: 'rate<0.01', ok: false }),
    ]);
    expect(notes.join('\n')).toMatch(/http_req_duration p\(95\)<500 not judged/);
    expect((await readdir(dir)).sort()).toEqual(['summary.json', 'timeseries.json']);
    const read = await readResults(dir);
    expect(read.timeseries.points.reduce((a, p) => a + p.requests, 0)).toBe(6);
  });

  it('puts a latency point that ends the run on a whole second into a second of its own', async () => {
    const dir = await outDir();
    const file = join(out!, 'edge.json');
    const point = (metric: string, time: string, value: number) =>
      JSON.stringify({ type: 'Point', metric, data: { time, value, tags: {} } });
    await writeFile(
      file,
      [point('http_reqs', '2026-11-27T10:00:00Z', 1), point('ttft_ms', '2026-11-27T10:00:02Z', 12)].join(
        '\n',
      ),
    );
    const { timeseries } = await ingestK6([file], { outDir: dir });
    expect(timeseries.points.map((p) => p.ttftP50Ms)).toEqual([null, null, 12]);
  });
});

describe('ingestK6 on bad input', () => {
  it('names the file and line of a malformed point', async () => {
    const dir = await outDir();
    const run = ingestK6([fixture('malformed.json')], { outDir: dir });
    await expect(run).rejects.toBeInstanceOf(K6OutputError);
    await expect(run).rejects.toThrow(/malformed\.json line 2: "yesterday" is not an RFC 3339 time/);
  });

  it('refuses a gzip file that was cut off, as a runner killed mid-write leaves it', async () => {
    const dir = await outDir();
    const cut = join(out!, 'cut.json.gz');
    await writeFile(cut, (await readFile(RUNNERS[1]!)).subarray(0, 600));
    await expect(ingestK6([cut], { outDir: dir })).rejects.toThrow(/could not be read to the end/);
  });

  it('refuses a missing file and a mix of exported and other scripts', async () => {
    const dir = await outDir();
    await expect(ingestK6([fixture('nope.json')], { outDir: dir })).rejects.toThrow(/does not exist/);
    await expect(ingestK6([RUNNERS[0]!, fixture('plain-http.json')], { outDir: dir })).rejects.toThrow(
      /some files come from a script exported by agentload/,
    );
  });

  it('refuses an --out that cannot be made with AL_RESULTS_WRITE, naming the directory', async () => {
    await outDir();
    await writeFile(join(out!, 'file'), 'x');
    const under = join(out!, 'file', 'run');
    const run = ingestK6([RUNNERS[0]!], { outDir: under, scenario: smoke });
    await expect(run).rejects.toMatchObject({ code: 'AL_RESULTS_WRITE' });
    await expect(run).rejects.toThrow(`could not write directory ${under}: ENOTDIR`);
  });
});
