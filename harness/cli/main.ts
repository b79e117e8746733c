import { Command, CommanderError } from 'commander';
import { commandLoaders } from './commands/index.ts';
import { ExitCode } from './exit-codes.ts';
import { reportError } from './report-error.ts';

const program = new Command('agentload')
  .description('Load tests and capacity plans for AI agent services')
  .showHelpAfterError()
  .exitOverride();

async function run(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (error) {
    process.exitCode = reportError(error);
  }
}

for (const load of Object.values(commandLoaders)) {
  const mod = await load();
  mod.register(program, run);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.invalidConfig;
  } else {
    process.exitCode = reportError(error);
  }
}
