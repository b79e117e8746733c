import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.ts';

interface MergeFlags {
  out?: string;
}

/**
 * `agentload merge <results...>`: the parts of one split run (`agentload run --segment`, or k6
 * runners after `ingest`) as one results directory, through merged histograms (mergeResults).
 */
export function register(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  program
    .command('merge')
    .argument('<results...>', 'results directories of the parts of one run')
    .description('Merge the results of a split run: counts add up, percentiles come from merged histograms')
    .option('--out <dir>', 'results directory to write (default results/<time>-<scenario>-merged/)')
    .action((dirs: string[], flags: MergeFlags) =>
      run(async () => {
        const [{ mergeResults }, { readSummary }, { createResultsDir, ensureDir }, brief] = await Promise.all(
          [
            import('../../results/merge.ts'),
            import('../../results/read.ts'),
            import('../../results/write.ts'),
            import('../../k6/brief.ts'),
          ],
        );
        let out = flags.out;
        if (out === undefined) {
          const { run: first } = await readSummary(dirs[0]!);
          out = await createResultsDir('results', `${first.scenario}-merged`, new Date(first.startedAt));
        } else {
          await ensureDir(out);
        }
        const { summary } = await mergeResults(dirs, { outDir: out });
        for (const line of brief.formatBrief(summary, out)) process.stderr.write(`${line}\n`);
        return brief.thresholdsPassed(summary) ? ExitCode.ok : ExitCode.thresholdsFailed;
      }),
    );
}
