import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../../harness/errors.ts';
import { loadGateConfig, parseGateConfig } from '../../../reports/gate/config.ts';
import { tempRoot } from '../factories.ts';

function issuesOf(value: unknown): string[] {
  try {
    parseGateConfig(value, 'gate.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return (error as InvalidConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the config to be rejected');
}

describe('parseGateConfig', () => {
  it('defaults to the run thresholds plus p95 TTFT, TPOT and E2E +10% and errors +1 point, by bootstrap', () => {
    const c = parseGateConfig({}, 'default');
    expect(c.runThresholds).toBe(true);
    expect(c.statistics).toMatchObject({
      method: 'bootstrap',
      confidence: 0.95,
      iterations: 2000,
      onInconclusive: 'pass',
    });
    expect(c.rules.map((r) => r.name)).toEqual([
      'ttft_ms p(95) may rise at most 10%',
      'tpot_ms p(95) may rise at most 10%',
      'e2e_ms p(95) may rise at most 10%',
      'http_req_failed may rise at most 1 pp',
    ]);
    expect(c.rules[0]!.tolerance).toEqual({ kind: 'relative', value: 0.1 });
    expect(c.rules[3]!.tolerance).toEqual({ kind: 'absolute', value: 0.01 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads throughput rules as "may fall" and latency in ms as absolute allowances', () => {
    const c = parseGateConfig(
      {
        rules: [
          { metric: 'output_tokens_per_sec', maxDecreasePct: 5 },
          { metric: 'itl_ms', stat: 'med', maxIncrease: 3 },
        ],
      },
      't',
    );
    expect(c.rules[0]).toMatchObject({
      direction: 'decrease',
      kind: 'run-level',
      name: 'output_tokens_per_sec may fall at most 5%',
    });
    expect(c.rules[1]).toMatchObject({
      stat: { kind: 'p', percentile: 50 },
      tolerance: { kind: 'absolute', value: 3 },
      name: 'itl_ms p(50) may rise at most 3 ms',
    });
  });

  it('lists every problem at once, each with its path', () => {
    const issues = issuesOf({
      statistics: { method: 't-test', confidence: 1.5 },
      rules: [
        { metric: 'ttft_ms', maxDecreasePct: 10 },
        { metric: 'http_req_failed', maxIncreasePct: 10 },
        { metric: 'e2e_ms', stat: 'p(120)', maxIncreasePct: 10 },
        { metric: 'e2e_ms' },
      ],
      thresholds: { ttft_ms: ['p95<1'] },
    });
    expect(issues).toEqual([
      expect.stringMatching(/^statistics\.method: /),
      expect.stringMatching(/^statistics\.confidence: /),
      expect.stringMatching(
        /^rules\[0\]\.maxDecreasePct: ttft_ms gets worse when it rises: use maxIncreasePct/,
      ),
      expect.stringMatching(/^rules\[1\]\.maxIncreasePct: .*share.*maxIncrease such as 0\.01/),
      expect.stringMatching(/^rules\[2\]\.stat: stat "p\(120\)"/),
      expect.stringMatching(/^rules\[3\]: give exactly one allowance/),
      expect.stringMatching(/^thresholds\.ttft_ms\[0\]:/),
    ]);
  });

  it('rejects unknown keys and metrics', () => {
    expect(issuesOf({ rulez: [] }).join()).toMatch(/Unrecognized key/);
    expect(issuesOf({ rules: [{ metric: 'latency', maxIncreasePct: 1 }] }).join()).toMatch(
      /rules\[0\]\.metric/,
    );
  });
});

describe('loadGateConfig', () => {
  const { root, cleanup } = tempRoot();
  afterAll(cleanup);

  it('reads YAML and names the file in errors', async () => {
    const path = join(root, 'gate.yml');
    await writeFile(
      path,
      'statistics:\n  method: mann-whitney\nrules:\n  - metric: ttft_ms\n    stat: p(99)\n    maxIncreasePct: 15\n',
    );
    const c = await loadGateConfig(path);
    expect(c.source).toBe(path);
    expect(c.rules[0]!.name).toBe('ttft_ms p(99) may rise at most 15%');
    await writeFile(path, 'rules: [ {');
    await expect(loadGateConfig(path)).rejects.toMatchObject({
      code: 'AL_INVALID_CONFIG',
      message: expect.stringContaining(path),
    });
    await expect(loadGateConfig(join(root, 'missing.yml'))).rejects.toMatchObject({
      code: 'AL_INVALID_CONFIG',
    });
  });
});
