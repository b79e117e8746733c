import { z } from 'zod';
import { InvalidConfigError, type ValidationIssue, zodIssues } from '../../harness/errors.ts';
import type { PerfModel } from './perf-types.ts';
import type { StepRecord } from './step-loop.ts';

/** What `startModelServer` accepts. Every field is optional; defaults follow TGI's launcher. */
export interface ModelServerOptions {
  /** TCP port; 0 picks a free one (read it back from `url`). Default 0 in-process, 3000 in the CLI. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Performance profile name (profiles/), default DEFAULT_PROFILE. Ignored when perfModel is given. */
  profile?: string;
  /** A ready PerfModel (tests, the planner); takes precedence over `profile`. */
  perfModel?: PerfModel;
  /** TGI --max-concurrent-requests: in-flight (queued + running) limit, beyond it 429. Default 128. */
  maxConcurrentRequests?: number;
  /** Cold start: the port stays closed this long. Default: the profile's loadTimeSec. */
  loadTimeSec?: number;
  /** Seeds every generated answer and injected fault. Default 0. */
  seed?: number;
  /** Enables the admin API under /admin/faults, guarded by `Authorization: Bearer <token>`. */
  adminToken?: string | null;
  /** Model id reported by /info, /v1/models and responses. Default: the profile's model id. */
  modelId?: string;
  /** TGI --payload-limit, bytes. Default 2,000,000. */
  payloadLimitBytes?: number;
  /** TGI --max-input-tokens / --max-total-tokens / --max-batch-prefill-tokens; default from the PerfModel. */
  maxInputTokens?: number;
  maxTotalTokens?: number;
  maxBatchPrefillTokens?: number;
  /** TGI --max-stop-sequences (4) and --max-client-batch-size (4). */
  maxStopSequences?: number;
  maxClientBatchSize?: number;
  /** Busy-wait before each step boundary, ms (default 1): the price of sub-ms step timing. */
  spinMs?: number;
  /**
   * Run scavenges (minor GCs) in the slack after a step's token writes, so V8's own do not land on
   * a step boundary (default true).
   */
  slackGc?: boolean;
  /** Resolve startModelServer only once the port listens (default true); false: right after the port is chosen. */
  waitUntilReady?: boolean;
  /** Called on crash() after the sockets are destroyed; the CLI exits the process here. */
  onCrash?: () => void;
  /** Every forward step, after it is planned (tests, the step-timing bench). Keep it cheap. */
  onStep?: (record: StepRecord) => void;
  /** Lifecycle events as objects: loading, listening, crash, restart, error. */
  log?: (event: Record<string, unknown>) => void;
}

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  profile: z.string().min(1).optional(),
  maxConcurrentRequests: z.number().int().positive().default(128),
  loadTimeSec: z.number().min(0).finite().optional(),
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  adminToken: z.string().min(8, 'use at least 8 characters').nullable().default(null),
  modelId: z.string().min(1).optional(),
  payloadLimitBytes: z.number().int().positive().default(2_000_000),
  maxInputTokens: z.number().int().positive().optional(),
  maxTotalTokens: z.number().int().positive().optional(),
  maxBatchPrefillTokens: z.number().int().positive().optional(),
  maxStopSequences: z.number().int().min(0).default(4),
  maxClientBatchSize: z.number().int().positive().default(4),
  spinMs: z.number().min(0).max(10).default(1),
  slackGc: z.boolean().default(true),
  waitUntilReady: z.boolean().default(true),
});

/** The server's frozen configuration: options resolved against the PerfModel. */
export interface ModelServerConfig {
  readonly port: number;
  readonly host: string;
  readonly profileName: string;
  readonly modelId: string;
  readonly maxConcurrentRequests: number;
  readonly loadTimeSec: number;
  readonly seed: number;
  readonly adminToken: string | null;
  readonly payloadLimitBytes: number;
  readonly maxInputTokens: number;
  readonly maxTotalTokens: number;
  readonly maxBatchPrefillTokens: number;
  readonly kvCapacityTokens: number;
  readonly maxStopSequences: number;
  readonly maxClientBatchSize: number;
  /** Fixed at 1 and 0: this simulator is a TGI launched with --max-best-of 1 --max-top-n-tokens 0. */
  readonly maxBestOf: 1;
  readonly maxTopNTokens: 0;
  readonly spinMs: number;
  readonly slackGc: boolean;
  readonly waitUntilReady: boolean;
}

/** Validates options (every problem at once) and resolves the token limits against the PerfModel. */
export function resolveConfig(options: ModelServerOptions, perf: PerfModel): ModelServerConfig {
  const { perfModel: _p, onCrash: _c, onStep: _s, log: _l, ...plain } = options;
  const parsed = optionsSchema.safeParse(plain);
  if (!parsed.success) throw new InvalidConfigError('model server options', zodIssues(parsed.error));
  const o = parsed.data;
  const maxTotalTokens = o.maxTotalTokens ?? perf.maxTotalTokens;
  const maxInputTokens = o.maxInputTokens ?? Math.min(perf.maxInputTokens, maxTotalTokens - 1);
  const issues: ValidationIssue[] = [];
  if (maxInputTokens >= maxTotalTokens) {
    issues.push({ path: 'maxInputTokens', message: `must be < maxTotalTokens (${maxTotalTokens})` });
  }
  if (maxTotalTokens > perf.kvCapacityTokens) {
    issues.push({
      path: 'maxTotalTokens',
      message: `${maxTotalTokens} exceeds the KV cache (${perf.kvCapacityTokens} tokens): one request could never be scheduled (TGI: NotEnoughMemory)`,
    });
  }
  if (issues.length > 0) throw new InvalidConfigError('model server options', issues);
  return Object.freeze({
    port: o.port,
    host: o.host,
    profileName: perf.profile.name,
    modelId: o.modelId ?? perf.profile.model.id,
    maxConcurrentRequests: o.maxConcurrentRequests,
    loadTimeSec: o.loadTimeSec ?? perf.profile.loadTimeSec,
    seed: o.seed,
    adminToken: o.adminToken,
    payloadLimitBytes: o.payloadLimitBytes,
    maxInputTokens,
    maxTotalTokens,
    maxBatchPrefillTokens: o.maxBatchPrefillTokens ?? perf.maxBatchPrefillTokens,
    kvCapacityTokens: perf.kvCapacityTokens,
    maxStopSequences: o.maxStopSequences,
    maxClientBatchSize: o.maxClientBatchSize,
    maxBestOf: 1,
    maxTopNTokens: 0,
    spinMs: o.spinMs,
    slackGc: o.slackGc,
    waitUntilReady: o.waitUntilReady,
  });
}

/** The PerfModel for the options: the injected one, or the named profile's (loaded lazily). */
export async function resolvePerfModel(options: ModelServerOptions): Promise<PerfModel> {
  if (options.perfModel) return options.perfModel;
  const [{ loadProfile, DEFAULT_PROFILE }, { createPerfModel }] = await Promise.all([
    import('./profiles.ts'),
    import('./perf-model.ts'),
  ]);
  return createPerfModel(loadProfile(options.profile ?? DEFAULT_PROFILE));
}
