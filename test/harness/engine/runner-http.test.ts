import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { parseScenario } from '../../../harness/config/scenario-schema.ts';
import { launch } from '../../../harness/engine/launch.ts';
import { externalTarget } from '../../../harness/engine/stack-session.ts';
import { startFakeAgent, type FakeAgent } from './fake-agent.ts';

const scenario = parseScenario({
  name: 'http-check',
  seed: 5,
  executors: {
    main: { executor: 'constant-arrival-rate', rate: 10, duration: '2s', preAllocatedVUs: 5, maxVUs: 20 },
  },
  workload: { turnsPerSession: { kind: 'fixed', value: 3 }, maxTokens: { kind: 'fixed', value: 4 } },
  thresholds: { turns_lost: ['count<1'], http_req_failed: ['rate<0.01'] },
});

let agent: FakeAgent | null = null;
let out: string | null = null;
afterEach(async () => {
  await agent?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

async function runAgainst(a: FakeAgent) {
  out = await mkdtemp(join(tmpdir(), 'agentload-run-'));
  const lines: string[] = [];
  const result = await launch({
    scenario,
    target: externalTarget(a.url, 'key-1'),
    outRoot: out,
    quiet: false,
    tty: false,
    signal: new AbortController().signal,
    write: (t) => lines.push(t),
    version: 'test',
  });
  return { result, lines: lines.join('') };
}

describe('a run against a live agent', () => {
  it('streams real turns, checks every acknowledged turn is stored, and writes the results directory', async () => {
    agent = await startFakeAgent();
    const { result, lines } = await runAgainst(agent);
    const s = result.outcome.summary;
    expect(s.counts.requests).toBe(20);
    expect(s.counts.failed).toBe(0);
    expect(s.counts.turnsAcknowledged).toBe(20);
    expect(s.counts.turnsLost).toBe(0);
    expect(result.passed).toBe(true);
    expect([...agent.sessions.values()].every((turns) => turns.length <= 3)).toBe(true);
    expect(await readdir(result.dir)).toEqual(
      expect.arrayContaining(['summary.json', 'timeseries.json', 'samples.ndjson.gz']),
    );
    const samples = gunzipSync(await readFile(join(result.dir, 'samples.ndjson.gz')))
      .toString()
      .trim()
      .split('\n');
    expect(samples).toHaveLength(20);
    expect(JSON.parse(samples[0]!)).toMatchObject({
      tenant: 'default',
      turn: 1,
      errorClass: null,
      outputTokens: 4,
    });
    expect(JSON.parse(await readFile(join(result.dir, 'summary.json'), 'utf8')).run.scenario).toBe(
      'http-check',
    );
    expect(lines).toMatch(/\[http-check\] 1s\/2s/);
    expect(lines).toContain(`results: ${result.dir}`);
  });

  it('counts an acknowledged turn the server did not store as lost, and fails turns_lost', async () => {
    agent = await startFakeAgent({ forgetTurn: 7 });
    const { result } = await runAgainst(agent);
    expect(result.outcome.summary.counts.turnsLost).toBe(1);
    expect(result.outcome.ledger?.problems[0]?.detail).toMatch(/1 acknowledged turn\(s\) missing/);
    expect(result.passed).toBe(false);
    expect(result.outcome.summary.thresholds.find((t) => t.metric === 'turns_lost')).toMatchObject({
      ok: false,
      actual: 1,
    });
  });
});
