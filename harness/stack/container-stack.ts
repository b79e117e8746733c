import { randomBytes } from 'node:crypto';
import { BalancerContainer, haproxyStateFile } from './container-balancer.ts';
import {
  ContainerComponent,
  type ContainerRuntime,
  type ContainerSpec,
  waitAllReady,
} from './container-component.ts';
import { ContainerStackControl } from './container-control.ts';
import {
  containersLabelled,
  type Dockerode,
  ownerId,
  ownerLabel,
  projectLabel,
  projectName,
  removeContainers,
  removeStackSync,
  stackLabel,
} from './container-docker.ts';
import type { BaseImages } from './container-images.ts';
import type { ContainerStackOptions } from './container-options.ts';
import {
  agentSpec,
  type AppContext,
  redisSpec,
  simModelSpec,
  tgiSpec,
  toolsSpec,
} from './container-specs.ts';
import { guardOnExit, unguard } from './exit-guard.ts';
import { agentAndModelProxies, renderHaproxyConfig } from './haproxy-config.ts';
import { demoTenants } from './local.ts';
import type { StartOptions } from './local-components.ts';
import { metricsUrls } from './metrics-urls.ts';
import { allocatePort, allocatePorts } from './ports.ts';
import { startReplica } from './replica-control.ts';
import type { StackHandle } from './types.ts';

/** A container stack's handle: the StackHandle contract plus what cleanup checks need. */
export interface ContainerStackHandle extends StackHandle {
  kind: 'containers';
  /** Every container of this stack carries the label io.agentload.stack=<stackId>. */
  stackId: string;
  images: { app: string; redis: string; haproxy: string; tgi: string | null };
  modelServer: 'sim' | 'tgi';
}

const host = '127.0.0.1';

export interface ProfileFacts {
  name: string;
  tensorParallel: number;
  loadTimeSec: number;
  /** A profile given as a file travels into the container (it is not in the image). */
  json: string | null;
}

/** The running container stack behind a ContainerStackHandle (containers.ts starts it). */
export class ContainerStack {
  readonly stackId = randomBytes(4).toString('hex');
  readonly adminToken = randomBytes(16).toString('hex');
  readonly control: ContainerStackControl;
  private readonly rt: ContainerRuntime;
  private readonly models: ContainerComponent[] = [];
  private readonly agents: ContainerComponent[] = [];
  private redis!: ContainerComponent;
  private tools!: ContainerComponent;
  private balancer!: BalancerContainer;
  private ports!: {
    redis: number;
    tools: number;
    agentFrontend: number;
    modelFrontend: number;
    stats: number;
    masterCli: number;
  };
  private readonly nextIndex = { agent: 0, model: 0 };
  private stopping: Promise<void> | null = null;
  private readonly guard = { killGroupSync: () => this.removeSync() };

  constructor(
    private readonly options: ContainerStackOptions,
    private readonly docker: Dockerode,
    private readonly bases: BaseImages,
    private readonly appImage: string,
    private readonly profile: ProfileFacts,
  ) {
    this.rt = {
      docker,
      labels: { [projectLabel]: projectName, [stackLabel]: this.stackId, [ownerLabel]: ownerId() },
      namePrefix: `agentload-${this.stackId}`,
    };
    this.control = new ContainerStackControl({
      components: () => this.components(),
      createReplica: (kind, o) => this.createReplica(kind, o),
      forget: (c) => this.forget(c),
      reloadBalancer: () => this.balancer.reload(),
      waitDrained: (ms) => this.balancer.waitDrained(ms),
      stopGraceMs: options.stopGraceMs,
      drainTimeoutMs: options.drainTimeoutMs,
    });
  }

  get modelUrl(): string {
    return `http://${host}:${this.ports.modelFrontend}`;
  }

  get loadTimeSec(): number {
    return this.options.loadTimeSec ?? this.profile.loadTimeSec;
  }

  components(): ContainerComponent[] {
    return [this.redis, this.tools, ...this.models, ...this.agents, this.balancer.component];
  }

  async allocate(): Promise<void> {
    const { agentReplicas, modelReplicas } = this.options;
    const all = await allocatePorts(6 + agentReplicas + modelReplicas, host);
    const [redis, tools, agentFrontend, modelFrontend, stats, masterCli] = all as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    this.ports = { redis, tools, agentFrontend, modelFrontend, stats, masterCli };
    this.redis = this.redisServer(redis);
    this.tools = this.toolsService(tools);
    for (const port of all.slice(6, 6 + modelReplicas)) this.models.push(this.modelServer(port));
    for (const port of all.slice(6 + modelReplicas)) this.agents.push(this.agent(port));
    this.balancer = new BalancerContainer(
      host,
      this.rt,
      this.bases.haproxy,
      this.ports,
      () => this.haproxyConfig(),
      this.options.startTimeoutMs,
    );
  }

  async start(): Promise<void> {
    guardOnExit(this.guard);
    await this.redis.start();
    if (this.options.modelServer === 'sim' && this.loadTimeSec > 0) {
      this.options.onProgress?.(`model servers loading (cold start ${this.loadTimeSec} s)`);
    }
    await Promise.all([this.tools, ...this.models, ...this.agents].map((c) => c.start()));
    await this.balancer.component.start();
    await this.waitServing();
  }

  private get ctx(): AppContext {
    return { host, appImage: this.appImage, startTimeoutMs: this.options.startTimeoutMs };
  }

  private redisServer(port: number): ContainerComponent {
    const url = `redis://${host}:${port}`;
    return new ContainerComponent('redis', 'redis', port, url, this.rt, () =>
      redisSpec(this.ctx, this.bases.redis, port),
    );
  }

  private toolsService(port: number): ContainerComponent {
    const { seed, toolsLatencyScale: latencyScale } = this.options;
    const spec = () => toolsSpec(this.ctx, port, { seed, latencyScale, adminToken: this.adminToken });
    return new ContainerComponent('tools', 'tools', port, `http://${host}:${port}`, this.rt, spec);
  }

  private modelServer(port: number): ContainerComponent {
    const o = this.options;
    const index = this.nextIndex.model++;
    const spec = (start: StartOptions): ContainerSpec =>
      o.modelServer === 'tgi'
        ? tgiSpec(host, port, o.tgi, o.maxConcurrentRequests)
        : simModelSpec(this.ctx, port, {
            profile: { name: o.profile, json: this.profile.json },
            seed: o.seed + index,
            loadTimeSec: start.loadTimeSec ?? this.loadTimeSec,
            maxConcurrentRequests: o.maxConcurrentRequests,
            adminToken: this.adminToken,
          });
    return new ContainerComponent(`model-${index}`, 'model', port, `http://${host}:${port}`, this.rt, spec);
  }

  private agent(port: number): ContainerComponent {
    const id = `agent-${this.nextIndex.agent++}`;
    const settings = {
      id,
      modelUrl: this.modelUrl,
      toolsUrl: this.tools.url,
      redisUrl: this.redis.url,
      logLevel: this.options.agentLogLevel,
    };
    const spec = () => agentSpec(this.ctx, port, settings);
    return new ContainerComponent(id, 'agent', port, `http://${host}:${port}`, this.rt, spec);
  }

  private haproxyConfig(): string {
    const { options, ports } = this;
    const servers = (list: ContainerComponent[]) => list.map((c) => ({ id: c.id, host, port: c.port }));
    return renderHaproxyConfig({
      proxies: agentAndModelProxies({
        host,
        agentFrontend: ports.agentFrontend,
        modelFrontend: ports.modelFrontend,
        agents: servers(this.agents),
        models: servers(this.models),
        sticky: options.sticky,
      }),
      stats: { host, port: ports.stats },
      stateFile: haproxyStateFile,
      healthCheckIntervalMs: options.healthCheckIntervalMs,
      streamIdleTimeoutMs: 10 * 60_000,
      hardStopAfterMs: Math.max(options.drainTimeoutMs, 1_000),
    });
  }

  /** Ready = HAProxy routes to a ready agent (Redis and the model reachable) and to a model server. */
  private waitServing(): Promise<void> {
    const o = this.options;
    const extraMs = o.modelServer === 'tgi' ? o.tgi.startTimeoutMs : this.loadTimeSec * 1000;
    const urls = [
      ...this.agents.map((a) => `${a.url}/readyz`),
      `${this.balancer.component.url}/readyz`,
      `${this.modelUrl}/health`,
    ];
    return waitAllReady(
      urls,
      o.startTimeoutMs + extraMs,
      `Read the containers' logs: docker logs ${this.rt.namePrefix}-<component> (agent-0, model-0, haproxy, ...).`,
    );
  }

  async createReplica(kind: 'agent' | 'model', options: StartOptions): Promise<ContainerComponent> {
    const port = await allocatePort(host);
    const component = kind === 'agent' ? this.agent(port) : this.modelServer(port);
    await startReplica(component, kind === 'agent' ? this.agents : this.models, options, {
      readyTimeoutMs: this.options.startTimeoutMs,
      discard: () => component.remove().catch(() => undefined),
    });
    this.options.onProgress?.(`${component.id} started on port ${port}`);
    return component;
  }

  forget(component: ContainerComponent): void {
    for (const list of [this.agents, this.models]) {
      const i = list.indexOf(component);
      if (i >= 0) list.splice(i, 1);
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const grace = this.options.stopGraceMs;
      const built = (list: (ContainerComponent | undefined)[]) =>
        list.filter((c): c is ContainerComponent => c !== undefined);
      await Promise.all(
        built([this.balancer.component, ...this.agents]).map((c) => c.stop(grace).catch(() => undefined)),
      );
      await Promise.all(built([this.tools, ...this.models]).map((c) => c.stop(grace).catch(() => undefined)));
      await this.redis.stop(grace).catch(() => undefined);
      if (!this.options.keepContainers) {
        // By label, not by what this object tracks: a replica half-created by a failed call goes too.
        await removeContainers(this.docker, await containersLabelled(this.docker, stackLabel, this.stackId));
      }
      unguard(this.guard);
    })();
    return this.stopping;
  }

  /** Last resort on process exit (no event loop left). */
  private removeSync(): void {
    if (!this.options.keepContainers) removeStackSync(this.stackId);
  }

  handle(): ContainerStackHandle {
    const { options, profile } = this;
    const gpus =
      options.modelServer === 'tgi' && typeof options.tgi.gpus === 'number'
        ? options.tgi.gpus
        : profile.tensorParallel;
    const modelUrls = () => this.models.map((m) => m.url);
    const metrics = () => metricsUrls(this.components(), `http://${host}:${this.ports.stats}`);
    return {
      kind: 'containers',
      stackId: this.stackId,
      modelServer: options.modelServer,
      images: {
        app: this.appImage,
        redis: this.bases.redis,
        haproxy: this.bases.haproxy,
        tgi: options.modelServer === 'tgi' ? options.tgi.image : null,
      },
      agentUrl: this.balancer.component.url,
      modelUrl: this.modelUrl,
      get modelUrls() {
        return modelUrls();
      },
      toolsUrl: this.tools.url,
      redisUrl: this.redis.url,
      get metricsUrls() {
        return metrics();
      },
      tenants: [...(options.tenants ?? demoTenants)],
      adminToken: this.adminToken,
      profile: profile.name,
      gpusPerModelReplica: gpus,
      inMemoryState: false,
      control: this.control,
      stop: () => this.stop(),
    };
  }
}
