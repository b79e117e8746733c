import { AgentloadError } from '../errors.ts';
import { ExitCode } from './exit-codes.ts';

/** Prints an error for a person (message, code, hint) and returns the exit code it maps to. */
export function reportError(
  error: unknown,
  write: (line: string) => void = (l) => process.stderr.write(l),
): number {
  if (error instanceof AgentloadError) {
    write(`error ${error.code}: ${error.message}\n`);
    if (error.hint) write(`hint: ${error.hint}\n`);
    return error.badInput ? ExitCode.invalidConfig : ExitCode.harnessBroken;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  write(`error AL_INTERNAL: ${err.message}\n${err.stack ?? ''}\n`);
  write('hint: this is a bug in agentload; please report it with the command you ran.\n');
  return ExitCode.harnessBroken;
}
