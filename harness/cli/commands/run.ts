import type { Command } from 'commander';
import { RUN_OPTIONS, type RunFlags } from '../run-flags.ts';
import { runWithFlags } from '../run-action.ts';

/** `agentload run <scenario|file>`: one scenario, results in results/<time>-<scenario>/. */
export function register(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const command = program
    .command('run')
    .argument(
      '<scenario>',
      'a shipped scenario (smoke, steady-state, peak, cold-start, outage-*, sweep, soak) or a file',
    )
    .description('Run one load scenario and write summary.json, timeseries.json and samples.ndjson.gz');
  for (const [flags, description] of RUN_OPTIONS) command.option(flags, description);
  command.action((scenario: string, flags: RunFlags) => run(() => runWithFlags('run', scenario, flags)));
}
