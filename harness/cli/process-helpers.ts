import { readFileSync } from 'node:fs';
import { ExitCode } from './exit-codes.ts';

/** agentload's version from package.json, for results and exported scripts ('0.0.0' if unreadable). */
export function packageVersion(): string {
  try {
    const url = new URL('../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * Runs `action` with a signal that the first SIGINT/SIGTERM aborts (the load stops, results so far
 * are still written); a second one exits at once with ExitCode.externalAbort.
 */
export async function withStopSignal<T>(action: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) process.exit(ExitCode.externalAbort);
    process.stderr.write('\nstopping (again to quit now)...\n');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await action(stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
