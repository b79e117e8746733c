import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../harness/cli/exit-codes.ts';
import { runAgentload } from '../support/agentload-cli.ts';

const fixtures = 'test/planner/fixtures';

const agentload = (args: string[]) => runAgentload(args, { timeoutMs: 20_000 });

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

  it('refuses bad --validate input before starting anything, with exit 104 and what to fix', async () => {
    const missing = await agentload(['plan', '--validate', '--from', 'results/no-such-sweep']);
    expect(missing.code).toBe(ExitCode.invalidConfig);
    expect(missing.stderr).toContain('Results path not found: results/no-such-sweep');
    expect(missing.stderr).not.toContain('starting the local stack');
    const badList = await agentload(['plan', '--validate-replicas', '0']);
    expect(badList.code).toBe(ExitCode.invalidConfig);
    expect(badList.stderr).toContain('expected replica counts 1-16 like "2,3"');
  });
});
