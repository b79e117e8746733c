import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../harness/cli/exit-codes.ts';

const exec = promisify(execFile);

async function agentload(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('node', ['bin/agentload.js', ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('agentload plan flags', () => {
  it('rejects a --validate-settings other than sweep or plan with exit 104', async () => {
    const r = await agentload(['plan', '--validate', '--validate-settings', 'server']);
    expect(r.code).toBe(ExitCode.invalidConfig);
    expect(r.stderr).toContain('expected "sweep" or "plan", got "server"');
  });

  it('rejects --users without --turns-per-min before --validate starts any stack', async () => {
    const r = await agentload(['plan', '--validate', '--users', '5']);
    expect(r.code).toBe(ExitCode.invalidConfig);
    expect(r.stderr).toContain('error AL_PLAN_INPUT: --users and --turns-per-min go together');
    expect(r.stderr).not.toContain('stack:');
  });
});
