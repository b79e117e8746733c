/**
 * The values behind the Kubernetes manifests: deploy/k8s/values.yaml is the defaults, a user's
 * `--values` file and a capacity plan (plan-values.ts) are laid over it in that order (objects
 * merge key by key, anything else replaces), and the result is validated once and frozen.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InvalidConfigError, zodIssues, type ValidationIssue } from '../../harness/errors.ts';
import { deepFreeze } from '../../harness/config/deep-freeze.ts';

const quantity = z.union([
  z.string().regex(/^[0-9.]+[a-zA-Z]*$/, 'a Kubernetes quantity like 500m or 1Gi'),
  z.number(),
]);
const resources = z
  .object({
    requests: z.record(z.string(), quantity),
    limits: z.record(z.string(), quantity),
  })
  .strict();
const positiveInt = z.number().int().positive();
const dnsName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'lower-case letters, digits and "-"');

export const valuesSchema = z
  .object({
    namespace: dnsName,
    images: z.object({ agentload: z.string(), redis: z.string(), tgi: z.string(), k6: z.string() }).strict(),
    agent: z
      .object({
        minReplicas: positiveInt,
        maxReplicas: positiveInt,
        targetCpuUtilizationPercent: z.number().int().min(1).max(100),
        maxInFlight: positiveInt,
        minAvailable: z.number().int().nonnegative(),
        resources,
        tenants: z.record(
          dnsName,
          z.object({ requestsPerMin: positiveInt, tokensPerMin: positiveInt }).strict(),
        ),
      })
      .strict(),
    model: z
      .object({
        server: z.enum(['tgi', 'sim']),
        replicas: positiveInt,
        modelId: z.string().min(1),
        profile: z.string().min(1),
        gpusPerReplica: positiveInt,
        maxConcurrentRequests: positiveInt,
        maxBatchPrefillTokens: positiveInt,
        startupSeconds: positiveInt,
        maxUnavailable: positiveInt,
        resources,
        shmSize: quantity,
      })
      .strict(),
    tools: z.object({ replicas: positiveInt, resources }).strict(),
    redis: z
      .object({
        storage: quantity,
        storageClassName: z.string().nullable(),
        appendfsync: z.enum(['always', 'everysec', 'no']),
      })
      .strict(),
    secrets: z
      .object({
        apiKeys: z.record(dnsName, z.string().min(8, 'use at least 8 characters')),
        hfToken: z.string(),
      })
      .strict(),
    k6: z
      .object({
        scenario: dnsName,
        parallelism: positiveInt,
        separate: z.boolean(),
        resultsStorage: quantity,
        resultsStorageClassName: z.string().nullable(),
        resources,
      })
      .strict(),
  })
  .strict();

export type Values = z.infer<typeof valuesSchema>;
export type ValuesOverlay = DeepPartial<Values>;
type DeepPartial<T> = T extends object
  ? T extends readonly unknown[]
    ? T
    : { [K in keyof T]?: DeepPartial<T[K]> }
  : T;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Maps of named things a later layer gives whole: its tenants are the tenants, not an addition. */
const REPLACED = new Set(['agent.tenants', 'secrets.apiKeys']);

/** Objects merge key by key (recursively) but for REPLACED; arrays, scalars and null replace. */
export function mergeValues(base: unknown, overlay: unknown, path = ''): unknown {
  if (overlay === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(overlay) || REPLACED.has(path)) return overlay;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    out[key] = mergeValues(base[key], value, path ? `${path}.${key}` : key);
  }
  return out;
}

function crossChecks(v: Values): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (v.agent.maxReplicas < v.agent.minReplicas) {
    issues.push({ path: 'agent.maxReplicas', message: `below minReplicas (${v.agent.minReplicas})` });
  }
  if (v.agent.minAvailable >= v.agent.minReplicas) {
    issues.push({
      path: 'agent.minAvailable',
      message: 'must be below minReplicas, or no pod could ever be evicted',
    });
  }
  for (const tenant of Object.keys(v.agent.tenants)) {
    if (!Object.hasOwn(v.secrets.apiKeys, tenant)) {
      issues.push({
        path: `secrets.apiKeys.${tenant}`,
        message: `tenant "${tenant}" has limits but no API key`,
      });
    }
  }
  if (Object.keys(v.agent.tenants).length === 0)
    issues.push({ path: 'agent.tenants', message: 'give at least one tenant' });
  return issues;
}

/** Validates merged values, listing every problem with its path. @throws InvalidConfigError */
export function parseValues(input: unknown, source = 'values'): Values {
  const parsed = valuesSchema.safeParse(input);
  const issues = parsed.success ? crossChecks(parsed.data) : zodIssues(parsed.error);
  if (!parsed.success || issues.length > 0) {
    throw new InvalidConfigError(
      source,
      issues,
      'Fix these keys in your --values file (deploy/k8s/values.yaml lists them all).',
    );
  }
  return deepFreeze(parsed.data);
}

async function readYaml(path: string | URL, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidConfigError(what, [
      { path: String(path), message: `cannot read: ${(error as Error).message}` },
    ]);
  }
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw new InvalidConfigError(what, [
      { path: String(path), message: `not YAML: ${(error as Error).message}` },
    ]);
  }
}

export const DEFAULT_VALUES_URL = new URL('./values.yaml', import.meta.url);

/** deploy/k8s/values.yaml, then the file at `valuesPath`, then `overlays` (e.g. from a plan). */
export async function loadValues(valuesPath?: string, ...overlays: ValuesOverlay[]): Promise<Values> {
  let merged = await readYaml(DEFAULT_VALUES_URL, 'deploy/k8s/values.yaml');
  if (valuesPath !== undefined) merged = mergeValues(merged, (await readYaml(valuesPath, valuesPath)) ?? {});
  for (const overlay of overlays) merged = mergeValues(merged, overlay);
  return parseValues(merged, valuesPath ?? 'values');
}
