import { InvalidConfigError } from '../errors.ts';
import type { StackHandle } from './types.ts';

/** `--stack`: who starts the system under test. */
export const stackKinds = ['local', 'containers', 'compose', 'external'] as const;
export type StackKind = (typeof stackKinds)[number];

/** `--model-server`: the GPU simulator, or real text-generation-inference (containers/compose, on GPUs). */
export const modelServerKinds = ['sim', 'tgi'] as const;
export type ModelServerKind = (typeof modelServerKinds)[number];

/** What a scenario (or the CLI) asks of a stack, whoever provides it. */
export interface StackRequest {
  agentReplicas?: number;
  modelReplicas?: number;
  profile?: string;
  loadTimeSec?: number;
  maxConcurrentRequests?: number;
  modelServer?: ModelServerKind;
  /** external: the running deployment. */
  targetUrl?: string;
  apiKey?: string | null;
  /** tgi: model id, HF token, weights directory, image, GPUs (container-options.ts tgiOptionsSchema). */
  tgi?: {
    modelId?: string;
    hfToken?: string | null;
    weightsDir?: string | null;
    image?: string;
    gpus?: number | 'all';
  };
  onProgress?: (message: string) => void;
}

export type StackProvider = (request: StackRequest) => Promise<StackHandle>;

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function common(r: StackRequest) {
  return defined({
    agentReplicas: r.agentReplicas,
    modelReplicas: r.modelReplicas,
    profile: r.profile,
    loadTimeSec: r.loadTimeSec,
    maxConcurrentRequests: r.maxConcurrentRequests,
    onProgress: r.onProgress,
  });
}

/**
 * Each provider's start function, imported on first use: a local run never loads testcontainers.
 * Every one returns the same StackHandle, so scenarios run unchanged on any of them.
 */
export const stackProviders: Readonly<Record<StackKind, StackProvider>> = Object.freeze({
  local: async (r: StackRequest) => {
    if (r.modelServer === 'tgi') {
      throw new InvalidConfigError('flags', [
        {
          path: '--model-server',
          message: 'tgi needs --stack containers or --stack compose (a GPU machine)',
        },
      ]);
    }
    const { startLocalStack } = await import('./local.ts');
    return startLocalStack(common(r));
  },
  containers: async (r: StackRequest) => {
    const { startContainerStack } = await import('./containers.ts');
    return startContainerStack({ ...common(r), ...defined({ modelServer: r.modelServer, tgi: r.tgi }) });
  },
  compose: async (r: StackRequest) => {
    const { startComposeStack } = await import('./compose.ts');
    const { modelReplicas, agentReplicas, ...rest } = common(r);
    if ((agentReplicas ?? 2) !== 2 || (modelReplicas ?? 1) !== 1) {
      r.onProgress?.(
        `warning: the compose file runs 2 agents and 1 model server; asked for ${agentReplicas ?? 2} and ${modelReplicas ?? 1}`,
      );
    }
    return startComposeStack({ ...rest, ...defined({ modelServer: r.modelServer, tgi: r.tgi }) });
  },
  external: async (r: StackRequest) => {
    if (r.targetUrl === undefined) {
      throw new InvalidConfigError('flags', [
        { path: '--target', message: '--stack external needs --target <url> of the running deployment' },
      ]);
    }
    const { startExternalStack } = await import('./external.ts');
    return startExternalStack({
      targetUrl: r.targetUrl,
      apiKey: r.apiKey ?? null,
      ...defined({ modelServer: r.modelServer, profile: r.profile }),
    });
  },
});

export function parseStackKind(value: string): StackKind {
  if ((stackKinds as readonly string[]).includes(value)) return value as StackKind;
  throw new InvalidConfigError('flags', [
    { path: '--stack', message: `"${value}" is not one of ${stackKinds.join(', ')}` },
  ]);
}

export function parseModelServerKind(value: string): ModelServerKind {
  if ((modelServerKinds as readonly string[]).includes(value)) return value as ModelServerKind;
  throw new InvalidConfigError('flags', [
    { path: '--model-server', message: `"${value}" is not one of ${modelServerKinds.join(', ')}` },
  ]);
}

export function startStack(kind: StackKind, request: StackRequest = {}): Promise<StackHandle> {
  return stackProviders[kind](request);
}
