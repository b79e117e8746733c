import { request } from 'undici';
import type { FaultSpec } from '../config/scenario-schema.ts';
import type { FaultEvent } from '../results/schema.ts';
import type { ComponentInfo, StackControl } from '../stack/types.ts';

export interface FaultTarget {
  /** The stack's control API; null for an external target (no process control). */
  control: StackControl | null;
  /** Bearer token of the model server's and tools service's admin APIs. */
  adminToken: string | null;
}

/** Fault actions that need the stack's control API (the `http` action only needs a URL). */
export function needsControl(fault: FaultSpec): boolean {
  return fault.action !== 'http';
}

/**
 * A component by id, else the first of that kind (preferring a running one): "model" means
 * model-0 while it runs, "agent" the first live agent replica.
 */
export function resolveComponent(control: StackControl, ref: string): ComponentInfo | null {
  const all = control.list();
  const byId = all.find((c) => c.id === ref);
  if (byId) return byId;
  const ofKind = all.filter((c) => c.kind === ref);
  return ofKind.find((c) => c.state === 'running') ?? ofKind[0] ?? null;
}

function describe(fault: FaultSpec): { component: string; action: string } {
  if (fault.action === 'addReplica') return { component: fault.kind, action: fault.label ?? 'addReplica' };
  if (fault.action === 'http') {
    return { component: fault.component, action: fault.label ?? `${fault.method} ${fault.path}` };
  }
  return { component: fault.component, action: fault.label ?? fault.action };
}

/** Applies one fault now; never throws: a failed action is a FaultEvent with ok false. */
export async function applyFault(fault: FaultSpec, target: FaultTarget, atMs: number): Promise<FaultEvent> {
  const { component, action } = describe(fault);
  const event = (ok: boolean, detail?: string): FaultEvent => ({
    atSec: atMs / 1000,
    component,
    action,
    ok,
    ...(detail ? { detail } : {}),
  });
  try {
    const detail = await perform(fault, target);
    return event(true, detail);
  } catch (error) {
    return event(false, error instanceof Error ? error.message : String(error));
  }
}

async function perform(fault: FaultSpec, target: FaultTarget): Promise<string | undefined> {
  const { control } = target;
  if (fault.action === 'http') return callAdmin(fault, target);
  if (!control) throw new Error('this target has no control API (external stack)');
  const loadTimeSec = fault.loadTimeMs === undefined ? undefined : fault.loadTimeMs / 1000;
  if (fault.action === 'addReplica') {
    const added = await control.addReplica(fault.kind, loadTimeSec === undefined ? {} : { loadTimeSec });
    return `added ${added.id}`;
  }
  const c = resolveComponent(control, fault.component);
  if (!c)
    throw new Error(
      `no component "${fault.component}"; the stack has ${control
        .list()
        .map((x) => x.id)
        .join(', ')}`,
    );
  switch (fault.action) {
    case 'kill':
      await control.kill(c.id);
      break;
    case 'pause':
      await control.pause(c.id);
      break;
    case 'resume':
      await control.resume(c.id);
      break;
    case 'removeReplica':
      await control.removeReplica(c.id);
      break;
    case 'restart':
      await control.restart(c.id, loadTimeSec === undefined ? {} : { loadTimeSec });
      break;
  }
  return c.id;
}

async function callAdmin(
  fault: Extract<FaultSpec, { action: 'http' }>,
  target: FaultTarget,
): Promise<string> {
  const component = target.control ? resolveComponent(target.control, fault.component) : null;
  const base = component?.url ?? (/^https?:\/\//.test(fault.component) ? fault.component : null);
  if (!base) throw new Error(`no component "${fault.component}" to call ${fault.path} on`);
  // No content-type without a body: Fastify answers 400 to an empty JSON body (a DELETE).
  const headers: Record<string, string> =
    fault.body === undefined ? {} : { 'content-type': 'application/json' };
  if (target.adminToken) headers.authorization = `Bearer ${target.adminToken}`;
  const res = await request(`${base.replace(/\/+$/, '')}${fault.path}`, {
    method: fault.method,
    headers,
    body: fault.body === undefined ? undefined : JSON.stringify(fault.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300)
    throw new Error(`${fault.method} ${fault.path} answered ${res.statusCode}: ${text.slice(0, 200)}`);
  return `${fault.method} ${fault.path} -> ${res.statusCode}`;
}
