import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';

const BIN = join(resolve(import.meta.dirname, '../..'), 'bin/agentload.js');

export interface CliResult {
  /** The exit code; -1 when the process ended on a signal (a timeout kills it). */
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `agentload <args>` to its end through the real CLI; never rejects. */
export function runAgentload(
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        done({ code, stdout, stderr });
      },
    );
  });
}
