import type { Command } from 'commander';
import { InvalidConfigError } from '../../errors.ts';
import { ExitCode } from '../exit-codes.ts';

interface AgentFlags {
  port?: string;
  host?: string;
  redisUrl?: string;
  modelUrl?: string;
  toolsUrl?: string;
  config?: string;
  replicaId?: string;
  logLevel?: string;
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidConfigError('--port', [
      { path: 'port', message: `"${value}" is not a port (0-65535; 0 picks a free one)` },
    ]);
  }
  return port;
}

/** `agentload agent`: the reference agent service. Precedence: config file < env < flags. */
export function register(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  program
    .command('agent')
    .description(
      'Run the reference agent service (prints {"event":"listening","url",...} on stdout when ready)',
    )
    .option('--port <n>', 'TCP port, 0 = any free port (env AGENTLOAD_AGENT_PORT; default 8080)')
    .option('--host <host>', 'address to bind (env AGENTLOAD_AGENT_HOST; default 127.0.0.1)')
    .option(
      '--redis-url <url>',
      'Redis for sessions, limits, idempotency (env AGENTLOAD_REDIS_URL); none: in memory',
    )
    .option('--model-url <url>', 'model server base URL, without /v1 (env AGENTLOAD_MODEL_URL)')
    .option('--tools-url <url>', 'tools service base URL (env AGENTLOAD_TOOLS_URL); none: no tools')
    .option(
      '--config <file>',
      'agent config, JSON or YAML (env AGENTLOAD_AGENT_CONFIG); default: demo tenants',
    )
    .option(
      '--replica-id <id>',
      'replica name for headers, logs, metrics (env AGENTLOAD_REPLICA_ID; default agent-0)',
    )
    .option('--log-level <level>', 'pino level (env AGENTLOAD_LOG_LEVEL; default info); logs go to stderr')
    .action((flags: AgentFlags) =>
      run(async () => {
        const env = process.env;
        const { serveAgent } = await import('../../../reference-service/agent/serve.ts');
        const stop = new AbortController();
        const onSignal = (): void => stop.abort();
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
        try {
          await serveAgent(
            {
              configPath: flags.config ?? env.AGENTLOAD_AGENT_CONFIG,
              port: parsePort(flags.port ?? env.AGENTLOAD_AGENT_PORT),
              host: flags.host ?? env.AGENTLOAD_AGENT_HOST,
              redisUrl: flags.redisUrl ?? env.AGENTLOAD_REDIS_URL,
              modelUrl: flags.modelUrl ?? env.AGENTLOAD_MODEL_URL,
              toolsUrl: flags.toolsUrl ?? env.AGENTLOAD_TOOLS_URL,
              replicaId: flags.replicaId ?? env.AGENTLOAD_REPLICA_ID,
              logLevel: flags.logLevel ?? env.AGENTLOAD_LOG_LEVEL,
            },
            { writeLine: (line) => process.stdout.write(`${line}\n`), stop: stop.signal },
          );
        } finally {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
        }
        return ExitCode.ok;
      }),
    );
}
