import type { AgentloadError } from '../errors.ts';
import type { ContainerComponent } from './container-component.ts';
import { StackControlError } from './errors.ts';
import { ReplicaStackControl, type ReplicaTopology } from './replica-control.ts';

/** What the control API needs from a running container stack (ContainerStack and ComposeStack implement it). */
export interface ContainerTopology extends ReplicaTopology<ContainerComponent> {
  reloadBalancer(): Promise<void>;
  /** Set when replicas cannot be added or removed (a compose file fixes them): the hint to show. */
  fixedReplicas?: string;
}

/**
 * The StackControl of a container stack, through the Docker API: kill = SIGKILL, pause/resume = the
 * cgroup freezer, restart = start the container again (a new one when its command changes).
 */
export class ContainerStackControl extends ReplicaStackControl<ContainerComponent, ContainerTopology> {
  protected scaleBlocker(what: 'add' | 'remove'): AgentloadError | null {
    const hint = this.topology.fixedReplicas;
    return hint === undefined
      ? null
      : new StackControlError(`cannot ${what} a replica: this stack's replicas are fixed`, { hint });
  }

  protected reloadBalancer(): Promise<void> {
    return this.topology.reloadBalancer();
  }

  protected async retire(component: ContainerComponent): Promise<void> {
    await component.stop(this.topology.stopGraceMs);
    await component.remove();
  }
}
