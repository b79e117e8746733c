import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../harness/cli/exit-codes.ts';
import { readSummary } from '../../../harness/results/read.ts';
import { runAgentload } from '../../support/agentload-cli.ts';

const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);

const agentload = (args: string[], cwd: string) => runAgentload(args, { cwd });

describe('agentload export, ingest and merge on the command line', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agentload-k6-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exports a scenario as a k6 script with its type declaration next to it', async () => {
    const r = await agentload(
      ['export', 'k6', 'smoke', '--out', 'k6/smoke.k6.js', '--types', '--e2e-sec', '4'],
      dir,
    );
    expect(r.code).toBe(ExitCode.ok);
    expect(r.stderr).toContain('wrote k6/smoke.k6.js');
    const script = await readFile(join(dir, 'k6/smoke.k6.js'), 'utf8');
    expect(script).toContain('"preAllocatedVUs": 6');
    expect(await readFile(join(dir, 'k6/xk6-sse.d.ts'), 'utf8')).toContain("declare module 'k6/x/sse'");
  });

  it('exits 104 naming the expected value when --safety is not a positive number', async () => {
    const r = await agentload(['export', 'k6', 'smoke', '--out', 'k6/bad.k6.js', '--safety', '0'], dir);
    expect(r.code).toBe(ExitCode.invalidConfig);
    expect(r.stderr).toContain('expected a number > 0, got "0"');
  });

  it('exits 103 with AL_RESULTS_WRITE when --out names a directory', async () => {
    await mkdir(join(dir, 'taken'));
    const r = await agentload(['export', 'k6', 'smoke', '--out', 'taken'], dir);
    expect(r.code).toBe(ExitCode.harnessBroken);
    expect(r.stderr).toContain('error AL_RESULTS_WRITE: could not write taken: EISDIR');
  });

  it('ingests each runner, then merges them into the whole run, exiting 99 on its failed threshold', async () => {
    await copyFile(fixture('exported-runner-0.json'), join(dir, 'r0.json'));
    const a = await agentload(['ingest', 'k6', 'r0.json', '--out', 'a'], dir);
    const b = await agentload(['ingest', 'k6', fixture('exported-runner-1.json.gz'), '--out', 'b'], dir);
    expect([a.code, b.code]).toEqual([ExitCode.thresholdsFailed, ExitCode.ok]);
    expect(a.stderr).toMatch(/FAIL http_req_failed rate<0\.05/);
    const merged = await agentload(['merge', 'a', 'b', '--out', 'whole'], dir);
    expect(merged.code).toBe(ExitCode.thresholdsFailed);
    const summary = await readSummary(join(dir, 'whole'));
    expect(summary.counts).toMatchObject({ requests: 5, completed: 4, failed: 1, outputTokens: 16 });
    expect(summary.run.source).toBe('merge');
    // Without --out: a fresh directory under results/, named after the first part's scenario.
    const defaulted = await agentload(['merge', 'a', 'b'], dir);
    expect(defaulted.code).toBe(ExitCode.thresholdsFailed);
    const made = await readdir(join(dir, 'results'));
    expect(made).toEqual([expect.stringMatching(/-smoke-merged$/)]);
    expect((await readSummary(join(dir, 'results', made[0]!))).counts).toEqual(summary.counts);
  });

  it('exits 104 with the file and line when the k6 output is malformed', async () => {
    await writeFile(join(dir, 'bad.json'), '{"type":"Point"}\n');
    const r = await agentload(['ingest', 'k6', 'bad.json'], dir);
    expect(r.code).toBe(ExitCode.invalidConfig);
    expect(r.stderr).toMatch(/AL_K6_OUTPUT: bad\.json line 1 is not a k6 Point line/);
  });
});
