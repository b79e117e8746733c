import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InvalidConfigError, type ValidationIssue, zodIssues } from '../../harness/errors.ts';
import { deepFreeze } from '../../harness/config/deep-freeze.ts';

/**
 * The agent service's whole configuration: one file (JSON or YAML), validated once, frozen and
 * passed down. Only the CLI command overlays env and flags (file < env < flags).
 */

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256 digest (64 characters)');

const tenantSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, up to 63'),
    /** sha256(key) in hex; several allow key rotation. Plaintext keys never appear in config. */
    keyHashes: z.array(sha256Hex).min(1, 'give at least one key hash'),
    limits: z
      .object({
        requestsPerMin: z.number().int().positive(),
        tokensPerMin: z.number().int().positive(),
      })
      .strict(),
    /** Overrides caps.maxSessionsPerTenant for this tenant. */
    maxSessions: z.number().int().positive().optional(),
  })
  .strict();

const timeoutsSchema = z
  .object({
    /** Until the model's first streamed chunk (covers connect, queueing and prefill). */
    modelFirstTokenMs: z.number().int().positive().default(15_000),
    /** Longest silence between two streamed chunks. */
    modelIdleMs: z.number().int().positive().default(10_000),
    /** One model call end to end. */
    modelTotalMs: z.number().int().positive().default(120_000),
    modelHealthMs: z.number().int().positive().default(1_000),
    toolMs: z.number().int().positive().default(5_000),
    redisConnectMs: z.number().int().positive().default(500),
    redisCommandMs: z.number().int().positive().default(500),
    /** Graceful shutdown: how long in-flight streams may run after close() before they are cut. */
    shutdownGraceMs: z.number().int().nonnegative().default(25_000),
  })
  .strict();

const retrySchema = z
  .object({
    /** Attempts per model call including the first. */
    maxAttempts: z.number().int().min(1).max(10).default(3),
    baseDelayMs: z.number().int().nonnegative().default(50),
    maxDelayMs: z.number().int().nonnegative().default(2_000),
    /** A Retry-After longer than this is not waited for: the call fails (and falls back). */
    maxRetryAfterMs: z.number().int().nonnegative().default(5_000),
  })
  .strict();

const breakerSchema = z
  .object({
    windowMs: z.number().int().positive().default(10_000),
    /** Calls in the window before the error share is judged (opossum's volumeThreshold). */
    minVolume: z.number().int().positive().default(5),
    failureThresholdPct: z.number().min(1).max(100).default(50),
    /** Open -> half-open after this long; one probe then decides. */
    openMs: z.number().int().positive().default(5_000),
  })
  .strict();

const capsSchema = z
  .object({
    maxTokens: z.number().int().positive().default(1024),
    defaultMaxTokens: z.number().int().positive().default(256),
    maxMessageChars: z.number().int().positive().default(8_000),
    maxToolIterations: z.number().int().nonnegative().default(4),
    maxSessionsPerTenant: z.number().int().positive().default(100_000),
    /** History sent to the model is trimmed, oldest first, to this many (estimated) tokens. */
    historyTokenBudget: z.number().int().nonnegative().default(2_048),
    /** Turns read from the store before trimming. */
    historyMaxTurns: z.number().int().positive().default(50),
    maxInFlight: z.number().int().positive().default(256),
    toolResultMaxChars: z.number().int().positive().default(4_000),
    bodyLimitBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024),
  })
  .strict();

export const agentConfigSchema = z
  .object({
    model: z
      .object({
        /** The model server (TGI or the simulator) or the load balancer in front of it; no `/v1`. */
        baseUrl: z.string().url(),
        name: z.string().min(1).default('tgi'),
        systemPrompt: z.string().default('You are a helpful assistant. Use the tools when they help.'),
        fallbackMessage: z
          .string()
          .min(1)
          .default('The assistant is temporarily unavailable. Please try again in a moment.'),
      })
      .strict(),
    tools: z
      .object({
        baseUrl: z.string().url().optional(),
        /** Tools the model may call; empty means every tool the tools service lists. */
        allow: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)).default([]),
      })
      .strict()
      .default({}),
    /** Absent: the service keeps state in memory (one replica only; the stack decides). */
    redis: z.object({ url: z.string().url().optional() }).strict().default({}),
    tenants: z.array(tenantSchema).min(1, 'configure at least one tenant'),
    timeouts: timeoutsSchema.default({}),
    retry: retrySchema.default({}),
    breaker: breakerSchema.default({}),
    caps: capsSchema.default({}),
    sessions: z
      .object({
        ttlSec: z
          .number()
          .int()
          .positive()
          .default(24 * 3600),
        idempotencyTtlSec: z
          .number()
          .int()
          .positive()
          .default(24 * 3600),
        /**
         * How long a claimed key (turn in progress) blocks retries with 409. It frees itself after
         * this, so a replica that died mid-turn does not lock the key for the whole TTL.
         */
        idempotencyPendingTtlSec: z.number().int().positive().default(150),
      })
      .strict()
      .default({}),
  })
  .strict();

export type AgentConfigInput = z.input<typeof agentConfigSchema>;
type Parsed = z.output<typeof agentConfigSchema>;
export type AgentConfig = DeepReadonly<Parsed>;
export type TenantConfig = AgentConfig['tenants'][number];

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** Upper bound of the tokens one turn is charged at admission (see rate-limit.ts). */
export function maxAdmissionTokens(config: Pick<Parsed, 'caps' | 'model'> | AgentConfig): number {
  const { caps, model } = config;
  return (
    estimateTokens(model.systemPrompt) +
    caps.historyTokenBudget +
    Math.ceil(caps.maxMessageChars / 4) +
    caps.maxTokens
  );
}

/** Prompt-size estimate used for admission and history trimming: ~4 characters per token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function crossFieldIssues(config: Parsed): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const names = new Set<string>();
  const hashes = new Set<string>();
  const bound = maxAdmissionTokens(config);
  config.tenants.forEach((t, i) => {
    if (names.has(t.name))
      issues.push({ path: `tenants[${i}].name`, message: `duplicate tenant "${t.name}"` });
    names.add(t.name);
    for (const h of t.keyHashes) {
      if (hashes.has(h))
        issues.push({ path: `tenants[${i}].keyHashes`, message: 'a key hash belongs to two tenants' });
      hashes.add(h);
    }
    if (t.limits.tokensPerMin < bound) {
      issues.push({
        path: `tenants[${i}].limits.tokensPerMin`,
        message: `${t.limits.tokensPerMin} is below the largest admission charge (${bound} = system prompt + caps.historyTokenBudget + caps.maxMessageChars/4 + caps.maxTokens); such turns could never be admitted`,
      });
    }
  });
  if (config.caps.defaultMaxTokens > config.caps.maxTokens) {
    issues.push({ path: 'caps.defaultMaxTokens', message: 'must not exceed caps.maxTokens' });
  }
  return issues;
}

/** Validates raw config (every problem at once, with paths) and returns it frozen. */
export function parseAgentConfig(raw: unknown, source = 'agent config'): AgentConfig {
  const result = agentConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = zodIssues(result.error);
    throw new InvalidConfigError(source, issues);
  }
  const issues = crossFieldIssues(result.data);
  if (issues.length > 0) throw new InvalidConfigError(source, issues);
  return deepFreeze(structuredClone(result.data));
}

/** Reads a JSON or YAML config file (not yet validated: callers overlay env/flags, then parse). */
export function readAgentConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidConfigError(path, [
      { path: '', message: `cannot read file: ${(error as Error).message}` },
    ]);
  }
  try {
    return /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigError(path, [
      {
        path: '',
        message: `not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(error as Error).message}`,
      },
    ]);
  }
}
