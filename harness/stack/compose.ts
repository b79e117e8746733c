import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerComposeEnvironment, type StartedDockerComposeEnvironment, Wait } from 'testcontainers';
import { loadProfile } from '../../reference-service/model-server/profiles.ts';
import { StackStartError } from '../errors.ts';
import { ContainerComponent, type ContainerRuntime, waitAllReady } from './container-component.ts';
import { ContainerStackControl } from './container-control.ts';
import {
  containersLabelled,
  dockerClient,
  type Dockerode,
  ownerId,
  reapOrphanContainers,
  removeContainers,
  removeStackSync,
  stackLabel,
} from './container-docker.ts';
import { ensureAppImage, resolveBaseImages } from './container-images.ts';
import {
  type ComposeExecutable,
  type ComposePorts,
  composeFilesFor,
  composeHaproxyConfig,
  composePortVariables,
  detectComposeExecutable,
} from './compose-files.ts';
import {
  type ComposeStackOptions,
  type ComposeStackOptionsInput,
  composeServices,
  composeVariables,
  containerNames,
  parseComposeStackOptions,
} from './compose-options.ts';
import { guardOnExit, unguard } from './exit-guard.ts';
import { demoTenants } from './local.ts';
import { metricsUrls } from './metrics-urls.ts';
import { allocatePorts } from './ports.ts';
import type { StackHandle } from './types.ts';

export type { ComposeStackOptionsInput } from './compose-options.ts';

export interface ComposeStackHandle extends StackHandle {
  kind: 'compose';
  /** Containers carry io.agentload.stack=<stackId>; the compose project is agentload-<stackId>. */
  stackId: string;
  projectName: string;
  modelServer: 'sim' | 'tgi';
  composeFiles: string[];
}

const repoRootDefault = fileURLToPath(new URL('../../', import.meta.url));
const host = '127.0.0.1';

/**
 * Brings the compose stack up on free ports (every port is a variable of the compose file), with
 * images built here (the same content-hashed app image as --stack containers) and a per-run HAProxy
 * config, and resolves once the agents answer /readyz through HAProxy. kill/pause/resume/restart go
 * through the Docker API; stop() runs `compose down -v` and removes anything left with the stack's label.
 */
export async function startComposeStack(input: ComposeStackOptionsInput = {}): Promise<ComposeStackHandle> {
  const options = parseComposeStackOptions(input);
  const profile = loadProfile(options.profile);
  const repoRoot = options.repoRoot ?? repoRootDefault;
  const executable = options.composeExecutable ?? (await detectComposeExecutable());
  const docker = (await dockerClient()).container.dockerode;
  const reaped = await reapOrphanContainers(docker);
  if (reaped.length > 0)
    options.onProgress?.(`removed containers left by a dead harness: ${reaped.join(', ')}`);
  const bases = await resolveBaseImages(docker, options.images);
  const app = await ensureAppImage(docker, {
    repoRoot,
    nodeBase: bases.node,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const [agentFrontend, agent0, agent1, modelFrontend, model, tools, redis, stats] = (await allocatePorts(
    8,
    host,
  )) as [number, number, number, number, number, number, number, number];
  const ports: ComposePorts = { agentFrontend, agent0, agent1, modelFrontend, model, tools, redis, stats };
  const stackId = randomBytes(4).toString('hex');
  const adminToken = randomBytes(16).toString('hex');
  const configDir = mkdtempSync(join(tmpdir(), 'agentload-compose-'));
  const haproxyConfig = join(configDir, 'haproxy.cfg');
  writeFileSync(
    haproxyConfig,
    composeHaproxyConfig(ports, {
      healthCheckIntervalMs: options.healthCheckIntervalMs,
      sticky: options.sticky,
    }),
    { mode: 0o644 },
  );
  const env = {
    ...composeVariables(options, { app, bases, loadTimeSec: options.loadTimeSec ?? profile.loadTimeSec }),
    ...composePortVariables(ports),
    AGENTLOAD_STACK_ID: stackId,
    AGENTLOAD_OWNER: ownerId(),
    AGENTLOAD_HAPROXY_CONFIG: haproxyConfig,
    AGENTLOAD_MODEL_SERVER_ADMIN_TOKEN: adminToken,
  };
  const stack = new ComposeStack(options, docker, {
    repoRoot,
    executable,
    ports,
    stackId,
    adminToken,
    env,
    configDir,
    profileName: profile.name,
    gpus: profile.tensorParallel,
  });
  try {
    await stack.up();
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack.handle();
}

/** testcontainers' compose client: v1 needs `standalone`; v2 is its default (`docker compose`). */
function clientOptions(executable: ComposeExecutable) {
  if (executable.standalone) {
    return {
      executable: {
        standalone: true as const,
        ...(executable.executablePath ? { executablePath: executable.executablePath } : {}),
      },
    };
  }
  return executable.executablePath ? { executable: { executablePath: executable.executablePath } } : {};
}

interface ComposeSetup {
  repoRoot: string;
  executable: ComposeExecutable;
  ports: ComposePorts;
  stackId: string;
  adminToken: string;
  env: Record<string, string>;
  configDir: string;
  profileName: string;
  gpus: number;
}

class ComposeStack {
  readonly projectName: string;
  readonly files: string[];
  readonly control: ContainerStackControl;
  private readonly rt: ContainerRuntime;
  private readonly components: ContainerComponent[] = [];
  private environment: StartedDockerComposeEnvironment | null = null;
  private stopping: Promise<void> | null = null;
  private readonly guard = { killGroupSync: () => removeStackSync(this.setup.stackId) };

  constructor(
    private readonly options: ComposeStackOptions,
    private readonly docker: Dockerode,
    private readonly setup: ComposeSetup,
  ) {
    this.projectName = `agentload-${setup.stackId}`;
    this.files = composeFilesFor(options.modelServer);
    this.rt = { docker, labels: {}, namePrefix: this.projectName };
    this.control = new ContainerStackControl({
      components: () => this.components,
      createReplica: () => Promise.reject(new Error('unreachable: compose replicas are fixed')),
      forget: () => undefined,
      reloadBalancer: () => Promise.resolve(),
      waitDrained: () => Promise.resolve(true),
      stopGraceMs: options.stopGraceMs,
      drainTimeoutMs: 0,
      fixedReplicas: `The compose file fixes 2 agents and 1 model server; use --stack containers (or --stack local) to add or remove replicas.`,
    });
  }

  async up(): Promise<void> {
    guardOnExit(this.guard);
    const list = composeServices(this.options, this.setup.ports);
    const startupMs =
      this.options.modelServer === 'tgi' ? this.options.tgi.startTimeoutMs : this.options.startTimeoutMs;
    let compose = new DockerComposeEnvironment(this.setup.repoRoot, this.files)
      .withProjectName(this.projectName)
      .withEnvironment(this.setup.env)
      .withClientOptions(clientOptions(this.setup.executable))
      .withStartupTimeout(startupMs);
    for (const s of list) {
      if (s.readyLog === null) continue;
      for (const name of containerNames(this.projectName, s.service))
        compose = compose.withWaitStrategy(name, Wait.forLogMessage(s.readyLog));
    }
    this.options.onProgress?.(`compose up: ${this.files.join(' + ')} (project ${this.projectName})`);
    try {
      this.environment = await compose.up();
    } catch (error) {
      throw new StackStartError(`compose up failed: ${(error as Error).message}`, {
        hint: `Check the files with: docker compose ${this.files.map((f) => `-f ${f}`).join(' ')} config; read the containers' logs (docker logs ${this.projectName}_<service>_1).`,
        cause: error,
      });
    }
    for (const s of list) {
      const started = containerNames(this.projectName, s.service)
        .map((n) => this.tryContainer(n))
        .find((c) => c !== null);
      if (!started) throw new StackStartError(`compose started no container for service ${s.service}`);
      const component = new ContainerComponent(s.id, s.kind, s.port, s.url, this.rt, () => ({
        image: '',
        command: [],
        readyLog: /./,
        probe: s.probe,
        startupTimeoutMs: startupMs,
      }));
      await component.adopt(started);
      this.components.push(component);
    }
    const { ports } = this.setup;
    await waitAllReady(
      [
        `http://${host}:${ports.agent0}/readyz`,
        `http://${host}:${ports.agent1}/readyz`,
        `http://${host}:${ports.agentFrontend}/readyz`,
        `http://${host}:${ports.modelFrontend}/health`,
      ],
      startupMs,
      `Read the containers' logs: docker logs ${this.projectName}_<service>_1 (v1) or ${this.projectName}-<service>-1 (v2).`,
    );
  }

  private tryContainer(name: string) {
    try {
      return this.environment!.getContainer(name);
    } catch {
      return null;
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      try {
        await this.environment?.down({ timeout: this.options.stopGraceMs, removeVolumes: true });
      } finally {
        // By label as well: what compose did not remove (a failed up, a renamed service) goes too.
        await removeContainers(
          this.docker,
          await containersLabelled(this.docker, stackLabel, this.setup.stackId),
        );
        rmSync(this.setup.configDir, { recursive: true, force: true });
        unguard(this.guard);
      }
    })();
    return this.stopping;
  }

  handle(): ComposeStackHandle {
    const { ports, stackId, adminToken, profileName, gpus } = this.setup;
    const url = (port: number) => `http://${host}:${port}`;
    return {
      kind: 'compose',
      stackId,
      projectName: this.projectName,
      modelServer: this.options.modelServer,
      composeFiles: [...this.files],
      agentUrl: url(ports.agentFrontend),
      modelUrl: url(ports.modelFrontend),
      modelUrls: [url(ports.model)],
      toolsUrl: url(ports.tools),
      redisUrl: `redis://${host}:${ports.redis}`,
      metricsUrls: metricsUrls(this.components, url(ports.stats)),
      tenants: [...(this.options.tenants ?? demoTenants)],
      // The simulator's fault API takes it; the compose file's tools service runs without one.
      adminToken: this.options.modelServer === 'sim' ? adminToken : null,
      profile: profileName,
      gpusPerModelReplica: gpus,
      inMemoryState: false,
      control: this.control,
      stop: () => this.stop(),
    };
  }
}
