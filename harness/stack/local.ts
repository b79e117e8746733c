import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoTenantKeys } from '../../reference-service/agent/demo-config.ts';
import { StackStartError } from '../errors.ts';
import { agentAndModelProxies, renderHaproxyConfig } from './haproxy-config.ts';
import { BalancerComponent } from './local-balancer.ts';
import {
  type ComponentRuntime,
  type LocalComponent,
  type NodeComponent,
  RedisComponent,
} from './local-components.ts';
import { LocalStackControl } from './local-control.ts';
import { buildLocalHandle, type LocalStackHandle } from './local-handle.ts';
import { agentComponent, type FactoryContext, modelComponent, toolsComponent } from './local-factories.ts';
import {
  type LocalStackOptions,
  type LocalStackOptionsInput,
  parseLocalStackOptions,
} from './local-options.ts';
import { type LocalStackPlan, planLocalStack } from './local-plan.ts';
import { allocatePort, allocatePorts } from './ports.ts';
import { httpStatus, logTail, waitUntil } from './readiness.ts';
import { startReplica } from './replica-control.ts';
import { reapStaleStacks, StackRegistry } from './stack-registry.ts';
import type { Tenant } from './types.ts';
import { makeDirsSync } from '../fs/make-dirs.ts';

export type { LocalStackOptionsInput } from './local-options.ts';
export type { LocalStackHandle } from './local-handle.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export const demoTenants: readonly Tenant[] = Object.freeze(
  Object.entries(demoTenantKeys).map(([name, apiKey]) => ({ name, apiKey })),
);

/**
 * Starts Redis (AOF, fsync always), the tools service, M model servers, N agent replicas and HAProxy
 * in front of the agents and of the model servers, each a child process on a free port with its own
 * log, and resolves once the agents answer /readyz through HAProxy. See docs/architecture.md.
 */
export async function startLocalStack(input: LocalStackOptionsInput = {}): Promise<LocalStackHandle> {
  const options = parseLocalStackOptions(input);
  const plan = planLocalStack(options);
  const reaped = reapStaleStacks(options.stacksRoot);
  if (reaped.length > 0)
    options.onProgress?.(`killed processes left by a crashed stack: ${reaped.join(', ')}`);
  for (const warning of plan.warnings) options.onProgress?.(`warning: ${warning}`);
  const stack = await startOnFreePorts(options, plan);
  // A custom agent config holds only key hashes: the stack cannot know its tenants' keys.
  const tenants = options.tenants ?? (options.agentConfigPath === undefined ? demoTenants : []);
  return buildLocalHandle(stack, tenants);
}

/** What a component logs when another process took its port between allocation and bind. */
const portTaken = /EADDRINUSE|address already in use|cannot bind socket/i;

/** Starts on freshly picked ports; once more on new ports if one was taken meanwhile. */
async function startOnFreePorts(options: LocalStackOptions, plan: LocalStackPlan): Promise<LocalStack> {
  for (let attempt = 1; ; attempt += 1) {
    const ports = await allocatePorts(5 + plan.agentReplicas + plan.modelReplicas, options.host);
    const stack = new LocalStack(options, plan, ports);
    try {
      await stack.start();
      return stack;
    } catch (error) {
      const retry = attempt < 2 && portTaken.test(String((error as Error).message));
      await stack.stop(!retry);
      if (!retry) throw error;
      options.onProgress?.('a port was taken while the stack started; starting again on new ports');
    }
  }
}

/** Ports picked up front: HAProxy's config names them and restarts reuse them. */
interface StackPorts {
  redis: number;
  tools: number;
  agentFrontend: number;
  modelFrontend: number;
  stats: number;
  models: number[];
  agents: number[];
}

function splitPorts(ports: number[], plan: LocalStackPlan): StackPorts {
  const [redis, tools, agentFrontend, modelFrontend, stats] = ports as [
    number,
    number,
    number,
    number,
    number,
  ];
  const models = ports.slice(5, 5 + plan.modelReplicas);
  return {
    redis,
    tools,
    agentFrontend,
    modelFrontend,
    stats,
    models,
    agents: ports.slice(5 + plan.modelReplicas),
  };
}

export class LocalStack {
  readonly registry: StackRegistry;
  readonly adminToken = randomBytes(16).toString('hex');
  readonly control: LocalStackControl;
  readonly rt: ComponentRuntime;
  private readonly factory: FactoryContext;
  readonly ports: StackPorts;
  readonly redis: RedisComponent | null;
  readonly tools: NodeComponent;
  readonly models: NodeComponent[] = [];
  readonly agents: NodeComponent[] = [];
  readonly balancer: BalancerComponent | null;
  private readonly nextIndex = { agent: 0, model: 0 };
  private stopping: Promise<void> | null = null;

  constructor(
    readonly options: LocalStackOptions,
    readonly plan: LocalStackPlan,
    allocated: number[],
  ) {
    this.registry = new StackRegistry(options.stacksRoot);
    const logDir = join(this.registry.dir, 'logs');
    makeDirsSync(logDir);
    this.rt = {
      host: options.host,
      repoRoot,
      logDir,
      deathSignalWrapper: plan.setprivBinary,
      startTimeoutMs: options.startTimeoutMs,
      onChange: () => this.registry.write(this.components().flatMap((c) => c.process.record() ?? [])),
    };
    const ports = (this.ports = splitPorts(allocated, plan));
    this.redis = plan.redisBinary === null ? null : this.redisServer(plan.redisBinary);
    this.factory = {
      rt: this.rt,
      options,
      adminToken: this.adminToken,
      defaultLoadTimeSec: plan.loadTimeSec,
      modelUrl: () => this.modelUrl,
      toolsUrl: () => this.tools.url,
      redisUrl: () => this.redis?.url ?? null,
    };
    this.tools = toolsComponent(this.factory, ports.tools);
    for (const port of ports.models) this.models.push(this.modelServer(port));
    for (const port of ports.agents) this.agents.push(this.agent(port));
    this.balancer =
      plan.haproxyBinary === null
        ? null
        : new BalancerComponent(
            ports.agentFrontend,
            this.rt,
            plan.haproxyBinary,
            join(this.registry.dir, 'haproxy'),
            () => this.haproxyConfig(),
            [ports.agentFrontend, ports.modelFrontend, ports.stats],
          );
    this.control = new LocalStackControl({
      components: () => this.components(),
      createReplica: (kind, opts) => this.createReplica(kind, opts),
      forget: (c) => this.forget(c),
      reloadBalancer: this.balancer === null ? null : () => this.balancer!.reload(),
      waitDrained: (ms) => this.balancer?.waitDrained(ms) ?? Promise.resolve(true),
      stopGraceMs: options.stopGraceMs,
      drainTimeoutMs: options.drainTimeoutMs,
    });
  }

  components(): LocalComponent[] {
    const all: LocalComponent[] = [];
    if (this.redis) all.push(this.redis);
    all.push(this.tools, ...this.models, ...this.agents);
    if (this.balancer) all.push(this.balancer);
    return all;
  }

  get modelUrl(): string {
    return this.balancer ? `http://${this.options.host}:${this.ports.modelFrontend}` : this.models[0]!.url;
  }

  async start(): Promise<void> {
    if (this.redis) await this.redis.start();
    if (this.plan.loadTimeSec > 0) {
      this.options.onProgress?.(`model servers loading (cold start ${this.plan.loadTimeSec} s)`);
    }
    const parallel = [this.tools, ...this.models, ...this.agents];
    await Promise.all(parallel.map((c) => c.start()));
    await this.balancer?.start();
    await this.waitServing();
  }

  private modelServer(port: number): NodeComponent {
    return modelComponent(this.factory, this.nextIndex.model++, port);
  }

  private agent(port: number): NodeComponent {
    return agentComponent(this.factory, this.nextIndex.agent++, port);
  }

  private redisServer(binary: string): RedisComponent {
    const dataDir = join(this.registry.dir, 'redis');
    makeDirsSync(dataDir);
    return new RedisComponent(this.ports.redis, this.rt, binary, dataDir);
  }

  private haproxyConfig(): string {
    const { options, ports } = this;
    const servers = (list: LocalComponent[]) =>
      list.map((c) => ({ id: c.id, host: options.host, port: c.port }));
    return renderHaproxyConfig({
      proxies: agentAndModelProxies({
        host: options.host,
        agentFrontend: ports.agentFrontend,
        modelFrontend: ports.modelFrontend,
        agents: servers(this.agents),
        models: servers(this.models),
        sticky: options.sticky,
      }),
      stats: { host: options.host, port: ports.stats },
      stateFile: join(this.registry.dir, 'haproxy', 'servers.state'),
      healthCheckIntervalMs: options.healthCheckIntervalMs,
      streamIdleTimeoutMs: 10 * 60_000,
      hardStopAfterMs: Math.max(options.drainTimeoutMs, 1_000),
    });
  }

  /** Ready = every agent's /readyz is 200 (Redis and the model reachable) and so is the front door. */
  private async waitServing(): Promise<void> {
    const targets = [
      ...this.agents.map((a) => ({ c: a as LocalComponent, url: `${a.url}/readyz` })),
      ...(this.balancer
        ? [
            { c: this.balancer as LocalComponent, url: `${this.balancer.url}/readyz` },
            { c: this.balancer as LocalComponent, url: `${this.modelUrl}/health` },
          ]
        : []),
    ];
    for (const { c, url } of targets) {
      try {
        await waitUntil(async () => ((await httpStatus(url)) === 200 ? true : undefined), {
          description: `${url}`,
          timeoutMs: this.options.startTimeoutMs,
          intervalMs: 100,
          process: c.process,
        });
      } catch (error) {
        throw new StackStartError(
          `${(error as Error).message}. Last lines of ${c.logPath}:\n${logTail(c.logPath)}`,
          {
            hint: `Read the logs in ${this.rt.logDir}.`,
            cause: error,
          },
        );
      }
    }
  }

  async createReplica(kind: 'agent' | 'model', options: { loadTimeSec?: number }): Promise<LocalComponent> {
    const port = await allocatePort(this.options.host);
    const component = kind === 'agent' ? this.agent(port) : this.modelServer(port);
    await startReplica(component, kind === 'agent' ? this.agents : this.models, options, {
      readyTimeoutMs: this.options.startTimeoutMs,
      process: component.process,
      discard: () => component.kill(),
    });
    this.options.onProgress?.(`${component.id} started on port ${port}`);
    return component;
  }

  forget(component: LocalComponent): void {
    for (const list of [this.agents, this.models]) {
      const i = list.indexOf(component as NodeComponent);
      if (i >= 0) list.splice(i, 1);
    }
  }

  stop(keepDir = false): Promise<void> {
    this.stopping ??= (async () => {
      const grace = this.options.stopGraceMs;
      await Promise.all([this.balancer?.stop(grace), ...this.agents.map((a) => a.stop(grace))]);
      await Promise.all([this.tools.stop(grace), ...this.models.map((m) => m.stop(grace))]);
      await this.redis?.stop(grace);
      if (keepDir || this.options.keepLogs) this.registry.write([], this.options.keepLogs);
      else this.registry.remove();
    })();
    return this.stopping;
  }
}
