import { ExitCode } from './exit-codes.ts';
import { packageVersion, withStopSignal } from './process-helpers.ts';
import { parseRunFlags, type RunFlags } from './run-flags.ts';

/**
 * The action behind `run` and `suite`: flags and env resolved here (the only place that reads
 * them), the engine imported lazily. SIGINT/SIGTERM stop the load and still write the results;
 * a second one exits at once.
 */
export async function runWithFlags(kind: 'run' | 'suite', ref: string, flags: RunFlags): Promise<number> {
  const parsed = parseRunFlags(flags, process.env);
  const [{ runScenarioCommand, runSuiteCommand }, { startForNeeds }] = await Promise.all([
    import('../engine/run-command.ts'),
    import('../engine/local-stack.ts'),
  ]);
  return withStopSignal(async (signal) => {
    const request = {
      ...parsed,
      signal,
      write: (text: string) => void process.stderr.write(text),
      tty: process.stderr.isTTY === true,
      version: packageVersion(),
      startLocal: (needs: Parameters<typeof startForNeeds>[1]) =>
        startForNeeds(parsed.stack === 'external' ? 'local' : parsed.stack, needs, {
          modelServer: parsed.modelServer,
          hfToken: process.env.HF_TOKEN ?? null,
          ...(parsed.quiet ? {} : { onProgress: (m: string) => void process.stderr.write(`stack: ${m}\n`) }),
        }),
    };
    const result =
      kind === 'run' ? await runScenarioCommand(ref, request) : await runSuiteCommand(ref, request);
    if (result.interrupted) return ExitCode.externalAbort;
    return result.passed ? ExitCode.ok : ExitCode.thresholdsFailed;
  });
}
