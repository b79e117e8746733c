import type { Command } from 'commander';

/**
 * One CLI command per file under harness/cli/commands/. `register` adds the command to the program;
 * its action returns the process exit code (see exit-codes.ts).
 */
export interface CommandModule {
  register(program: Command, run: (action: () => Promise<number>) => Promise<void>): void;
}
