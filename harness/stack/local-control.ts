import { DependencyMissingError } from '../errors.ts';
import { StackControlError } from './errors.ts';
import type { LocalComponent, StartOptions } from './local-components.ts';
import type { ComponentInfo, StackControl } from './types.ts';

/** What the control API needs from the running stack (local.ts implements it). */
export interface LocalTopology {
  components(): LocalComponent[];
  /** Creates, starts and waits for a new replica; the balancer is not updated yet. */
  createReplica(kind: 'agent' | 'model', options: StartOptions): Promise<LocalComponent>;
  /** Forgets a replica (it leaves the balancer's config on the next reload). */
  forget(component: LocalComponent): void;
  /** Rewrites the balancer's config from components() and reloads it; null when there is no HAProxy. */
  reloadBalancer: (() => Promise<void>) | null;
  waitDrained(timeoutMs: number): Promise<boolean>;
  stopGraceMs: number;
  drainTimeoutMs: number;
}

const installHaproxy =
  'Install HAProxy (Debian/Ubuntu: apt-get install haproxy; macOS: brew install haproxy).';

/**
 * kill = SIGKILL, pause = SIGSTOP, resume = SIGCONT (to the component's process group); restart =
 * SIGTERM (SIGKILL after stopGraceMs) and start again on the same port; a model server restarts cold.
 * Replica changes are serialized: each rewrites HAProxy's config and reloads it gracefully.
 */
export class LocalStackControl implements StackControl {
  private topologyChain: Promise<unknown> = Promise.resolve();

  constructor(private readonly topology: LocalTopology) {}

  list(): ComponentInfo[] {
    return this.topology.components().map((c) => c.info());
  }

  async kill(id: string): Promise<void> {
    await this.find(id).kill();
  }

  async pause(id: string): Promise<void> {
    this.find(id).pause();
  }

  async resume(id: string): Promise<void> {
    this.find(id).resume();
  }

  async restart(id: string, options: StartOptions = {}): Promise<void> {
    await this.find(id).restart(this.topology.stopGraceMs, options);
  }

  async addReplica(kind: 'agent' | 'model', options: StartOptions = {}): Promise<ComponentInfo> {
    const reload = this.requireBalancer('add a replica');
    if (kind !== 'agent' && kind !== 'model') {
      throw new StackControlError(`cannot add a replica of kind "${String(kind)}"`, {
        hint: 'Use "agent" or "model".',
      });
    }
    return this.serialized(async () => {
      const component = await this.topology.createReplica(kind, options);
      await reload();
      return component.info();
    });
  }

  async removeReplica(id: string): Promise<void> {
    const reload = this.requireBalancer('remove a replica');
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
      await reload();
      await this.topology.waitDrained(this.topology.drainTimeoutMs);
      await component.stop(this.topology.stopGraceMs);
    });
  }

  private find(id: string): LocalComponent {
    const component = this.topology.components().find((c) => c.id === id);
    if (component === undefined) {
      const ids = this.topology.components().map((c) => c.id);
      throw new StackControlError(`no component "${id}" in this stack`, {
        hint: `Use one of: ${ids.join(', ')}.`,
      });
    }
    return component;
  }

  private requireBalancer(what: string): () => Promise<void> {
    const reload = this.topology.reloadBalancer;
    if (reload === null) {
      throw new DependencyMissingError(`cannot ${what}: this stack runs without HAProxy`, {
        hint: installHaproxy,
      });
    }
    return reload;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.topologyChain.then(work, work);
    this.topologyChain = next.catch(() => undefined);
    return next;
  }
}
