import { StackStartError } from '../errors.ts';
import { ContainerComponent, type ContainerRuntime } from './container-component.ts';
import { masterCommand, type ProcList, reloadMaster, showProc, waitOldWorkersGone } from './haproxy.ts';
import { canConnect, waitUntil } from './readiness.ts';

/** Paths inside the HAProxy container; the directory is created by the first copy into it. */
export const haproxyDir = '/tmp/agentload-haproxy';
export const haproxyConfigPath = `${haproxyDir}/haproxy.cfg`;
export const haproxyStateFile = `${haproxyDir}/servers.state`;

export interface BalancerPorts {
  agentFrontend: number;
  modelFrontend: number;
  stats: number;
  /** HAProxy's master CLI (show proc, reload bookkeeping), on loopback. */
  masterCli: number;
}

/**
 * HAProxy in a container, master-worker (`-W -db`), its master CLI on a loopback TCP port (host
 * network) instead of a unix socket. A reload copies the new config in, checks it with `haproxy -c`
 * inside the container, saves the servers' checked state, and sends SIGUSR2 through the Docker API;
 * the old worker finishes its connections, as in the local stack (haproxy.ts).
 */
export class BalancerContainer {
  readonly component: ContainerComponent;

  constructor(
    private readonly host: string,
    rt: ContainerRuntime,
    image: string,
    private readonly ports: BalancerPorts,
    private readonly render: () => string,
    private readonly startTimeoutMs: number,
  ) {
    const frontends = [ports.agentFrontend, ports.modelFrontend, ports.stats];
    this.component = new ContainerComponent(
      'haproxy',
      'haproxy',
      ports.agentFrontend,
      `http://${host}:${ports.agentFrontend}`,
      rt,
      () => ({
        image,
        command: ['haproxy', '-W', '-db', '-S', `ipv4@${host}:${ports.masterCli}`, '-f', haproxyConfigPath],
        readyLog: /New worker|Loading success/,
        probe: async () => {
          const procs = await this.procList();
          if (procs === null || procs.workers.length === 0) return false;
          return (await Promise.all(frontends.map((p) => canConnect(host, p)))).every(Boolean);
        },
        startupTimeoutMs: startTimeoutMs,
        files: [{ content: this.render(), target: haproxyConfigPath }],
      }),
    );
  }

  command(line: string): Promise<string> {
    return masterCommand({ host: this.host, port: this.ports.masterCli }, line);
  }

  procList(): Promise<ProcList | null> {
    return showProc((line) => this.command(line));
  }

  /** Installs the config rendered from the current replicas and reloads; connections in flight stay. */
  async reload(): Promise<void> {
    const c = this.component;
    if (c.state === 'paused') {
      throw new StackStartError('HAProxy is paused: resume it before adding or removing replicas');
    }
    const config = this.render();
    if (c.state === 'stopped') {
      // Picked up when it is restarted (the same container keeps its files).
      if (c.container !== null) await c.writeFiles([{ content: config, target: haproxyConfigPath }]);
      return;
    }
    const candidate = `${haproxyConfigPath}.next`;
    await c.writeFiles([{ content: config, target: candidate }]);
    const check = await c.exec(['haproxy', '-c', '-q', '-f', candidate]);
    if (check.exitCode !== 0) {
      throw new StackStartError(`HAProxy rejected the generated config:\n${check.output.trim()}`, {
        hint: 'This is a bug in agentload; report it with the message above.',
      });
    }
    await c.writeFiles([{ content: config, target: haproxyConfigPath }]);
    const hint = `Read its log: docker logs ${c.name}`;
    const ok = await reloadMaster({
      command: (line) => this.command(line),
      saveServerState: (state) => c.writeFiles([{ content: state, target: haproxyStateFile }]),
      sendReloadSignal: () => c.signal('SIGUSR2'),
      waitForProcs: (done) =>
        waitUntil(
          async () => {
            const p = await this.procList();
            return p !== null && done(p) ? p : undefined;
          },
          { description: 'HAProxy reload', timeoutMs: this.startTimeoutMs, intervalMs: 50 },
        ).catch((error: unknown) => {
          throw new StackStartError((error as Error).message, { hint, cause: error });
        }),
    });
    if (!ok) throw new StackStartError('HAProxy failed to reload', { hint });
  }

  /** Waits until no worker from before the last reload is left (their connections finished). */
  waitDrained(timeoutMs: number): Promise<boolean> {
    if (this.component.state !== 'running') return Promise.resolve(true);
    return waitOldWorkersGone(() => this.procList(), timeoutMs);
  }
}
