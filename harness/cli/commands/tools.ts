import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.ts';
import { integer, nonNegative } from '../flag-parsers.ts';

interface ToolsFlags {
  port: number;
  host: string;
  seed: number;
  adminToken?: string;
  latencyScale: number;
}

export function register(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  program
    .command('tools')
    .description('Run the reference tools service (weather, order lookup, knowledge search) over HTTP')
    .option('--port <n>', 'port to listen on (0 picks a free one)', integer(0, 65_535), 0)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--seed <n>', 'seed of the latency and fault draws', integer(0, 2 ** 32 - 1), 1)
    .option('--admin-token <token>', 'enable /admin/faults, guarded by this Bearer token')
    .option('--latency-scale <x>', 'multiply modelled latencies (0 answers at once)', nonNegative, 1)
    .action((flags: ToolsFlags) =>
      run(async () => {
        const { startToolsService } = await import('../../../reference-service/tools/index.ts');
        const { waitForShutdownSignal } = await import('../../stack/shutdown-signal.ts');
        const service = await startToolsService({
          port: flags.port,
          host: flags.host,
          seed: flags.seed,
          adminToken: flags.adminToken,
          latencyScale: flags.latencyScale,
        });
        process.stdout.write(
          `${JSON.stringify({ event: 'listening', service: 'tools', url: service.url })}\n`,
        );
        await waitForShutdownSignal();
        await service.close();
        return ExitCode.ok;
      }),
    );
}
