import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runAgentload as agentload } from '../support/agentload-cli.ts';
import { describeWith } from './support.ts';

const out = await mkdtemp(join(tmpdir(), 'agentload-cli-'));
afterAll(() => rm(out, { recursive: true, force: true }));

describeWith(['redis-server', 'haproxy'], 'agentload run', () => {
  it('runs a scenario on the local stack, prints progress and the results directory, exits 0', async () => {
    const { code, stderr } = await agentload(['run', 'smoke', '--duration', '3s', '--out', out]);
    // Any tick: a machine stalled past 1.5 s rounds the first one to "2s".
    expect(stderr).toMatch(/\[smoke\] \ds\/3s .* p95 TTFT/);
    const dir = /results: (.+)/.exec(stderr)?.[1];
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(await readFile(join(dir!, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ schemaVersion: 1, run: { scenario: 'smoke', stack: { kind: 'local' } } });
    expect(summary.counts.turnsLost).toBe(0);
  }, 40_000);
});

it('exits 99 when thresholds fail (nothing answers at the target)', async () => {
  const { code, stderr } = await agentload([
    'run',
    'smoke',
    '--target',
    'http://127.0.0.1:9',
    '--duration',
    '2s',
    '--quiet',
    '--out',
    out,
  ]);
  expect(stderr).toMatch(/FAIL http_req_failed/);
  expect(code).toBe(99);
}, 30_000);

it('exits 104 with every bad flag listed, before starting anything', async () => {
  const { code, stderr } = await agentload([
    'run',
    'outage-model',
    '--target',
    'http://127.0.0.1:9',
    '--vus',
    '0',
    '--duration',
    'soon',
  ]);
  expect(stderr).toContain('--vus: "0" is not a positive integer');
  expect(stderr).toContain('--duration: "soon" is not a duration');
  expect(code).toBe(104);
  const fault = await agentload(['run', 'outage-model', '--target', 'http://127.0.0.1:9', '--out', out]);
  expect(fault.stderr).toMatch(/faults\[0\]: "kill" needs a stack the harness controls/);
  expect(fault.code).toBe(104);
  const suite = await agentload(['suite', 'nightly']);
  expect(suite.stderr).toContain('no suite "nightly"');
  expect(suite.code).toBe(104);
}, 30_000);
