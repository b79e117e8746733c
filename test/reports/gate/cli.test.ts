/** `agentload gate` end to end through the real CLI: exit codes and what it prints. */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSamples, tempRoot, writeRunDir } from '../factories.ts';
import { runAgentload } from '../../support/agentload-cli.ts';

const { root, cleanup } = tempRoot();
const dirs = { base: '', same: '', slow: '', summaryOnly: '' };

const gate = (args: string[]) => runAgentload(['gate', ...args], { timeoutMs: 50_000 });

beforeAll(async () => {
  const shape = { count: 1500, ratePerSec: 50 };
  dirs.base = await writeRunDir(root, 'base', makeSamples({ ...shape, seed: 1 }), { thresholds: {} });
  dirs.same = await writeRunDir(root, 'same', makeSamples({ ...shape, seed: 2 }), { thresholds: {} });
  dirs.slow = await writeRunDir(root, 'slow', makeSamples({ ...shape, seed: 3, slowdown: 1.5 }), {
    thresholds: {},
  });
  dirs.summaryOnly = join(root, 'stored-baseline');
  await mkdir(dirs.summaryOnly);
  await copyFile(join(dirs.base, 'summary.json'), join(dirs.summaryOnly, 'baseline-summary.json'));
  await writeFile(join(root, 'bad-gate.yml'), 'rules:\n  - metric: ttft_ms\n    maxDecreasePct: 10\n');
}, 60_000);
afterAll(cleanup);

describe('agentload gate', () => {
  it('exits 0 / 1 / 104 / 103 for pass, regression, bad config and missing results', async () => {
    const [pass, regression, badConfig, missing] = await Promise.all([
      gate([
        '--current',
        dirs.same,
        '--baseline',
        join(dirs.summaryOnly, 'baseline-summary.json'),
        '--out',
        join(root, 'out'),
      ]),
      gate(['--current', dirs.slow, '--baseline', dirs.base]),
      gate(['--current', dirs.same, '--baseline', dirs.base, '--config', join(root, 'bad-gate.yml')]),
      gate(['--current', join(root, 'no-such-run'), '--baseline', dirs.base]),
    ]);
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(/agentload gate: PASS/);
    expect(pass.stdout).toMatch(/no samples\.ndjson\.gz.*weaker/);
    expect(pass.stdout).toMatch(/wrote .*report\.md/);

    expect(regression.code, regression.stderr).toBe(1);
    expect(regression.stdout).toMatch(/FAIL +ttft_ms p\(95\) may rise at most 10%/);
    expect(regression.stdout).toMatch(/the whole interval lies past the \+10% allowed/);

    expect(badConfig.code).toBe(104);
    expect(badConfig.stderr).toMatch(
      /AL_INVALID_CONFIG[\s\S]*rules\[0\]\.maxDecreasePct: ttft_ms gets worse when it rises/,
    );

    expect(missing.code).toBe(103);
    expect(missing.stderr).toMatch(/AL_INVALID_RESULTS/);
  }, 60_000);
});
