import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.ts';

interface ReportFlags {
  format: string;
  out?: string;
  compare: boolean;
}

export function register(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  program
    .command('report')
    .description(
      'Write HTML, Markdown, JSON and JUnit reports of results directories (two directories: baseline, then current, compared)',
    )
    .argument('<results...>', 'results directories (or summary.json files)')
    .option('--format <list>', 'comma-separated: html, md, json, junit', 'html,md,json')
    .option('--out <dir>', 'where to write the reports (default: the last results directory)')
    .option('--no-compare', 'with two directories, report them side by side without comparing')
    .action((results: string[], flags: ReportFlags) =>
      run(async () => {
        const { parseFormats, writeReports } = await import('../../../reports/write-reports.ts');
        const formats = parseFormats(flags.format);
        const paths = await writeReports(results, {
          formats,
          ...(flags.out === undefined ? {} : { outDir: flags.out }),
          compare: flags.compare && results.length === 2,
        });
        const written = [paths.htmlPath, paths.markdownPath, paths.jsonPath, paths.junitPath].filter(
          (p) => p !== undefined,
        );
        process.stdout.write(
          `verdict: ${paths.ok ? 'PASS' : 'FAIL'}\n${written.map((p) => `wrote ${p}\n`).join('')}`,
        );
        if (paths.chartPaths.length > 0)
          process.stdout.write(`wrote ${paths.chartPaths.length} chart SVGs next to the Markdown\n`);
        return ExitCode.ok;
      }),
    );
}
