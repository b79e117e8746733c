import { z } from 'zod';
import { InvalidConfigError, TargetUnreachableError, zodIssues } from '../errors.ts';
import { StackControlError } from './errors.ts';
import type { ComponentInfo, StackControl, StackHandle } from './types.ts';

/** `--stack external --target URL`: a deployment agentload did not start and does not control. */
export const externalStackOptionsSchema = z
  .object({
    /** The agent's base URL (or a model server's, for bare model-server scenarios). */
    targetUrl: z.string().regex(/^https?:\/\/[^/]/, 'must be an http(s) URL'),
    apiKey: z.string().nullable().default(null),
    /** The model server (e.g. real TGI), when it is reachable separately; default the target. */
    modelUrl: z
      .string()
      .regex(/^https?:\/\/[^/]/, 'must be an http(s) URL')
      .optional(),
    /** More Prometheus endpoints to scrape (TGI's /metrics, HAProxy's); the target's /metrics always. */
    metricsUrls: z.array(z.string().regex(/^https?:\/\/[^/]/, 'must be an http(s) URL')).default([]),
    /** What serves the model and on what hardware: the planner reads these from the results. */
    modelServer: z.enum(['sim', 'tgi', 'unknown']).default('unknown'),
    profile: z.string().min(1).default('unknown'),
    gpusPerModelReplica: z.number().int().min(1).max(64).default(1),
    /** Check that the target answers HTTP at all before the run (any status counts). */
    probe: z.boolean().default(true),
    probeTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  })
  .strict();

export type ExternalStackOptionsInput = z.input<typeof externalStackOptionsSchema>;

export interface ExternalStackHandle extends StackHandle {
  kind: 'external';
  modelServer: 'sim' | 'tgi' | 'unknown';
}

const trim = (url: string) => url.replace(/\/+$/, '');

const notControlled = (what: string) =>
  new StackControlError(`cannot ${what}: agentload does not control an external deployment`, {
    hint: 'Fault scenarios need a stack agentload starts: --stack local, containers or compose.',
  });

/** The control API of a deployment we only send load to: nothing to list, every action refused. */
export const externalControl: StackControl = Object.freeze({
  list: (): ComponentInfo[] => [],
  kill: () => Promise.reject(notControlled('kill a component')),
  pause: () => Promise.reject(notControlled('pause a component')),
  resume: () => Promise.reject(notControlled('resume a component')),
  restart: () => Promise.reject(notControlled('restart a component')),
  addReplica: () => Promise.reject(notControlled('add a replica')),
  removeReplica: () => Promise.reject(notControlled('remove a replica')),
});

async function answers(url: string, timeoutMs: number): Promise<string | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return null;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? (error as Error).name;
  }
}

/**
 * A StackHandle for a deployment that is already running (a GPU box's compose stack, a staging
 * service): URLs and what the results should say about it, no process control, stop() a no-op.
 */
export async function startExternalStack(input: ExternalStackOptionsInput): Promise<ExternalStackHandle> {
  const parsed = externalStackOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidConfigError(
      'external stack options',
      zodIssues(parsed.error),
      'Pass --target http(s)://host:port of the running agent.',
    );
  }
  const o = parsed.data;
  const target = trim(o.targetUrl);
  const modelUrl = trim(o.modelUrl ?? o.targetUrl);
  if (o.probe) {
    const failure = await answers(target, o.probeTimeoutMs);
    if (failure !== null) {
      throw new TargetUnreachableError(`${target} does not answer (${failure})`, {
        hint: 'Check the URL and that the deployment is up (curl it); for a compose stack, `docker compose ps`.',
      });
    }
  }
  return {
    kind: 'external',
    modelServer: o.modelServer,
    agentUrl: target,
    modelUrl,
    modelUrls: [modelUrl],
    toolsUrl: null,
    redisUrl: null,
    metricsUrls: [
      { id: 'target', kind: 'agent', url: `${target}/metrics` },
      ...o.metricsUrls.map((url, i) => ({ id: `metrics-${i}`, kind: 'model' as const, url })),
    ],
    tenants: [{ name: 'default', apiKey: o.apiKey ?? '' }],
    adminToken: null,
    profile: o.profile,
    gpusPerModelReplica: o.gpusPerModelReplica,
    inMemoryState: false,
    control: externalControl,
    stop: () => Promise.resolve(),
  };
}
