import type { ContainerComponent } from './container-component.ts';
import { StackControlError } from './errors.ts';
import type { StartOptions } from './local-components.ts';
import type { ComponentInfo, StackControl } from './types.ts';

/** What the control API needs from a running container stack (containers.ts implements it). */
export interface ContainerTopology {
  components(): ContainerComponent[];
  /** Creates, starts and waits for a new replica; HAProxy's config is not updated yet. */
  createReplica(kind: 'agent' | 'model', options: StartOptions): Promise<ContainerComponent>;
  /** Forgets a replica (it leaves HAProxy's config on the next reload). */
  forget(component: ContainerComponent): void;
  reloadBalancer(): Promise<void>;
  waitDrained(timeoutMs: number): Promise<boolean>;
  stopGraceMs: number;
  drainTimeoutMs: number;
  /** Set when replicas cannot be added or removed (a compose file fixes them): the hint to show. */
  fixedReplicas?: string;
}

/**
 * The StackControl of a container stack, through the Docker API: kill = SIGKILL, pause/resume = the
 * cgroup freezer, restart = start the container again (a new one when its command changes).
 * Replica changes are serialized: each rewrites HAProxy's config and reloads it gracefully.
 * The same contract as the local stack's (local-control.ts).
 */
export class ContainerStackControl implements StackControl {
  private topologyChain: Promise<unknown> = Promise.resolve();

  constructor(private readonly topology: ContainerTopology) {}

  list(): ComponentInfo[] {
    return this.topology.components().map((c) => c.info());
  }

  async kill(id: string): Promise<void> {
    await this.find(id).kill();
  }

  async pause(id: string): Promise<void> {
    await this.find(id).pause();
  }

  async resume(id: string): Promise<void> {
    await this.find(id).resume();
  }

  async restart(id: string, options: StartOptions = {}): Promise<void> {
    await this.find(id).restart(this.topology.stopGraceMs, options);
  }

  async addReplica(kind: 'agent' | 'model', options: StartOptions = {}): Promise<ComponentInfo> {
    this.requireScalable('add');
    if (kind !== 'agent' && kind !== 'model') {
      throw new StackControlError(`cannot add a replica of kind "${String(kind)}"`, {
        hint: 'Use "agent" or "model".',
      });
    }
    return this.serialized(async () => {
      const component = await this.topology.createReplica(kind, options);
      await this.topology.reloadBalancer();
      return component.info();
    });
  }

  async removeReplica(id: string): Promise<void> {
    this.requireScalable('remove');
    const component = this.find(id);
    if (component.kind !== 'agent' && component.kind !== 'model') {
      throw new StackControlError(`${id} is not a replica`, {
        hint: 'Only agent-N and model-N replicas can be removed.',
      });
    }
    return this.serialized(async () => {
      const peers = this.topology.components().filter((c) => c.kind === component.kind);
      if (peers.length <= 1) {
        throw new StackControlError(`${id} is the last ${component.kind} replica`, {
          hint: 'Add another replica first, or kill it to simulate an outage.',
        });
      }
      this.topology.forget(component);
      await this.topology.reloadBalancer();
      await this.topology.waitDrained(this.topology.drainTimeoutMs);
      await component.stop(this.topology.stopGraceMs);
      await component.remove();
    });
  }

  private requireScalable(what: string): void {
    const hint = this.topology.fixedReplicas;
    if (hint !== undefined) {
      throw new StackControlError(`cannot ${what} a replica: this stack's replicas are fixed`, { hint });
    }
  }

  private find(id: string): ContainerComponent {
    const component = this.topology.components().find((c) => c.id === id);
    if (component === undefined) {
      const ids = this.topology.components().map((c) => c.id);
      throw new StackControlError(`no component "${id}" in this stack`, {
        hint: `Use one of: ${ids.join(', ')}.`,
      });
    }
    return component;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.topologyChain.then(work, work);
    this.topologyChain = next.catch(() => undefined);
    return next;
  }
}
