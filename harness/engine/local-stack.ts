import type { StackNeeds } from '../config/scenario-schema.ts';
import { startStack, type ModelServerKind, type StackKind } from '../stack/providers.ts';
import type { StackHandle } from '../stack/types.ts';

/**
 * Starts a stack (local processes, containers or compose; harness/stack/providers.ts) with a
 * scenario's needs.
 */
export async function startForNeeds(
  kind: Exclude<StackKind, 'external'>,
  needs: StackNeeds,
  options: {
    modelServer?: ModelServerKind;
    hfToken?: string | null;
    onProgress?: (message: string) => void;
  } = {},
): Promise<StackHandle> {
  return startStack(kind, {
    agentReplicas: needs.agentReplicas,
    modelReplicas: needs.modelReplicas,
    profile: needs.profile,
    loadTimeSec: needs.loadTimeMs / 1000,
    ...(needs.maxConcurrentRequests === undefined
      ? {}
      : { maxConcurrentRequests: needs.maxConcurrentRequests }),
    ...(options.modelServer === undefined ? {} : { modelServer: options.modelServer }),
    ...(options.hfToken ? { tgi: { hfToken: options.hfToken } } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

/** The embedded default: local processes on this machine. */
export function startLocalForNeeds(
  needs: StackNeeds,
  onProgress?: (message: string) => void,
): Promise<StackHandle> {
  return startForNeeds('local', needs, onProgress ? { onProgress } : {});
}
