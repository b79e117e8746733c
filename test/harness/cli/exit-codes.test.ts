import { describe, expect, it } from 'vitest';
import { reportError } from '../../../harness/cli/report-error.ts';
import { ExitCode } from '../../../harness/cli/exit-codes.ts';
import { HarnessError, InvalidConfigError, StackStartError } from '../../../harness/errors.ts';
import { K6OutputError } from '../../../harness/k6/errors.ts';
import { InvalidResultsError, ResultsWriteError } from '../../../harness/results/errors.ts';
import { NoSweepError } from '../../../planner/errors.ts';
import { UnknownProfileError } from '../../../reference-service/model-server/profiles.ts';
import { runAgentload } from '../../support/agentload-cli.ts';

describe('exit codes', () => {
  it('maps every bad-input error to 104 and the rest to 103, printing code and hint', () => {
    const badInput = [
      new InvalidConfigError('flags', [{ path: '--rate', message: 'must be > 0' }]),
      new InvalidResultsError('no summary.json in /x'),
      new K6OutputError('line 3 is not JSON'),
      new UnknownProfileError('no profile "x"', { hint: 'use llama-3.1-8b@h100' }),
      new NoSweepError('no steps'),
    ];
    const broken = [
      new StackStartError('redis did not start'),
      new ResultsWriteError('disk full'),
      new HarnessError('invariant'),
      new Error('boom'),
    ];
    const lines: string[] = [];
    const write = (l: string): void => void lines.push(l);
    expect(badInput.map((e) => reportError(e, write))).toEqual(badInput.map(() => ExitCode.invalidConfig));
    expect(broken.map((e) => reportError(e, write))).toEqual(broken.map(() => ExitCode.harnessBroken));
    expect(lines).toContain('error AL_UNKNOWN_PROFILE: no profile "x"\n');
    expect(lines).toContain('hint: use llama-3.1-8b@h100\n');
    expect(lines.some((l) => l.startsWith('error AL_INTERNAL: boom'))).toBe(true);
  });

  it('a bad --profile and a missing results directory exit 104 through the real CLI', async () => {
    const profile = await runAgentload(['model-server', '--profile', 'nope']);
    expect(profile.code).toBe(104);
    expect(profile.stderr).toContain('AL_UNKNOWN_PROFILE');
    const report = await runAgentload(['report', '/nonexistent/agentload-results']);
    expect(report.code).toBe(104);
    expect(report.stderr).toContain('AL_INVALID_RESULTS');
  });
});
