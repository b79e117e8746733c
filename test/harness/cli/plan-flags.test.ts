import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../harness/cli/exit-codes.ts';
import { runAgentload } from '../../support/agentload-cli.ts';

const agentload = (args: string[]) => runAgentload(args, { timeoutMs: 20_000 });

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
