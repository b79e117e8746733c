import type { DestinationStream } from 'pino';
import { buildAgentApp, type AgentApp } from './app.ts';
import { parseAgentConfig, type AgentConfig, type AgentConfigInput } from './config.ts';
import { createAgentLogger } from './logging.ts';
import { MemoryStateStore } from './store/memory-store.ts';
import { RedisStateStore } from './store/redis-store.ts';
import type { StateStore } from './store/types.ts';

export interface StartAgentOptions {
  /** Raw or already parsed; validated here either way. */
  config: AgentConfig | AgentConfigInput;
  /** Default 0: any free port (read it back from `url`). */
  port?: number;
  host?: string;
  replicaId?: string;
  /** Default: Redis when config.redis.url is set, else in memory. A store passed in is not closed by close(). */
  store?: StateStore;
  logStream?: DestinationStream;
  logLevel?: string;
  seed?: number;
  processMetrics?: boolean;
  nowMs?: () => number;
}

export interface RunningAgent extends AgentApp {
  url: string;
  replicaId: string;
  store: StateStore;
  /** Graceful: see AgentApp.shutdown; then closes the store if startAgent created it. */
  close(graceMs?: number): Promise<void>;
}

/** Builds the app and listens (port 0 by default). */
export async function startAgent(options: StartAgentOptions): Promise<RunningAgent> {
  const config = parseAgentConfig(options.config);
  const replicaId = options.replicaId ?? 'agent-0';
  const logger = createAgentLogger({ replicaId, level: options.logLevel, stream: options.logStream });
  const ownStore = options.store === undefined;
  const store = options.store ?? (await createStore(config, (msg) => logger.warn(msg)));
  const built = await buildAgentApp({
    config,
    store,
    replicaId,
    logger,
    seed: options.seed,
    processMetrics: options.processMetrics,
    nowMs: options.nowMs,
  });
  const address = await built.app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  let closing: Promise<void> | null = null;
  return {
    ...built,
    url: address,
    replicaId,
    store,
    close: (graceMs) =>
      (closing ??= (async () => {
        await built.shutdown(graceMs);
        if (ownStore) await store.close();
      })()),
  };
}

/** Redis when configured (connecting in the background: the service starts, unready, while Redis is down); else memory. */
export async function createStore(config: AgentConfig, warn: (message: string) => void): Promise<StateStore> {
  if (!config.redis.url) return new MemoryStateStore({ sessionTtlSec: config.sessions.ttlSec });
  let lastWarnMs = 0;
  const store = new RedisStateStore({
    url: config.redis.url,
    sessionTtlSec: config.sessions.ttlSec,
    connectTimeoutMs: config.timeouts.redisConnectMs,
    commandTimeoutMs: config.timeouts.redisCommandMs,
    onError: (error) => {
      if (Date.now() - lastWarnMs < 5_000) return;
      lastWarnMs = Date.now();
      warn(`redis connection error: ${error.message}`);
    },
  });
  await store.connect();
  return store;
}
