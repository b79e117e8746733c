import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { StackStartError } from '../errors.ts';
import { componentLabel, containerLogTail, type Dockerode, removeContainers } from './container-docker.ts';
import type { StartOptions } from './local-components.ts';
import { httpStatus, waitUntil } from './readiness.ts';
import type { ComponentInfo, ComponentKind } from './types.ts';

/** How one component runs as a container (host network: it binds its own port on the host). */
export interface ContainerSpec {
  image: string;
  command: string[];
  env?: Record<string, string>;
  /** A line the container prints once it serves (testcontainers' log wait at creation). */
  readyLog: RegExp;
  /** True once it serves; polled after a restart, when old log lines would fool the log wait. */
  probe: () => Promise<boolean>;
  startupTimeoutMs: number;
  /** Files written into the container before it starts (HAProxy's config). */
  files?: { content: string; target: string }[];
  /** NVIDIA GPUs to reserve (real TGI); 'all' or a count. */
  gpus?: number | 'all';
  shmSizeBytes?: number;
  binds?: { source: string; target: string; mode?: 'rw' | 'ro' }[];
}

export interface ContainerRuntime {
  docker: Dockerode;
  /** project, stack and owner labels; each container adds its component id. */
  labels: Record<string, string>;
  /** Container names are `<namePrefix>-<component id>` (unique per stack). */
  namePrefix: string;
}

type State = ComponentInfo['state'];

/**
 * GenericContainer with an NVIDIA device request: testcontainers 11 has no public GPU API, and its
 * Ollama module does the same through the protected hostConfig.
 */
class GpuContainer extends GenericContainer {
  withGpus(gpus: number | 'all'): this {
    this.hostConfig.DeviceRequests = [
      { Driver: 'nvidia', Count: gpus === 'all' ? -1 : gpus, Capabilities: [['gpu']] },
    ];
    return this;
  }
}

export function containerDefinition(
  spec: ContainerSpec,
  rt: ContainerRuntime,
  id: string,
  name: string,
): GenericContainer {
  let c = new GpuContainer(spec.image)
    .withName(name)
    .withNetworkMode('host')
    .withLabels({ ...rt.labels, [componentLabel]: id })
    .withCommand(spec.command)
    .withEnvironment(spec.env ?? {})
    .withWaitStrategy(Wait.forLogMessage(spec.readyLog))
    .withStartupTimeout(spec.startupTimeoutMs);
  if (spec.files?.length) c = c.withCopyContentToContainer(spec.files);
  if (spec.gpus !== undefined) c = c.withGpus(spec.gpus);
  if (spec.shmSizeBytes !== undefined) c = c.withSharedMemorySize(spec.shmSizeBytes);
  if (spec.binds?.length) c = c.withBindMounts(spec.binds.map((b) => ({ mode: 'rw', ...b })));
  return c;
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

/**
 * One stack component as a container on a fixed host port (a restart keeps it, so HAProxy's config
 * stays valid). kill = SIGKILL, pause = the cgroup freezer, restart = start the same container again
 * (its filesystem, e.g. Redis's AOF, survives), or a new one when the options change its command
 * (a model server restarted with another load time).
 */
export class ContainerComponent {
  private current: State = 'stopped';
  private beforePause: State = 'running';
  private containerId: string | null = null;
  private started: StartedTestContainer | null = null;
  private pid: number | null = null;
  private specKey: string | null = null;

  constructor(
    readonly id: string,
    readonly kind: ComponentKind,
    readonly port: number,
    readonly url: string,
    private readonly rt: ContainerRuntime,
    private readonly specFor: (options: StartOptions) => ContainerSpec,
  ) {}

  get name(): string {
    return `${this.rt.namePrefix}-${this.id}`;
  }

  get state(): State {
    return this.current;
  }

  get container(): string | null {
    return this.containerId;
  }

  info(): ComponentInfo {
    const live = this.current === 'running' || this.current === 'paused' || this.current === 'loading';
    return { id: this.id, kind: this.kind, url: this.url, pid: live ? this.pid : null, state: this.current };
  }

  /** Takes over a container something else started (a compose service) and that serves already. */
  async adopt(started: StartedTestContainer): Promise<void> {
    this.started = started;
    this.containerId = started.getId();
    this.specKey = JSON.stringify(this.specFor({}).command);
    await this.refreshPid();
    this.current = 'running';
  }

  async start(options: StartOptions = {}): Promise<void> {
    const spec = this.specFor(options);
    this.current = 'loading';
    try {
      const started = await containerDefinition(spec, this.rt, this.id, this.name).start();
      this.started = started;
      this.containerId = started.getId();
      this.specKey = JSON.stringify(spec.command);
      await this.refreshPid();
    } catch (error) {
      this.current = 'stopped';
      const logs = await containerLogTail(this.rt.docker, this.name);
      await removeContainers(this.rt.docker, [this.name]).catch(() => undefined);
      this.containerId = null;
      this.started = null;
      throw new StackStartError(
        `${this.id} (${spec.image}, port ${this.port}) did not start: ${(error as Error).message}` +
          (logs ? `\nLast lines of its log:\n${logs}` : ''),
        { hint: 'Read the log above; if the port was taken, start the stack again.', cause: error },
      );
    }
    this.current = 'running';
  }

  async kill(): Promise<void> {
    const c = this.handle();
    try {
      await c.kill({ signal: 'SIGKILL' });
    } catch (error) {
      // 409: not running (already dead); a paused one must thaw before it can die.
      if (statusOf(error) !== 409) throw error;
      if (this.current === 'paused') {
        await c.unpause().catch(() => undefined);
        await c.kill({ signal: 'SIGKILL' }).catch(() => undefined);
      }
    }
    await this.waitExited();
    this.current = 'stopped';
  }

  async pause(): Promise<void> {
    if (this.current === 'stopped') throw new StackStartError(`${this.id} is not running; nothing to pause`);
    if (this.current === 'paused') return;
    await this.handle().pause();
    this.beforePause = this.current;
    this.current = 'paused';
  }

  async resume(): Promise<void> {
    if (this.current !== 'paused') return;
    await this.handle().unpause();
    this.current = this.beforePause;
  }

  /** SIGTERM (the image's stop signal), SIGKILL after `graceMs`; the container is kept. */
  async stop(graceMs: number): Promise<void> {
    if (this.containerId === null) return;
    const c = this.handle();
    if (this.current === 'paused') await c.unpause().catch(() => undefined);
    try {
      await c.stop({ t: Math.ceil(graceMs / 1000) });
    } catch (error) {
      if (statusOf(error) !== 304 && statusOf(error) !== 404) throw error;
    }
    this.current = 'stopped';
  }

  async restart(graceMs: number, options: StartOptions = {}): Promise<void> {
    const spec = this.specFor(options);
    if (this.containerId === null || JSON.stringify(spec.command) !== this.specKey) {
      await this.remove();
      await this.start(options);
      return;
    }
    await this.stop(graceMs);
    this.current = 'loading';
    await this.handle().start();
    await this.refreshPid();
    try {
      await waitUntil(async () => ((await spec.probe()) ? true : await this.failIfExited()), {
        description: `${this.id} (port ${this.port}) after restart`,
        timeoutMs: spec.startupTimeoutMs,
        intervalMs: 100,
      });
    } catch (error) {
      this.current = 'stopped';
      const logs = await containerLogTail(this.rt.docker, this.containerId);
      throw new StackStartError(`${(error as Error).message}\nLast lines of its log:\n${logs}`, {
        hint: `Read the container's log: docker logs ${this.name}`,
        cause: error,
      });
    }
    this.current = 'running';
  }

  /** Removes the container whatever its state. */
  async remove(): Promise<void> {
    const id = this.containerId;
    this.containerId = null;
    this.started = null;
    this.current = 'stopped';
    if (id !== null) await removeContainers(this.rt.docker, [id]);
  }

  /** Sends a signal to the container's main process (HAProxy's SIGUSR2 reload). */
  async signal(signal: string): Promise<void> {
    await this.handle().kill({ signal });
  }

  /** Writes files into the container (running or stopped). */
  async writeFiles(files: { content: string; target: string }[]): Promise<void> {
    await this.startedHandle().copyContentToContainer(files);
  }

  async exec(command: string[]): Promise<{ exitCode: number; output: string }> {
    const result = await this.startedHandle().exec(command);
    return { exitCode: result.exitCode, output: result.output };
  }

  private startedHandle(): StartedTestContainer {
    if (this.started === null) throw new StackStartError(`${this.id} has no container`);
    return this.started;
  }

  private handle() {
    if (this.containerId === null) throw new StackStartError(`${this.id} has no container`);
    return this.rt.docker.getContainer(this.containerId);
  }

  private async refreshPid(): Promise<void> {
    const inspect = await this.handle().inspect();
    this.pid = inspect.State.Pid > 0 ? inspect.State.Pid : null;
  }

  private async failIfExited(): Promise<undefined> {
    const inspect = await this.handle().inspect();
    if (!inspect.State.Running) {
      throw new StackStartError(`${this.id} exited (code ${inspect.State.ExitCode}) before it was ready`);
    }
    return undefined;
  }

  private async waitExited(): Promise<void> {
    await waitUntil(async () => ((await this.handle().inspect()).State.Running ? undefined : true), {
      description: `${this.id} to exit`,
      timeoutMs: 10_000,
      intervalMs: 50,
    });
  }
}

/** Polls each URL until it answers 200 (in order), within `timeoutMs` each. */
export async function waitAllReady(urls: readonly string[], timeoutMs: number, hint: string): Promise<void> {
  for (const url of urls) {
    try {
      await waitUntil(async () => ((await httpStatus(url)) === 200 ? true : undefined), {
        description: url,
        timeoutMs,
        intervalMs: 100,
      });
    } catch (error) {
      throw new StackStartError((error as Error).message, { hint, cause: error });
    }
  }
}
