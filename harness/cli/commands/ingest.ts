import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.ts';
import { packageVersion } from '../process-helpers.ts';

interface IngestFlags {
  out?: string;
  scenario?: string;
}

/** `agentload ingest k6 <files...>`: k6 JSON output to an agentload results directory. */
export function register(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const ingest = program
    .command('ingest')
    .description("Turn another load tool's output into agentload results");
  ingest
    .command('k6')
    .argument(
      '<files...>',
      'k6 `--out json=FILE` outputs (.json or .json.gz), one per runner of the same run',
    )
    .description(
      'Write summary.json, timeseries.json (and samples.ndjson.gz for exported scripts) from k6 JSON output',
    )
    .option('--out <dir>', 'results directory to write (default results/<time>-<scenario>/)')
    .option('--scenario <name|file>', "judge against this scenario (default: the exported script's own)")
    .action((files: string[], flags: IngestFlags) =>
      run(async () => {
        const [{ loadScenario }, { ingestK6 }, { formatBrief, thresholdsPassed }] = await Promise.all([
          import('../../engine/scenario-source.ts'),
          import('../../k6/ingest.ts'),
          import('../../k6/brief.ts'),
        ]);
        const { isScenarioName } = await import('../../../scenarios/index.ts');
        const scenario = flags.scenario === undefined ? null : await loadScenario(flags.scenario);
        const result = await ingestK6(files, {
          scenario,
          resolveScenario: async (name) => (isScenarioName(name) ? loadScenario(name) : null),
          ...(flags.out === undefined ? {} : { outDir: flags.out }),
          version: packageVersion(),
        });
        for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
        for (const line of formatBrief(result.summary, result.dir)) process.stderr.write(`${line}\n`);
        return thresholdsPassed(result.summary) ? ExitCode.ok : ExitCode.thresholdsFailed;
      }),
    );
}
