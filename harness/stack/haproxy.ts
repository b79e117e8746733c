import { execFile } from 'node:child_process';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StackStartError } from '../errors.ts';
import { ManagedProcess, type SpawnSpec } from './managed-process.ts';
import { logTail, waitUntil } from './readiness.ts';
import { makeDirsSync } from '../fs/make-dirs.ts';

const execFileAsync = promisify(execFile);

export interface ProcList {
  masterReloads: number;
  masterFailedReloads: number;
  workers: number[];
  oldWorkers: number[];
}

/** Parses the master CLI's `show proc` (HAProxy 2.x). */
export function parseShowProc(text: string): ProcList {
  const result: ProcList = { masterReloads: 0, masterFailedReloads: 0, workers: [], oldWorkers: [] };
  let section: 'main' | 'workers' | 'old' | 'other' = 'main';
  for (const line of text.split('\n')) {
    if (line.startsWith('# workers')) section = 'workers';
    else if (line.startsWith('# old workers')) section = 'old';
    else if (line.startsWith('#')) section = line.startsWith('#<PID>') ? 'main' : 'other';
    else {
      const master = /^(\d+)\s+master\s+(\d+)(?:\s+\[failed:\s*(\d+)\])?/.exec(line);
      if (master) {
        result.masterReloads = Number(master[2]);
        result.masterFailedReloads = Number(master[3] ?? 0);
        continue;
      }
      const worker = /^(\d+)\s+worker\b/.exec(line);
      if (worker && section === 'workers') result.workers.push(Number(worker[1]));
      if (worker && section === 'old') result.oldWorkers.push(Number(worker[1]));
    }
  }
  return result;
}

/** One master CLI command (unix socket `{ path }` or TCP `{ host, port }`); '' when the master does not answer. */
export function masterCommand(
  target: { path: string } | { host: string; port: number },
  line: string,
  timeoutMs = 2_000,
): Promise<string> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = createConnection(target, () => socket.end(`${line}\n`));
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve('');
    });
    socket.on('data', (chunk) => (reply += chunk.toString('utf8')));
    socket.on('end', () => resolve(reply));
    socket.on('error', () => resolve(''));
  });
}

/** `show proc` through `command`; null when the master does not answer. */
export async function showProc(command: (line: string) => Promise<string>): Promise<ProcList | null> {
  const text = await command('show proc');
  return text.includes('master') ? parseShowProc(text) : null;
}

/** Waits until no worker from before the last reload is left (their connections finished). */
export async function waitOldWorkersGone(
  procList: () => Promise<ProcList | null>,
  timeoutMs: number,
): Promise<boolean> {
  try {
    await waitUntil(async () => ((await procList())?.oldWorkers.length === 0 ? true : undefined), {
      description: 'HAProxy drain',
      timeoutMs,
      intervalMs: 100,
    });
    return true;
  } catch {
    return false;
  }
}

/** What a reload needs of one HAProxy master, wherever it runs (a local process, a container). */
export interface ReloadTarget {
  command(line: string): Promise<string>;
  /** Writes `show servers state` where the config's server-state-file points. */
  saveServerState(state: string): Promise<void>;
  sendReloadSignal(): Promise<void>;
  /** Polls `show proc` until `done` holds; throws when it does not in time. */
  waitForProcs(done: (p: ProcList) => boolean): Promise<ProcList>;
}

/**
 * The reload handshake, once for both stacks: note the master's reload count, save the servers'
 * checked state (load-server-state-from-file keeps health across the reload), SIGUSR2, then wait
 * for a reload newer than the noted one with a worker running. False when HAProxy counted that
 * reload as failed (the old worker keeps serving the old config).
 */
export async function reloadMaster(target: ReloadTarget): Promise<boolean> {
  const command = (line: string): Promise<string> => target.command(line);
  const before = (await showProc(command)) ?? parseShowProc('');
  const state = await command('@1 show servers state');
  if (/^1\n/.test(state)) await target.saveServerState(state);
  await target.sendReloadSignal();
  const after = await target.waitForProcs(
    (p) => p.masterReloads > before.masterReloads && p.workers.length > 0,
  );
  return after.masterFailedReloads <= before.masterFailedReloads;
}

export interface HaproxyProcessOptions {
  binary: string;
  dir: string;
  logPath: string;
  deathSignalWrapper: string | null;
  onChange?: () => void;
  /** Reuse this process slot (a stack component's) instead of creating one. */
  process?: ManagedProcess;
}

/**
 * HAProxy in master-worker mode (`-W`, foreground): the master keeps the listening sockets and our
 * pid; a reload (SIGUSR2) re-reads the config, forks a new worker and lets the old one finish the
 * connections it holds. The master CLI socket tells us when the new worker runs.
 */
export class HaproxyProcess {
  readonly process: ManagedProcess;
  readonly configPath: string;
  readonly masterSocket: string;
  readonly stateFile: string;

  constructor(
    readonly id: string,
    private readonly options: HaproxyProcessOptions,
  ) {
    makeDirsSync(options.dir);
    this.configPath = join(options.dir, 'haproxy.cfg');
    this.masterSocket = join(options.dir, 'master.sock');
    this.stateFile = join(options.dir, 'servers.state');
    this.process = options.process ?? new ManagedProcess(id, options.deathSignalWrapper, options.onChange);
  }

  /** Validates `config` with `haproxy -c`, then installs it as the live config file. */
  async writeConfig(config: string): Promise<void> {
    const candidate = `${this.configPath}.next`;
    writeFileSync(candidate, config);
    try {
      await execFileAsync(this.options.binary, ['-c', '-q', '-f', candidate]);
    } catch (error) {
      const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
      throw new StackStartError(`HAProxy rejected the generated config ${candidate}:\n${output.trim()}`, {
        hint: 'This is a bug in agentload; report it with the config file.',
      });
    }
    renameSync(candidate, this.configPath);
  }

  /** Master-worker, in the foreground (our child), master CLI on a unix socket. */
  spawnSpec(): SpawnSpec {
    rmSync(this.masterSocket, { force: true });
    return {
      command: this.options.binary,
      args: ['-W', '-db', '-S', this.masterSocket, '-f', this.configPath],
      cwd: this.options.dir,
      logPath: this.options.logPath,
    };
  }

  async start(config: string, timeoutMs: number): Promise<void> {
    await this.writeConfig(config);
    this.process.start(this.spawnSpec());
    await this.waitFor((p) => p.workers.length > 0, 'start', timeoutMs);
  }

  /** Installs `config` and reloads; resolves once a worker runs it. In-flight connections are kept. */
  async reload(config: string, timeoutMs: number): Promise<void> {
    await this.writeConfig(config);
    const ok = await reloadMaster({
      command: (line) => this.command(line),
      saveServerState: async (state) => writeFileSync(this.stateFile, state),
      sendReloadSignal: async () => {
        if (this.process.pid === null || !this.process.running)
          throw new StackStartError('HAProxy is not running');
        process.kill(this.process.pid, 'SIGUSR2');
      },
      waitForProcs: (done) => this.waitFor(done, 'reload', timeoutMs),
    });
    if (!ok) {
      throw new StackStartError(`HAProxy failed to reload:\n${logTail(this.options.logPath)}`, {
        hint: `Read ${this.options.logPath}.`,
      });
    }
  }

  waitDrained(timeoutMs: number): Promise<boolean> {
    return waitOldWorkersGone(() => this.procList(), timeoutMs);
  }

  procList(): Promise<ProcList | null> {
    return showProc((line) => this.command(line));
  }

  command(line: string): Promise<string> {
    return masterCommand({ path: this.masterSocket }, line);
  }

  private async waitFor(done: (p: ProcList) => boolean, what: string, timeoutMs: number): Promise<ProcList> {
    try {
      return await waitUntil(
        async () => {
          const list = await this.procList();
          return list !== null && done(list) ? list : undefined;
        },
        { description: `HAProxy ${what}`, timeoutMs, intervalMs: 50, process: this.process },
      );
    } catch (error) {
      throw new StackStartError(
        `${(error as Error).message}; log ${this.options.logPath}:\n${logTail(this.options.logPath)}`,
        {
          hint: `Read ${this.options.logPath}.`,
          cause: error,
        },
      );
    }
  }
}
