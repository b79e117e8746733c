import { StackStartError } from '../errors.ts';
import { HaproxyProcess } from './haproxy.ts';
import { LocalComponent, type ComponentRuntime } from './local-components.ts';
import type { SpawnSpec } from './managed-process.ts';
import { canConnect } from './readiness.ts';

/**
 * HAProxy as a stack component: one master-worker process with a frontend for the agents (its url),
 * one for the model servers and one for stats. `render` builds the config from the stack's current
 * replicas; `reload()` applies it without dropping connections.
 */
export class BalancerComponent extends LocalComponent {
  readonly haproxy: HaproxyProcess;

  constructor(
    agentPort: number,
    rt: ComponentRuntime,
    binary: string,
    dir: string,
    private readonly render: () => string,
    private readonly frontendPorts: readonly number[],
  ) {
    super('haproxy', 'haproxy', agentPort, rt);
    this.haproxy = new HaproxyProcess('haproxy', {
      binary,
      dir,
      logPath: this.logPath,
      deathSignalWrapper: rt.deathSignalWrapper,
      process: this.process,
    });
  }

  override async start(): Promise<void> {
    await this.haproxy.writeConfig(this.render());
    await super.start();
  }

  protected spawnSpec(): SpawnSpec {
    return this.haproxy.spawnSpec();
  }

  protected async isReady(): Promise<boolean> {
    const procs = await this.haproxy.procList();
    if (procs === null || procs.workers.length === 0) return false;
    const open = await Promise.all(this.frontendPorts.map((p) => canConnect(this.rt.host, p)));
    return open.every(Boolean);
  }

  /** Rewrites the config from the current replicas; a stopped HAProxy picks it up when restarted. */
  async reload(): Promise<void> {
    if (this.state === 'paused') {
      throw new StackStartError('HAProxy is paused: resume it before adding or removing replicas');
    }
    if (!this.process.running) {
      await this.haproxy.writeConfig(this.render());
      return;
    }
    await this.haproxy.reload(this.render(), this.rt.startTimeoutMs);
  }

  /** Waits for workers from before the last reload to finish their connections. */
  waitDrained(timeoutMs: number): Promise<boolean> {
    return this.process.running ? this.haproxy.waitDrained(timeoutMs) : Promise.resolve(true);
  }
}
