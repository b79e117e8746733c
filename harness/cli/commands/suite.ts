import type { Command } from 'commander';
import { RUN_OPTIONS, type RunFlags } from '../run-flags.ts';
import { runWithFlags } from '../run-action.ts';

/** `agentload suite [name]`: a named list of scenarios on one stack (`npm run loadtest` = default). */
export function register(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const command = program
    .command('suite')
    .argument(
      '[name]',
      'default (smoke, steady-state, peak, outage-model, cold-start), outages or all',
      'default',
    )
    .description('Run a suite of scenarios on one local stack and print where the results are');
  for (const [flags, description] of RUN_OPTIONS) command.option(flags, description);
  command.action((name: string, flags: RunFlags) => run(() => runWithFlags('suite', name, flags)));
}
