import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../harness/cli/exit-codes.ts';

const exec = promisify(execFile);
const fixtures = 'test/planner/fixtures';

async function agentload(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('node', ['bin/agentload.js', ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('agentload plan', () => {
  it('prints the plan with its reasoning and writes plan.json', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'agentload-plan-')), 'plan.json');
    const r = await agentload([
      'plan',
      '--from',
      `${fixtures}/sweeps`,
      '--demand',
      `${fixtures}/demand.yaml`,
      '--gpu-hour-usd',
      '3.2',
      '--out',
      out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(ExitCode.ok);
    expect(r.stdout).toMatch(/goodput [0-9.]+ req\/s per replica \(95% CI/);
    expect(r.stdout).toContain('R_util = ceil(lambda_peak / (goodput_per_replica x u))');
    const plan = JSON.parse(readFileSync(out, 'utf8')) as {
      kind: string;
      options: { totals: { gpus: number } }[];
    };
    expect(plan.kind).toBe('agentload.capacity-plan');
    expect(plan.options[0]!.totals.gpus).toBeGreaterThan(0);
  });

  it('fails with exit 104 and a hint when the results path is missing', async () => {
    const r = await agentload(['plan', '--from', 'results/nope', '--peak-rps', '10']);
    expect(r.code).toBe(ExitCode.invalidConfig);
    expect(r.stderr).toContain('error AL_PLAN_INPUT_MISSING: Results path not found: results/nope');
    expect(r.stderr).toMatch(/^hint: /m);
  });

  it('fails with AL_PLAN_NO_SWEEP for results without a sweep', async () => {
    const r = await agentload(['plan', '--from', `${fixtures}/no-sweep`, '--peak-rps', '10']);
    expect(r.code).toBe(ExitCode.invalidConfig);
    expect(r.stderr).toContain('error AL_PLAN_NO_SWEEP');
  });

  it('fails with AL_PLAN_SLO_UNMET when no measured point meets the SLO', async () => {
    const r = await agentload([
      'plan',
      '--from',
      `${fixtures}/sweeps`,
      '--peak-rps',
      '10',
      '--slo',
      'ttft:p95=50',
    ]);
    expect(r.code).toBe(ExitCode.invalidConfig);
    expect(r.stderr).toContain('error AL_PLAN_SLO_UNMET');
    expect(r.stderr).toContain('hint: Relax the SLO');
  });

  it('fails with AL_INVALID_CONFIG listing the bad demand fields', async () => {
    const r = await agentload(['plan', '--from', `${fixtures}/sweeps`]);
    expect(r.code).toBe(ExitCode.invalidConfig);
    expect(r.stderr).toContain('error AL_INVALID_CONFIG');
    expect(r.stderr).toContain('give peakRequestsPerSec, or users');
  });
});
