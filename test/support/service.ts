import { waitUntil } from '../../harness/stack/readiness.ts';
import { parseAgentConfig, type AgentConfigInput } from '../../reference-service/agent/config.ts';
import { demoAgentConfig } from '../../reference-service/agent/demo-config.ts';
import { startAgent, type RunningAgent } from '../../reference-service/agent/start.ts';
import type { StateStore } from '../../reference-service/agent/store/types.ts';
import { startModelServer, type ModelServerHandle } from '../../reference-service/model-server/index.ts';
import { startToolsService, type ToolsServiceHandle } from '../../reference-service/tools/index.ts';
import {
  call,
  captureLogs,
  fastProfile,
  type LogCapture,
} from '../reference-service/agent/helpers/agent-stack.ts';
import { startTestRedis, type TestRedis } from './redis-process.ts';
import { startHttpRecorder, type HttpRecorder } from './http-recorder.ts';

/**
 * The real reference service for one test file: model server (fast profile), a recorder in front
 * of it (counts model calls per request id, injects failures), optionally the tools service, and
 * one or more agent replicas, all in this process on port 0. Redis is the caller's (pass its URL).
 */
export interface Service {
  agent: RunningAgent;
  replicas: RunningAgent[];
  model: ModelServerHandle;
  /** Between the agents and the model server: every model call passes through it. */
  modelRecorder: HttpRecorder;
  tools: ToolsServiceHandle | null;
  logs: LogCapture;
  /** The agent config every replica was built from (after `tune`). */
  raw: AgentConfigInput;
  addReplica(replicaId: string): Promise<RunningAgent>;
  close(): Promise<void>;
}

export interface ServiceOptions {
  redisUrl?: string;
  store?: StateStore;
  withTools?: boolean;
  /** Instead of the simulator: another OpenAI-compatible server (e.g. a scripted fake) behind the recorder. */
  modelUrl?: string;
  modelLatencyMultiplier?: number;
  modelMaxConcurrentRequests?: number;
  tune?: (raw: AgentConfigInput) => void;
  nowMs?: () => number;
  seed?: number;
}

export async function startService(options: ServiceOptions = {}): Promise<Service> {
  const model = await startModelServer({
    loadTimeSec: 0,
    profile: fastProfile,
    seed: 7,
    ...(options.modelMaxConcurrentRequests
      ? { maxConcurrentRequests: options.modelMaxConcurrentRequests }
      : {}),
  });
  if (options.modelLatencyMultiplier) model.faults.setLatencyMultiplier(options.modelLatencyMultiplier);
  const modelRecorder = await startHttpRecorder({ upstream: options.modelUrl ?? model.url });
  const tools = options.withTools ? await startToolsService({ seed: 7, latencyScale: 0 }) : null;
  const raw = demoAgentConfig({
    modelUrl: modelRecorder.url,
    toolsUrl: tools?.url,
    redisUrl: options.redisUrl,
  });
  options.tune?.(raw);
  const logs = captureLogs();
  const replicas: RunningAgent[] = [];
  const addReplica = async (replicaId: string): Promise<RunningAgent> => {
    const agent = await startAgent({
      config: parseAgentConfig(raw),
      store: options.store,
      logStream: logs.stream,
      logLevel: 'debug',
      replicaId,
      nowMs: options.nowMs,
      seed: options.seed ?? replicas.length + 1,
    });
    replicas.push(agent);
    return agent;
  };
  const agent = await addReplica('agent-0');
  return {
    agent,
    replicas,
    model,
    modelRecorder,
    tools,
    logs,
    raw,
    addReplica,
    close: async () => {
      await Promise.all(replicas.map((r) => r.close(1_000)));
      await options.store?.close();
      await modelRecorder.close();
      await model.close();
      await tools?.close();
    },
  };
}

/** A service on a fresh redis-server of its own; `close()` stops both. */
export interface RedisService extends Service {
  redis: TestRedis;
}

export async function startServiceOnRedis(
  options: Omit<ServiceOptions, 'redisUrl' | 'store'> = {},
): Promise<RedisService> {
  const redis = await startTestRedis();
  try {
    const svc = await startService({ ...options, redisUrl: redis.url });
    return {
      ...svc,
      redis,
      close: async () => {
        await svc.close();
        await redis.stop();
      },
    };
  } catch (error) {
    await redis.stop();
    throw error;
  }
}

/** One value from the agent's /metrics (the first series whose line starts with `prefix`); 0 when absent. */
export async function metricValue(agent: RunningAgent, prefix: string): Promise<number> {
  const text = await (await call(agent, '/metrics', { key: null })).text();
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Polls `predicate` every 10 ms until it holds; the harness's own poller, with a boolean probe. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  await waitUntil(async () => ((await predicate()) ? true : undefined), {
    description: `waiting for ${what}`,
    timeoutMs,
    intervalMs: 10,
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Chat-completion calls the recorder saw after `mark` (health probes are not model calls). */
export function chatCalls(svc: Service, mark = 0): number {
  return svc.modelRecorder.since(mark).filter((r) => r.path.startsWith('/v1/chat/completions')).length;
}
