import { DependencyMissingError, type AgentloadError } from '../errors.ts';
import type { LocalComponent } from './local-components.ts';
import { ReplicaStackControl, type ReplicaTopology } from './replica-control.ts';

/** What the control API needs from the running local stack (local.ts implements it). */
export interface LocalTopology extends ReplicaTopology<LocalComponent> {
  /** Rewrites the balancer's config from components() and reloads it; null when there is no HAProxy. */
  reloadBalancer: (() => Promise<void>) | null;
}

const installHaproxy =
  'Install HAProxy (Debian/Ubuntu: apt-get install haproxy; macOS: brew install haproxy).';

/**
 * kill = SIGKILL, pause = SIGSTOP, resume = SIGCONT (to the component's process group); restart =
 * SIGTERM (SIGKILL after stopGraceMs) and start again on the same port; a model server restarts cold.
 */
export class LocalStackControl extends ReplicaStackControl<LocalComponent, LocalTopology> {
  protected scaleBlocker(what: 'add' | 'remove'): AgentloadError | null {
    return this.topology.reloadBalancer === null
      ? new DependencyMissingError(`cannot ${what} a replica: this stack runs without HAProxy`, {
          hint: installHaproxy,
        })
      : null;
  }

  protected async reloadBalancer(): Promise<void> {
    await this.topology.reloadBalancer?.();
  }

  protected async retire(component: LocalComponent): Promise<void> {
    await component.stop(this.topology.stopGraceMs);
  }
}
