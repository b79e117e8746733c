import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.ts';

interface GateFlags {
  current: string;
  baseline?: string;
  config?: string;
  out?: string;
  format: string;
}

export function register(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  program
    .command('gate')
    .description(
      'Judge a run for CI: thresholds plus regression rules against a baseline, tested on per-request samples',
    )
    .requiredOption('--current <results>', 'results directory of the run under test')
    .option(
      '--baseline <results>',
      'results directory or summary.json of the baseline (omitted: thresholds only)',
    )
    .option(
      '--config <file>',
      'gate.yml with thresholds, rules and statistics (default rules: docs/reports.md)',
    )
    .option(
      '--out <dir>',
      'also write reports with the verdicts (report.md for $GITHUB_STEP_SUMMARY, junit.xml)',
    )
    .option(
      '--format <list>',
      'report formats written with --out: html, md, json, junit',
      'md,junit,json,html',
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 pass, 1 regression or failed threshold, 103 unreadable results, 104 bad config.',
    )
    .action((flags: GateFlags) =>
      run(async () => {
        const { parseFormats } = await import('../../../reports/write-reports.ts');
        const { runGate } = await import('../../../reports/gate/run-gate.ts');
        const { InvalidResultsError } = await import('../../results/errors.ts');
        let outcome: Awaited<ReturnType<typeof runGate>>;
        try {
          outcome = await runGate({
            current: flags.current,
            ...(flags.baseline === undefined ? {} : { baseline: flags.baseline }),
            ...(flags.config === undefined ? {} : { config: flags.config }),
            ...(flags.out === undefined ? {} : { outDir: flags.out, formats: parseFormats(flags.format) }),
          });
        } catch (error) {
          // In CI the gate's results come from the pipeline's own run step: missing or unreadable
          // ones mean that step broke (103), not that the gate was configured wrong (104).
          if (!(error instanceof InvalidResultsError)) throw error;
          const { reportError } = await import('../report-error.ts');
          reportError(error);
          return ExitCode.harnessBroken;
        }
        process.stdout.write(outcome.text);
        const r = outcome.reports;
        if (r !== null) {
          for (const p of [r.markdownPath, r.junitPath, r.jsonPath, r.htmlPath])
            if (p !== undefined) process.stdout.write(`wrote ${p}\n`);
        }
        return outcome.exitCode;
      }),
    );
}
