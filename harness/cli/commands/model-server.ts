import type { Command } from 'commander';
import type { ModelServerOptions } from '../../../reference-service/model-server/options.ts';
import { ExitCode } from '../exit-codes.ts';
import { integer, nonNegative } from '../flag-parsers.ts';

/** Flags as commander hands them over; each maps onto the ModelServerOptions field of the same name. */
interface ModelServerFlags extends Pick<
  ModelServerOptions,
  'loadTimeSec' | 'modelId' | 'maxInputTokens' | 'maxTotalTokens' | 'maxBatchPrefillTokens'
> {
  port: number;
  host: string;
  profile: string;
  maxConcurrentRequests: number;
  seed: number;
  adminToken?: string;
  /** ModelServerOptions.payloadLimitBytes (TGI's flag name). */
  payloadLimit: number;
}

const MAX_INT = 2 ** 31 - 1;

export function register(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  program
    .command('model-server')
    .description('Run the TGI-compatible GPU simulator (text-generation-inference API, continuous batching)')
    .option(
      '--port <n>',
      'port to listen on (0 picks a free one; TGI defaults to 3000)',
      integer(0, 65_535),
      3000,
    )
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--profile <name>', 'GPU x model profile, or a path to a profile .json', 'llama-3.1-8b@h100')
    .option('--max-concurrent-requests <n>', 'in-flight limit; beyond it 429', integer(1, MAX_INT), 128)
    .option('--load-time-sec <s>', "cold start: port closed this long (default: the profile's)", nonNegative)
    .option(
      '--seed <n>',
      'seed of generated text, output lengths and injected faults',
      integer(0, 2 ** 32 - 1),
      0,
    )
    .option(
      '--admin-token <token>',
      'enable the fault API under /admin/faults, guarded by this Bearer token ' +
        '(or set AGENTLOAD_MODEL_SERVER_ADMIN_TOKEN, which keeps it out of the process list)',
    )
    .option('--model-id <id>', "model id reported by /info and responses (default: the profile's)")
    .option('--payload-limit <bytes>', 'largest request body', integer(1, MAX_INT), 2_000_000)
    .option(
      '--max-input-tokens <n>',
      'TGI --max-input-tokens (default from the profile)',
      integer(1, MAX_INT),
    )
    .option(
      '--max-total-tokens <n>',
      'TGI --max-total-tokens (default from the profile)',
      integer(1, MAX_INT),
    )
    .option('--max-batch-prefill-tokens <n>', 'TGI --max-batch-prefill-tokens', integer(1, MAX_INT))
    .action((flags: ModelServerFlags) =>
      run(async () => {
        const { startModelServer } = await import('../../../reference-service/model-server/index.ts');
        const { waitForShutdownSignal } = await import('../../stack/shutdown-signal.ts');
        // Listen for signals first: a supervisor may stop us as soon as it reads the listening line.
        const shutdown = waitForShutdownSignal();
        const write = (event: Record<string, unknown>): void => {
          process.stdout.write(`${JSON.stringify({ ...event, service: 'model-server' })}\n`);
        };
        const server = await startModelServer({
          port: flags.port,
          host: flags.host,
          profile: flags.profile,
          maxConcurrentRequests: flags.maxConcurrentRequests,
          loadTimeSec: flags.loadTimeSec,
          seed: flags.seed,
          adminToken: flags.adminToken ?? process.env.AGENTLOAD_MODEL_SERVER_ADMIN_TOKEN ?? null,
          modelId: flags.modelId,
          payloadLimitBytes: flags.payloadLimit,
          maxInputTokens: flags.maxInputTokens,
          maxTotalTokens: flags.maxTotalTokens,
          maxBatchPrefillTokens: flags.maxBatchPrefillTokens,
          // A simulated crash is a real one: no cleanup, no exit handlers, the parent sees SIGKILL.
          onCrash: () => process.kill(process.pid, 'SIGKILL'),
          log: write,
          waitUntilReady: false,
        });
        // A signal during the cold start stops the server as promptly as one after it.
        const loaded = server.ready.then(
          () => 'ready' as const,
          (error: unknown) => error,
        );
        const first = await Promise.race([loaded, shutdown.then(() => 'signal' as const)]);
        if (first !== 'ready' && first !== 'signal') throw first;
        if (first === 'ready') await shutdown;
        await server.close();
        return ExitCode.ok;
      }),
    );
}
