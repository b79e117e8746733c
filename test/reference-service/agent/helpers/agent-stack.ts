import { Writable } from 'node:stream';
import { parseAgentConfig, type AgentConfigInput } from '../../../../reference-service/agent/config.ts';
import { demoAgentConfig, demoTenantKeys } from '../../../../reference-service/agent/demo-config.ts';
import { startAgent, type RunningAgent } from '../../../../reference-service/agent/start.ts';
import type { StateStore } from '../../../../reference-service/agent/store/types.ts';
import {
  startModelServer,
  type ModelServerHandle,
} from '../../../../reference-service/model-server/index.ts';
import { startToolsService, type ToolsServiceHandle } from '../../../../reference-service/tools/index.ts';

/** The fastest simulator profile: tests wait on the agent, not on simulated GPU time. */
export const fastProfile = 'llama-3.1-8b@h200';

export interface LogCapture {
  stream: Writable;
  text(): string;
}

export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString());
        cb();
      },
    }),
    text: () => chunks.join(''),
  };
}

export interface AgentStack {
  agent: RunningAgent;
  model: ModelServerHandle;
  tools: ToolsServiceHandle | null;
  logs: LogCapture;
  close(): Promise<void>;
}

export interface AgentStackOptions {
  redisUrl?: string;
  withTools?: boolean;
  store?: StateStore;
  /** Applied to the demo config before parsing. */
  tune?: (raw: AgentConfigInput) => void;
  modelUrl?: string;
  nowMs?: () => number;
}

/** Real model server (fast profile) + optional real tools service + the agent, all on port 0. */
export async function startAgentStack(options: AgentStackOptions = {}): Promise<AgentStack> {
  const model = await startModelServer({ loadTimeSec: 0, profile: fastProfile, seed: 7 });
  const tools = options.withTools ? await startToolsService({ seed: 7 }) : null;
  const raw = demoAgentConfig({
    modelUrl: options.modelUrl ?? model.url,
    toolsUrl: tools?.url,
    redisUrl: options.redisUrl,
  });
  options.tune?.(raw);
  const logs = captureLogs();
  const agent = await startAgent({
    config: parseAgentConfig(raw),
    store: options.store,
    logStream: logs.stream,
    logLevel: 'debug',
    replicaId: 'agent-test',
    nowMs: options.nowMs,
  });
  return {
    agent,
    model,
    tools,
    logs,
    close: async () => {
      await agent.close(1_000);
      if (options.store) await options.store.close();
      await model.close();
      await tools?.close();
    },
  };
}

export const keys = demoTenantKeys;

export interface TurnCall {
  key?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  method?: string;
  signal?: AbortSignal;
}

/** A request to the agent over real HTTP; `raw` body sent as is when a string. */
export async function call(agent: RunningAgent, path: string, options: TurnCall = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? keys.acme : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  return fetch(`${agent.url}${path}`, {
    method: options.method ?? (body ? 'POST' : 'GET'),
    headers,
    body,
    signal: options.signal,
  });
}

export interface SseEvent {
  event: string;
  data: string;
}

export function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data };
    });
}

/** Reads `tgi_request_count` from the model server's /metrics: how many requests reached the model. */
export async function modelRequestCount(model: ModelServerHandle): Promise<number> {
  const text = await (await fetch(`${model.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('tgi_request_count'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}
