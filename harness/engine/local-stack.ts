import type { StackNeeds } from '../config/scenario-schema.ts';
import { startLocalStack } from '../stack/local.ts';
import type { StackHandle } from '../stack/types.ts';

/** Starts the embedded local stack (harness/stack/local.ts) with a scenario's needs. */
export async function startLocalForNeeds(
  needs: StackNeeds,
  onProgress?: (message: string) => void,
): Promise<StackHandle> {
  return startLocalStack({
    agentReplicas: needs.agentReplicas,
    modelReplicas: needs.modelReplicas,
    profile: needs.profile,
    loadTimeSec: needs.loadTimeMs / 1000,
    ...(needs.maxConcurrentRequests === undefined
      ? {}
      : { maxConcurrentRequests: needs.maxConcurrentRequests }),
    ...(onProgress ? { onProgress } : {}),
  });
}
