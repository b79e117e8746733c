import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { guardOnExit, unguard } from './exit-guard.ts';
import { processGroupMembers, processStartTime } from './process-info.ts';

export interface SpawnSpec {
  command: string;
  args: readonly string[];
  cwd: string;
  /** stdout and stderr are appended here; the child writes to the file itself, no pipe through us. */
  logPath: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface ProcessRecord {
  id: string;
  pid: number;
  startTime: string | null;
}

/**
 * One child process in its own process group (so signals reach its children too, e.g. HAProxy's
 * workers), tracked until it exits. `deathSignalWrapper` is setpriv's path: the child runs as
 * `setpriv --pdeathsig KILL -- <command>` (an exec, same pid), so the kernel kills it if we die.
 */
export class ManagedProcess {
  pid: number | null = null;
  startTime: string | null = null;
  private child: ChildProcess | null = null;
  private exitPromise: Promise<ExitInfo> | null = null;
  private lastExit: ExitInfo | null = null;
  private readonly exitListeners = new Set<(info: ExitInfo) => void>();
  private readonly killer = { killGroupSync: () => this.signalGroup('SIGKILL') };

  constructor(
    readonly id: string,
    private readonly deathSignalWrapper: string | null,
    private readonly onChange: () => void = () => {},
  ) {}

  get running(): boolean {
    return this.child !== null && this.lastExit === null;
  }

  get exitInfo(): ExitInfo | null {
    return this.lastExit;
  }

  /** Spawns the process and returns the log file offset where its output starts. */
  start(spec: SpawnSpec): number {
    if (this.running) throw new Error(`${this.id} is already running (pid ${this.pid})`);
    const log = openSync(spec.logPath, 'a');
    let offset: number;
    try {
      writeSync(
        log,
        `--- ${new Date().toISOString()} agentload starts: ${spec.command} ${spec.args.join(' ')}\n`,
      );
      offset = statSync(spec.logPath).size;
      const [command, args] =
        this.deathSignalWrapper === null
          ? [spec.command, spec.args]
          : [this.deathSignalWrapper, ['--pdeathsig', 'KILL', '--', spec.command, ...spec.args]];
      this.child = spawn(command, args, { cwd: spec.cwd, detached: true, stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    const child = this.child;
    this.lastExit = null;
    this.pid = child.pid ?? null;
    this.startTime = this.pid === null ? null : processStartTime(this.pid);
    this.exitPromise = new Promise((resolve) => {
      const finish = (info: ExitInfo) => {
        if (this.child !== child || this.lastExit !== null) return;
        this.lastExit = info;
        unguard(this.killer);
        // The leader is gone; anything left in its group (forked workers) goes with it.
        this.signalGroup('SIGKILL');
        this.onChange();
        for (const listener of this.exitListeners) listener(info);
        resolve(info);
      };
      child.once('exit', (code, signal) => finish({ code, signal }));
      child.once('error', (error) => finish({ code: null, signal: null, error }));
    });
    if (this.pid !== null) guardOnExit(this.killer);
    this.onChange();
    return offset;
  }

  onExit(listener: (info: ExitInfo) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  record(): ProcessRecord | null {
    return this.pid === null || !this.running
      ? null
      : { id: this.id, pid: this.pid, startTime: this.startTime };
  }

  /** Sends `signal` to the whole process group; false when there is none left. */
  signalGroup(signal: NodeJS.Signals): boolean {
    if (this.pid === null) return false;
    try {
      process.kill(-this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** Resolves with the exit, or null if the process is still running after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<ExitInfo | null> {
    if (this.exitPromise === null) return this.lastExit;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    try {
      return await Promise.race([this.exitPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<ExitInfo | null> {
    if (!this.running) return this.lastExit;
    this.signalGroup('SIGKILL');
    const exit = await this.waitExit(10_000);
    await this.waitGroupGone(2_000);
    return exit;
  }

  /** After the leader's exit, its group's other members (already SIGKILLed) take a moment to die. */
  private async waitGroupGone(timeoutMs: number): Promise<void> {
    if (this.pid === null) return;
    const deadline = Date.now() + timeoutMs;
    while (processGroupMembers(this.pid).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** SIGTERM (and SIGCONT, in case it is paused), then SIGKILL after `graceMs`. */
  async terminate(graceMs: number): Promise<ExitInfo | null> {
    if (!this.running) return this.lastExit;
    this.signalGroup('SIGTERM');
    this.signalGroup('SIGCONT');
    const exit = await this.waitExit(graceMs);
    if (exit === null) return this.kill();
    await this.waitGroupGone(2_000);
    return exit;
  }
}
