import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_PROFILE } from '../../reference-service/model-server/profiles.ts';
import { InvalidConfigError, zodIssues } from '../errors.ts';
import type { Tenant } from './types.ts';

const binaryOverride = z.string().min(1).nullable().optional();

export const localStackOptionsSchema = z
  .object({
    /** Agent replicas; default 2 with Redis and HAProxy installed, else 1. */
    agentReplicas: z.number().int().min(1).max(16).optional(),
    /** Model servers, each one simulated GPU replica of `profile` (GPU count = replicas x TP). */
    modelReplicas: z.number().int().min(1).max(16).default(1),
    profile: z.string().min(1).default(DEFAULT_PROFILE),
    /** Model server cold start at stack start and on restart, s; default the profile's. */
    loadTimeSec: z.number().min(0).max(3_600).optional(),
    /** Model server in-flight limit (TGI --max-concurrent-requests); default the server's. */
    maxConcurrentRequests: z.number().int().positive().optional(),
    /** Pin each session to one agent replica (HAProxy stick table on the session id in the path). */
    sticky: z.boolean().default(false),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31)
      .default(1),
    host: z.string().min(1).default('127.0.0.1'),
    /** Agent config file for every replica; default the agent's demo config (tenants acme, globex). */
    agentConfigPath: z.string().min(1).optional(),
    /** Tenants (with plaintext keys) callers should use; default the demo tenants, none with agentConfigPath. */
    tenants: z.array(z.object({ name: z.string().min(1), apiKey: z.string().min(1) }).strict()).optional(),
    agentLogLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('warn'),
    /** Multiplies the tools service's modelled latencies (0: answers at once). */
    toolsLatencyScale: z.number().min(0).max(100).default(1),
    healthCheckIntervalMs: z.number().int().min(100).max(60_000).default(1_000),
    /** Per component, on top of the model load time. */
    startTimeoutMs: z.number().int().min(1_000).max(600_000).default(60_000),
    /** removeReplica: how long connections in flight to the removed replica may finish. */
    drainTimeoutMs: z.number().int().min(0).max(600_000).default(30_000),
    /** restart and stop(): SIGTERM, then SIGKILL after this long. */
    stopGraceMs: z.number().int().min(0).max(120_000).default(5_000),
    /** Where stack directories (logs, Redis data, HAProxy config) live; stale ones are reaped here. */
    stacksRoot: z.string().min(1).default(join(tmpdir(), 'agentload-stacks')),
    /** Keep the stack directory (logs) after stop(). */
    keepLogs: z.boolean().default(false),
    /** Program paths; null pretends one is not installed (tests of the embedded fallback). */
    binaries: z
      .object({ redisServer: binaryOverride, haproxy: binaryOverride, setpriv: binaryOverride })
      .strict()
      .default({}),
    /** PATH-style directories to find programs in; default this process's PATH (through the shell). */
    searchPath: z.string().optional(),
    /** Progress lines for a person (a model loading, a replica added). */
    onProgress: z.custom<(message: string) => void>((v) => typeof v === 'function').optional(),
  })
  .strict();

export type LocalStackOptionsInput = z.input<typeof localStackOptionsSchema>;
export type LocalStackOptions = Readonly<z.output<typeof localStackOptionsSchema>> & {
  readonly tenants?: readonly Tenant[];
};

export function parseLocalStackOptions(input: LocalStackOptionsInput): LocalStackOptions {
  const parsed = localStackOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidConfigError('local stack options', zodIssues(parsed.error));
  }
  return Object.freeze(parsed.data);
}
