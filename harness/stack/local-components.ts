import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StackStartError } from '../errors.ts';
import { ManagedProcess, type SpawnSpec } from './managed-process.ts';
import { findListeningLine, httpStatus, logTail, NotReadyError, waitUntil } from './readiness.ts';
import { redisProbe, redisServerArgs } from './redis-server.ts';
import type { ComponentInfo, ComponentKind } from './types.ts';

export interface ComponentRuntime {
  host: string;
  repoRoot: string;
  logDir: string;
  deathSignalWrapper: string | null;
  startTimeoutMs: number;
  /** Called whenever a process starts or exits (the stack rewrites its registry file). */
  onChange: () => void;
}

export interface StartOptions {
  loadTimeSec?: number;
}

type State = ComponentInfo['state'];

/**
 * One process of the local stack on a fixed port (a restart reuses it, so HAProxy's config stays
 * valid). Subclasses say how to spawn it and how to tell that it is ready.
 */
export abstract class LocalComponent {
  readonly process: ManagedProcess;
  readonly logPath: string;
  private current: State = 'stopped';
  private beforePause: State = 'running';

  constructor(
    readonly id: string,
    readonly kind: ComponentKind,
    readonly port: number,
    protected readonly rt: ComponentRuntime,
  ) {
    this.logPath = join(rt.logDir, `${id}.log`);
    this.process = new ManagedProcess(id, rt.deathSignalWrapper, rt.onChange);
    this.process.onExit(() => (this.current = 'stopped'));
  }

  get url(): string {
    return `${this.scheme}://${this.rt.host}:${this.port}`;
  }

  protected get scheme(): string {
    return 'http';
  }

  get state(): State {
    return this.current;
  }

  info(): ComponentInfo {
    return {
      id: this.id,
      kind: this.kind,
      url: this.url,
      pid: this.process.running ? this.process.pid : null,
      state: this.current,
    };
  }

  protected abstract spawnSpec(options: StartOptions): SpawnSpec;
  /** True once the process started at log `offset` serves requests. */
  protected abstract isReady(offset: number): Promise<boolean>;

  protected readyTimeoutMs(_options: StartOptions): number {
    return this.rt.startTimeoutMs;
  }

  async start(options: StartOptions = {}): Promise<void> {
    this.current = 'loading';
    const offset = this.process.start(this.spawnSpec(options));
    try {
      await waitUntil(async () => ((await this.isReady(offset)) ? true : undefined), {
        description: `${this.id} (port ${this.port})`,
        timeoutMs: this.readyTimeoutMs(options),
        intervalMs: 50,
        process: this.process,
      });
    } catch (error) {
      await this.process.kill();
      this.current = 'stopped';
      const message = error instanceof NotReadyError ? error.message : String(error);
      throw new StackStartError(`${message}. Last lines of ${this.logPath}:\n${logTail(this.logPath)}`, {
        hint: `Read ${this.logPath}; if the port was taken, start the stack again.`,
        cause: error,
      });
    }
    this.current = 'running';
  }

  async kill(): Promise<void> {
    await this.process.kill();
    this.current = 'stopped';
  }

  pause(): void {
    if (!this.process.running) throw new StackStartError(`${this.id} is not running; nothing to pause`);
    if (this.current === 'paused') return;
    this.process.signalGroup('SIGSTOP');
    this.beforePause = this.current;
    this.current = 'paused';
  }

  resume(): void {
    if (this.current !== 'paused') return;
    this.process.signalGroup('SIGCONT');
    this.current = this.beforePause;
  }

  async stop(graceMs: number): Promise<void> {
    await this.process.terminate(graceMs);
    this.current = 'stopped';
  }

  async restart(graceMs: number, options: StartOptions = {}): Promise<void> {
    await this.stop(graceMs);
    await this.start(options);
  }
}

export interface NodeComponentSpec {
  command: 'agent' | 'model-server' | 'tools';
  flags: (options: StartOptions) => string[];
  /** Probed after the listening line; null: the line is enough. */
  healthPath: string | null;
  /** Extra time to become ready, e.g. a model's cold start. */
  extraReadyMs?: (options: StartOptions) => number;
}

/** `node bin/agentload.js <command> ...`, with the parent guard preloaded. */
export class NodeComponent extends LocalComponent {
  constructor(
    id: string,
    kind: ComponentKind,
    port: number,
    rt: ComponentRuntime,
    private readonly spec: NodeComponentSpec,
  ) {
    super(id, kind, port, rt);
  }

  protected spawnSpec(options: StartOptions): SpawnSpec {
    const guard = pathToFileURL(join(this.rt.repoRoot, 'harness/stack/parent-guard.ts')).href;
    return {
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        '--import',
        guard,
        join(this.rt.repoRoot, 'bin/agentload.js'),
        this.spec.command,
        ...this.spec.flags(options),
      ],
      cwd: this.rt.repoRoot,
      logPath: this.logPath,
    };
  }

  protected override readyTimeoutMs(options: StartOptions): number {
    return this.rt.startTimeoutMs + (this.spec.extraReadyMs?.(options) ?? 0);
  }

  protected async isReady(offset: number): Promise<boolean> {
    if (findListeningLine(this.logPath, offset) === undefined) return false;
    return this.spec.healthPath === null || (await httpStatus(`${this.url}${this.spec.healthPath}`)) === 200;
  }
}

/** redis-server (redisServerArgs: AOF, fsync on every write) with its AOF in the stack's directory. */
export class RedisComponent extends LocalComponent {
  constructor(
    port: number,
    rt: ComponentRuntime,
    private readonly binary: string,
    private readonly dataDir: string,
  ) {
    super('redis', 'redis', port, rt);
  }

  protected override get scheme(): string {
    return 'redis';
  }

  protected spawnSpec(): SpawnSpec {
    return {
      command: this.binary,
      args: [...redisServerArgs(this.rt.host, this.port, this.dataDir), '--daemonize', 'no', '--logfile', ''],
      cwd: this.dataDir,
      logPath: this.logPath,
    };
  }

  protected isReady(): Promise<boolean> {
    return redisProbe(this.rt.host, this.port)();
  }
}
