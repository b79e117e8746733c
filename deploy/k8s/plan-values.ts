/**
 * A capacity plan (planner/plan-types.ts CapacityPlan, written as plan.json) as a values overlay:
 *   model.replicas          = the recommended option's total replicas (all regions, spares included)
 *   model.gpusPerReplica    = its GPUs / replicas
 *   model.profile           = its measured profile
 *   model.maxConcurrentRequests, maxBatchPrefillTokens = plan.settings (TGI flags)
 *   agent.minReplicas       = max(2, plan.agent.size.replicas): the planner sized the agent for the
 *                             peak, so that is the autoscaler's floor; two keep a rollout available
 *   agent.maxReplicas       = max(10, 2 x minReplicas): room above the planned peak for surprises
 *   agent.maxInFlight       = plan.settings.agentInFlightLimit
 *   agent.tenants           = plan.rateLimits.tenants (requests and tokens per minute, rounded up)
 * Anything the plan leaves null (plan.json writes Infinity as null) or does not cover stays as the
 * values file has it.
 */
import { readFile } from 'node:fs/promises';
import { InvalidConfigError } from '../../harness/errors.ts';
import type { CapacityPlan } from '../../planner/plan-types.ts';
import type { ValuesOverlay } from './values.ts';

const count = (v: number | null | undefined): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.ceil(v) : undefined;

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function modelOverlay(plan: CapacityPlan): ValuesOverlay['model'] {
  const option = plan.recommended === null ? undefined : plan.options[plan.recommended];
  const replicas = count(option?.totals.replicas);
  const gpus = count(option?.totals.gpus);
  return withoutUndefined({
    replicas,
    gpusPerReplica: replicas && gpus ? Math.max(1, Math.round(gpus / replicas)) : undefined,
    profile: option?.profile ?? undefined,
    maxConcurrentRequests: count(plan.settings?.maxConcurrentRequests),
    maxBatchPrefillTokens: count(plan.settings?.maxBatchPrefillTokens),
  });
}

function agentOverlay(plan: CapacityPlan): ValuesOverlay['agent'] {
  const planned = count(plan.agent?.size.replicas);
  const minReplicas = planned === undefined ? undefined : Math.max(2, planned);
  const tenants = Object.fromEntries(
    plan.rateLimits.tenants.flatMap((t) => {
      const requestsPerMin = count(t.requestsPerMin);
      const tokensPerMin = count(t.tokensPerMin);
      return requestsPerMin && tokensPerMin ? [[t.name, { requestsPerMin, tokensPerMin }]] : [];
    }),
  );
  return withoutUndefined({
    minReplicas,
    maxReplicas: minReplicas === undefined ? undefined : Math.max(10, 2 * minReplicas),
    maxInFlight: count(plan.settings?.agentInFlightLimit),
    tenants: Object.keys(tenants).length > 0 ? tenants : undefined,
  });
}

export function valuesFromPlan(plan: CapacityPlan): ValuesOverlay {
  return withoutUndefined({ model: modelOverlay(plan), agent: agentOverlay(plan) });
}

/** Reads plan.json (from `agentload plan --out`). @throws InvalidConfigError */
export async function readPlan(path: string): Promise<CapacityPlan> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InvalidConfigError('--plan', [
      { path, message: `cannot read a JSON plan: ${(error as Error).message}` },
    ]);
  }
  const plan = value as Partial<CapacityPlan> | null;
  if (plan?.kind !== 'agentload.capacity-plan' || plan.schemaVersion !== 1 || !Array.isArray(plan.options)) {
    throw new InvalidConfigError(
      '--plan',
      [{ path, message: 'not a capacity plan (kind agentload.capacity-plan, schemaVersion 1)' }],
      'Write one with `agentload plan --from <sweep results> --out plan.json`.',
    );
  }
  return plan as CapacityPlan;
}
