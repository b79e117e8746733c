import { type ComponentRuntime, NodeComponent, type StartOptions } from './local-components.ts';
import type { LocalStackOptions } from './local-options.ts';

/** `{ port: 80, 'redis-url': undefined }` -> ['--port', '80']: absent values leave their flag out. */
export function cliFlags(values: Record<string, string | number | undefined>): string[] {
  return Object.entries(values).flatMap(([name, value]) =>
    value === undefined ? [] : [`--${name}`, String(value)],
  );
}

/** What the node components need to know about the stack around them (read when they start). */
export interface FactoryContext {
  rt: ComponentRuntime;
  options: LocalStackOptions;
  adminToken: string;
  /** Model cold start when a start does not say. */
  defaultLoadTimeSec: number;
  modelUrl(): string;
  toolsUrl(): string;
  redisUrl(): string | null;
}

export function toolsComponent(ctx: FactoryContext, port: number): NodeComponent {
  const { options } = ctx;
  return new NodeComponent('tools', 'tools', port, ctx.rt, {
    command: 'tools',
    flags: () =>
      cliFlags({
        port,
        host: options.host,
        seed: options.seed,
        'admin-token': ctx.adminToken,
        'latency-scale': options.toolsLatencyScale,
      }),
    healthPath: '/health',
  });
}

/** Model server `model-<index>`, seeded apart from its peers; a restart loads cold for loadTimeSec. */
export function modelComponent(ctx: FactoryContext, index: number, port: number): NodeComponent {
  const { options } = ctx;
  const loadTimeSec = (o: StartOptions) => o.loadTimeSec ?? ctx.defaultLoadTimeSec;
  return new NodeComponent(`model-${index}`, 'model', port, ctx.rt, {
    command: 'model-server',
    flags: (o) =>
      cliFlags({
        port,
        host: options.host,
        profile: options.profile,
        seed: options.seed + index,
        'admin-token': ctx.adminToken,
        'load-time-sec': loadTimeSec(o),
        'max-concurrent-requests': options.maxConcurrentRequests,
      }),
    healthPath: '/health',
    extraReadyMs: (o) => loadTimeSec(o) * 1000,
  });
}

/** Agent replica `agent-<index>`; it reaches the models through HAProxy when there is one. */
export function agentComponent(ctx: FactoryContext, index: number, port: number): NodeComponent {
  const { options } = ctx;
  const id = `agent-${index}`;
  return new NodeComponent(id, 'agent', port, ctx.rt, {
    command: 'agent',
    flags: () =>
      cliFlags({
        port,
        host: options.host,
        'replica-id': id,
        'model-url': ctx.modelUrl(),
        'tools-url': ctx.toolsUrl(),
        'redis-url': ctx.redisUrl() ?? undefined,
        config: options.agentConfigPath,
        'log-level': options.agentLogLevel,
      }),
    healthPath: null,
  });
}
