import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.ts';
import { positive } from '../flag-parsers.ts';
import { packageVersion } from '../process-helpers.ts';

interface ExportK6Flags {
  out?: string;
  e2eSec?: number;
  safety?: number;
  target?: string;
  types?: boolean;
}

/** `agentload export k6 <scenario>`: the scenario as a k6 + xk6-sse script (docs/distributed.md). */
export function register(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const exporter = program.command('export').description("Write a scenario in another load tool's format");
  exporter
    .command('k6')
    .argument('<scenario>', 'a shipped scenario or a scenario file')
    .description(
      'Write a k6 script (for a k6 built with xk6-sse) with the same executors, workload and thresholds',
    )
    .option('--out <file>', 'where to write the script (default <scenario>.k6.js)')
    .option(
      '--e2e-sec <s>',
      "expected seconds per request, for Little's-law VU sizing (default: the SLO's E2E, else 10)",
      positive,
    )
    .option('--safety <x>', "multiplier on the Little's-law VU count (default 1.5)", positive)
    .option('--target <url>', 'default target when AGENTLOAD_TARGET is unset (default http://127.0.0.1:8080)')
    .option('--types', 'also write xk6-sse.d.ts next to the script, for tsc and editors')
    .action((ref: string, flags: ExportK6Flags) =>
      run(async () => {
        const { e2eSec, safety: safetyFactor } = flags;
        const [{ loadScenario }, { exportK6Script }, { ensureDir }, fs, path] = await Promise.all([
          import('../../engine/scenario-source.ts'),
          import('../../k6/export.ts'),
          import('../../results/write.ts'),
          import('node:fs/promises'),
          import('node:path'),
        ]);
        const scenario = await loadScenario(ref);
        const result = await exportK6Script(scenario, {
          ...(e2eSec === undefined ? {} : { e2eSec }),
          ...(safetyFactor === undefined ? {} : { safetyFactor }),
          ...(flags.target === undefined ? {} : { defaultTarget: flags.target }),
          version: packageVersion(),
        });
        const out = flags.out ?? `${scenario.name}.k6.js`;
        const dir = path.dirname(path.resolve(out));
        await ensureDir(dir);
        try {
          await fs.writeFile(out, result.script);
          if (flags.types) {
            await fs.copyFile(
              new URL('../../k6/xk6-sse.d.ts', import.meta.url),
              path.join(dir, 'xk6-sse.d.ts'),
            );
          }
        } catch (cause) {
          const { ResultsWriteError } = await import('../../results/errors.ts');
          throw new ResultsWriteError(`could not write ${out}: ${(cause as Error).message}`, {
            hint: 'Pick a writable --out file (not a directory).',
            cause,
          });
        }
        process.stderr.write(`wrote ${out}\n`);
        for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
        return ExitCode.ok;
      }),
    );
}
