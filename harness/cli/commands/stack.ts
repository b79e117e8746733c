import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.ts';
import { integer, nonNegative } from '../flag-parsers.ts';

interface StackUpFlags {
  replicas?: number;
  modelReplicas: number;
  profile?: string;
  loadTimeSec?: number;
  maxConcurrentRequests?: number;
  sticky: boolean;
  seed: number;
  config?: string;
  keepLogs: boolean;
}

/** `agentload stack up`: the local reference stack, in the foreground until Ctrl-C. */
export function register(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const stack = program
    .command('stack')
    .description('The local reference stack (agent, model servers, tools, Redis, HAProxy)');
  stack
    .command('up')
    .description(
      'Start the local stack, print its endpoints and demo API keys as one JSON line, run until Ctrl-C',
    )
    .option(
      '--replicas <n>',
      'agent replicas (default 2 with redis-server and haproxy installed, else 1)',
      integer(1, 16),
    )
    .option('--model-replicas <n>', 'model servers, one simulated GPU replica each', integer(1, 16), 1)
    .option('--profile <name>', 'model server profile <model>@<gpu>[-tp<N>] (default llama-3.1-8b@h100)')
    .option(
      '--load-time-sec <s>',
      "model cold start at start and restart (default: the profile's)",
      nonNegative,
    )
    .option('--max-concurrent-requests <n>', 'model server in-flight limit', integer(1, 2 ** 31 - 1))
    .option('--sticky', 'pin each session to one agent replica (HAProxy stick table)', false)
    .option('--seed <n>', 'seed of the model servers and the tools service', integer(0, 2 ** 31), 1)
    .option('--config <file>', 'agent config for every replica (default: the demo tenants acme and globex)')
    .option('--keep-logs', 'keep the stack directory (component logs) after it stops', false)
    .action((flags: StackUpFlags) =>
      run(async () => {
        const { startLocalStack } = await import('../../stack/local.ts');
        const { waitForShutdownSignal } = await import('../../stack/shutdown-signal.ts');
        const shutdown = waitForShutdownSignal();
        const progress = (line: string) => process.stderr.write(`stack: ${line}\n`);
        const handle = await startLocalStack({
          agentReplicas: flags.replicas,
          modelReplicas: flags.modelReplicas,
          profile: flags.profile,
          loadTimeSec: flags.loadTimeSec,
          maxConcurrentRequests: flags.maxConcurrentRequests,
          sticky: flags.sticky,
          seed: flags.seed,
          agentConfigPath: flags.config,
          keepLogs: flags.keepLogs,
          searchPath: process.env.PATH,
          onProgress: progress,
        });
        const line = {
          event: 'stack-up',
          agentUrl: handle.agentUrl,
          modelUrl: handle.modelUrl,
          modelUrls: handle.modelUrls,
          toolsUrl: handle.toolsUrl,
          redisUrl: handle.redisUrl,
          metricsUrls: handle.metricsUrls,
          tenants: handle.tenants,
          adminToken: handle.adminToken,
          profile: handle.profile,
          gpus: handle.modelUrls.length * handle.gpusPerModelReplica,
          gpusPerModelReplica: handle.gpusPerModelReplica,
          inMemoryState: handle.inMemoryState,
          warnings: handle.warnings,
          dir: handle.dir,
          haproxyStatsUrl: handle.haproxy?.statsUrl ?? null,
          components: handle.control.list(),
        };
        process.stdout.write(`${JSON.stringify(line)}\n`);
        progress('up; Ctrl-C stops it (twice: at once)');
        await shutdown;
        progress('stopping...');
        await handle.stop();
        return ExitCode.ok;
      }),
    );
}
