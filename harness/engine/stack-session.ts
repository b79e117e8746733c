import type { Scenario, StackNeeds } from '../config/scenario-schema.ts';
import { unknownStack, type StackDescription } from '../results/schema.ts';
import type { StackHandle } from '../stack/types.ts';
import type { RunTarget } from './runner.ts';

/** Starts a stack meeting `needs` (the local provider, or a test double). */
export type StackStarter = (needs: StackNeeds) => Promise<StackHandle>;

function sameShape(a: StackNeeds, b: StackNeeds): boolean {
  return (
    a.agentReplicas === b.agentReplicas &&
    a.modelReplicas === b.modelReplicas &&
    a.profile === b.profile &&
    a.maxConcurrentRequests === b.maxConcurrentRequests
  );
}

/**
 * One local stack across the scenarios of a suite: reused while the next scenario needs the same
 * shape, healed in between (stopped or paused components brought back, replicas a scenario added
 * removed), replaced when the shape differs.
 */
export class StackSession {
  private handle: StackHandle | null = null;
  private needs: StackNeeds | null = null;

  constructor(
    private readonly start: StackStarter,
    private readonly log: (line: string) => void = () => {},
  ) {}

  async prepare(needs: StackNeeds): Promise<StackHandle> {
    if (this.handle && this.needs && sameShape(this.needs, needs)) {
      await this.heal(this.handle, needs);
      return this.handle;
    }
    await this.close();
    this.log(
      `starting the local stack: ${needs.agentReplicas} agent(s), ${needs.modelReplicas} model server(s), ${needs.profile}`,
    );
    this.handle = await this.start(needs);
    this.needs = needs;
    return this.handle;
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    this.needs = null;
    if (h) await h.stop();
  }

  private async heal(handle: StackHandle, needs: StackNeeds): Promise<void> {
    const { control } = handle;
    for (const kind of ['agent', 'model'] as const) {
      const want = kind === 'agent' ? needs.agentReplicas : needs.modelReplicas;
      const extra = control
        .list()
        .filter((c) => c.kind === kind)
        .slice(want);
      for (const c of extra) {
        this.log(`removing ${c.id} (added by the previous scenario)`);
        await control.removeReplica(c.id);
      }
    }
    for (const c of control.list()) {
      if (c.state === 'paused') await control.resume(c.id);
      if (c.state === 'stopped') {
        this.log(`restarting ${c.id} (left down by the previous scenario)`);
        await control.restart(c.id, { loadTimeSec: 0 });
      }
    }
  }
}

export function describeStack(handle: StackHandle): StackDescription {
  const list = handle.control.list();
  return {
    kind: handle.kind,
    profile: handle.profile,
    agentReplicas: list.filter((c) => c.kind === 'agent').length,
    modelReplicas: list.filter((c) => c.kind === 'model').length,
    gpusPerModelReplica: handle.gpusPerModelReplica,
    modelServer: handle.modelServer ?? 'sim',
    inMemoryState: handle.inMemoryState,
  };
}

/** The engine's view of a started stack: the agent for agent scenarios, the model server otherwise. */
export function targetFromStack(handle: StackHandle, scenario: Scenario): RunTarget {
  return {
    baseUrl: scenario.workload.target === 'agent' ? handle.agentUrl : handle.modelUrl,
    tenants: handle.tenants,
    metricsUrls: handle.metricsUrls.map((m) => m.url),
    control: handle.control,
    adminToken: handle.adminToken,
    stack: describeStack(handle),
  };
}

/** An external target: no process control, one tenant from --api-key, its /metrics scraped if any. */
export function externalTarget(url: string, apiKey: string | null): RunTarget {
  const base = url.replace(/\/+$/, '');
  return {
    baseUrl: base,
    tenants: [{ name: 'default', apiKey: apiKey ?? '' }],
    metricsUrls: [`${base}/metrics`],
    control: null,
    adminToken: null,
    stack: unknownStack('external'),
  };
}
