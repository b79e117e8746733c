import type { AgentloadError } from '../errors.ts';
import { StackControlError } from './errors.ts';
import type { StartOptions } from './local-components.ts';
import type { ManagedProcess } from './managed-process.ts';
import { httpStatus, waitUntil } from './readiness.ts';
import type { ComponentInfo, ComponentKind, StackControl } from './types.ts';

/** What the control API does to one component: a local process or a container. */
export interface ControlledComponent {
  readonly id: string;
  readonly kind: ComponentKind;
  info(): ComponentInfo;
  kill(): Promise<void>;
  pause(): void | Promise<void>;
  resume(): void | Promise<void>;
  restart(stopGraceMs: number, options?: StartOptions): Promise<void>;
  stop(stopGraceMs: number): Promise<void>;
}

/**
 * Starts a new replica for createReplica: it goes into `list` (the balancer's config reads it on the
 * next reload, so it joins the rotation only once it is ready); an agent must also answer /readyz
 * (Redis and the model reachable). On failure it leaves `list` and `discard` releases it.
 */
export async function startReplica<C extends { id: string; kind: ComponentKind; url: string }>(
  component: C & { start(options: StartOptions): Promise<void> },
  list: C[],
  options: StartOptions,
  how: { readyTimeoutMs: number; process?: ManagedProcess; discard: () => Promise<void> },
): Promise<void> {
  list.push(component);
  try {
    await component.start(options);
    if (component.kind === 'agent') {
      await waitUntil(
        async () => ((await httpStatus(`${component.url}/readyz`)) === 200 ? true : undefined),
        {
          description: `${component.id} /readyz`,
          timeoutMs: how.readyTimeoutMs,
          intervalMs: 100,
          ...(how.process ? { process: how.process } : {}),
        },
      );
    }
  } catch (error) {
    const i = list.indexOf(component);
    if (i >= 0) list.splice(i, 1);
    await how.discard();
    throw error;
  }
}

/** What the control API needs from a running stack, whoever runs its components. */
export interface ReplicaTopology<C extends ControlledComponent> {
  components(): C[];
  /** Creates, starts and waits for a new replica; the balancer is not updated yet. */
  createReplica(kind: 'agent' | 'model', options: StartOptions): Promise<C>;
  /** Forgets a replica (it leaves the balancer's config on the next reload). */
  forget(component: C): void;
  waitDrained(timeoutMs: number): Promise<boolean>;
  stopGraceMs: number;
  drainTimeoutMs: number;
}

/**
 * The StackControl contract once, for every stack kind: subclasses say how the balancer reloads,
 * why replicas may not change here, and how a removed replica is released. Replica changes are
 * serialized: each rewrites HAProxy's config and reloads it gracefully; a removed replica leaves the
 * balancer first, drains, then stops.
 */
export abstract class ReplicaStackControl<
  C extends ControlledComponent,
  T extends ReplicaTopology<C> = ReplicaTopology<C>,
> implements StackControl {
  private topologyChain: Promise<unknown> = Promise.resolve();

  constructor(protected readonly topology: T) {}

  /** Why replicas cannot be added or removed in this stack (`what`: "add" or "remove"); null if they can. */
  protected abstract scaleBlocker(what: 'add' | 'remove'): AgentloadError | null;
  protected abstract reloadBalancer(): Promise<void>;
  /** Releases a replica that has left the balancer and drained. */
  protected abstract retire(component: C): Promise<void>;

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
    this.checkScalable('add');
    if (kind !== 'agent' && kind !== 'model') {
      throw new StackControlError(`cannot add a replica of kind "${String(kind)}"`, {
        hint: 'Use "agent" or "model".',
      });
    }
    return this.serialized(async () => {
      const component = await this.topology.createReplica(kind, options);
      await this.reloadBalancer();
      return component.info();
    });
  }

  async removeReplica(id: string): Promise<void> {
    this.checkScalable('remove');
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
      await this.reloadBalancer();
      await this.topology.waitDrained(this.topology.drainTimeoutMs);
      await this.retire(component);
    });
  }

  private checkScalable(what: 'add' | 'remove'): void {
    const blocker = this.scaleBlocker(what);
    if (blocker !== null) throw blocker;
  }

  private find(id: string): C {
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
