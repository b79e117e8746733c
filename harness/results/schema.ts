/**
 * The results files: the one interface between the engine, the planner, the reports and the gate.
 * A results directory `results/<time>-<scenario>/` holds:
 *   summary.json          Summary (below), versioned
 *   timeseries.json       Timeseries, 1-second buckets
 *   samples.ndjson.gz     one RequestSample per line
 * Bump SUMMARY_SCHEMA_VERSION on any breaking change and document it in docs/metrics.md.
 */
export const SUMMARY_SCHEMA_VERSION = 1 as const;

/** What one request looked like from the client. All times are ms since the run's start (monotonic). */
export interface RequestSample {
  scheduledAtMs: number;
  sentAtMs: number;
  firstByteMs: number | null;
  firstTokenMs: number | null;
  /** Gaps between successive content tokens (chunks), ms. Length = tokens streamed - 1. */
  tokenGapsMs: number[];
  endMs: number;
  inputTokens: number | null;
  outputTokens: number;
  tokenSource: 'usage' | 'counted';
  /** HTTP status; 0 when no response arrived. */
  status: number;
  /** null on success; otherwise a stable class: 'http_4xx', 'http_429', 'http_5xx', 'timeout', 'connect', 'stream_error', 'protocol'. */
  errorClass: string | null;
  degraded: boolean;
  tenant: string | null;
  session: string | null;
  turn: number | null;
  replica: string | null;
  /** Scenario phase name (fault windows, sweep steps) when the request was scheduled. */
  phase: string | null;
}

/** Latency or count distribution, derived from an HDR histogram. Units are in the owning key's name. */
export interface DistributionStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
}

/** A serialized HDR histogram (hdr-histogram-js encodeIntoCompressedBase64), so runs can be merged exactly. */
export interface HistogramSnapshot {
  encoding: 'hdr-compressed-base64';
  /** Values were recorded as round(value * scale) integers. */
  scale: number;
  data: string;
  /**
   * Exact moments of the recorded values (in the owning key's unit, before scaling), so mean, min,
   * max and stddev survive serialization and merging exactly. Absent in snapshots from other
   * writers (k6 ingest); readers then fall back to the HDR estimates.
   */
  moments?: HistogramMoments;
}

/** Running moments; m2 is the sum of squared deviations from the mean (Welford/Chan, mergeable). */
export interface HistogramMoments {
  count: number;
  sum: number;
  min: number;
  max: number;
  m2: number;
}

export interface MetricResult {
  stats: DistributionStats;
  histogram: HistogramSnapshot;
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
  /** The value the expression was judged on (e.g. the p95), null if the metric had no data. */
  actual: number | null;
  abortOnFail: boolean;
  /** True when it failed during the run, not only at the end. */
  failedLive: boolean;
}

export interface FaultEvent {
  atSec: number;
  component: string;
  action: string;
  ok: boolean;
  detail?: string;
}

export interface PhaseSummary {
  name: string;
  startSec: number;
  endSec: number;
  requests: number;
  completed: number;
  failed: number;
  degraded: number;
  errorRate: number;
  ttftP95Ms: number | null;
  e2eP95Ms: number | null;
  /** Iterations due in this phase that could not be sent on time. */
  dropped?: number;
  /** Histograms so merged runs get exact per-phase percentiles. */
  histograms?: { ttftMs: HistogramSnapshot; e2eMs: HistogramSnapshot };
  /** Seconds from the phase's start until errors fell back under the scenario's recovery bar; null if never. */
  recoverySec: number | null;
}

/** One step of a sweep: the raw material of a capacity curve. */
export interface SweepStep {
  name: string;
  offeredRatePerSec: number | null;
  targetConcurrency: number | null;
  durationSec: number;
  requests: number;
  /** Full answers: a degraded one (the agent's fallback) counts as failed in a step, not here. */
  completed: number;
  /** Errors and degraded answers. */
  failed: number;
  /** Of `failed`, the agent's degraded answers (absent in summaries written before it was counted). */
  degraded?: number;
  dropped: number;
  achievedRatePerSec: number;
  goodputPerSec: number;
  outputTokensPerSec: number;
  /** Mean requests in flight (Little's law check: ~ achievedRatePerSec x mean E2E). */
  meanInFlight: number;
  meanInputTokens: number;
  meanOutputTokens: number;
  errorRate: number;
  ttftMs: DistributionStats;
  itlMs: DistributionStats;
  e2eMs: DistributionStats;
  /** Histograms so the planner can bootstrap and merge. */
  histograms?: { ttftMs: HistogramSnapshot; itlMs: HistogramSnapshot; e2eMs: HistogramSnapshot };
}

export interface StackDescription {
  kind: 'local' | 'containers' | 'compose' | 'external' | 'k6';
  profile: string | null;
  agentReplicas: number | null;
  modelReplicas: number | null;
  gpusPerModelReplica: number | null;
  modelServer: 'sim' | 'tgi' | 'unknown';
  /** True when Redis was replaced by in-memory state (no redis-server on the machine). */
  inMemoryState: boolean;
}

/** A stack the harness did not start and knows nothing about beyond its URL (or k6's). */
export function unknownStack(kind: 'external' | 'k6'): StackDescription {
  return {
    kind,
    profile: null,
    agentReplicas: null,
    modelReplicas: null,
    gpusPerModelReplica: null,
    modelServer: 'unknown',
    inMemoryState: false,
  };
}

export interface RecoverySpec {
  /** Error rate (0-1) of one 1-second bucket at or under which the service counts as recovered. */
  errorRateBar: number;
  /** Consecutive seconds it must stay at or under the bar. */
  holdSec: number;
}

/** The bar when a scenario sets none: 5 % errors (or the SLO's maxErrorRate), held 3 s. */
export const DEFAULT_RECOVERY: Readonly<RecoverySpec> = Object.freeze({ errorRateBar: 0.05, holdSec: 3 });

/** A scenario's recovery bar, its missing fields taken from the SLO and DEFAULT_RECOVERY. */
export function resolveRecovery(slo: SloSpec, recovery?: Partial<RecoverySpec>): RecoverySpec {
  return {
    errorRateBar: recovery?.errorRateBar ?? slo.maxErrorRate ?? DEFAULT_RECOVERY.errorRateBar,
    holdSec: recovery?.holdSec ?? DEFAULT_RECOVERY.holdSec,
  };
}

export interface SloSpec {
  ttftMs?: number;
  itlMs?: number;
  e2eMs?: number;
  /** Percentile the SLO targets apply to for verdicts (goodput is judged per request). */
  percentile: number;
  maxErrorRate?: number;
}

export interface Summary {
  schemaVersion: typeof SUMMARY_SCHEMA_VERSION;
  kind: 'agentload.summary';
  run: {
    id: string;
    scenario: string;
    seed: number;
    startedAt: string;
    endedAt: string;
    durationSec: number;
    target: string;
    stack: StackDescription;
    versions: { agentload: string; node: string };
    /** k6-style execution segment when this is one part of a split run ("0:1/2"). */
    segment: string | null;
    source: 'agentload' | 'k6' | 'merge';
  };
  counts: {
    requests: number;
    completed: number;
    failed: number;
    dropped: number;
    degraded: number;
    inputTokens: number;
    outputTokens: number;
    tokensFromUsage: number;
    tokensCounted: number;
    turnsAcknowledged: number;
    turnsLost: number | null;
    /** Completed, not degraded, and within every SLO target set (docs/metrics.md, goodput). */
    goodRequests?: number;
    /** Content chunks seen on the wire, whatever the token source: the client-side count. */
    contentChunks?: number;
  };
  rates: {
    requestsPerSec: number;
    completedPerSec: number;
    outputTokensPerSec: number;
    errorRate: number;
    goodputPerSec: number;
  };
  metrics: {
    ttftMs: MetricResult;
    firstByteMs: MetricResult;
    itlMs: MetricResult;
    tpotMs: MetricResult;
    e2eMs: MetricResult;
    scheduleLagMs: MetricResult;
  };
  errors: Record<string, number>;
  slo: SloSpec;
  thresholds: ThresholdResult[];
  phases: PhaseSummary[];
  /** The bar PhaseSummary.recoverySec was judged against, so merged runs are judged alike. */
  recovery?: RecoverySpec;
  faults: FaultEvent[];
  steps: SweepStep[];
  generator: {
    valid: boolean;
    reasons: string[];
    scheduleLagP99Ms: number;
    eventLoopDelayP99Ms: number;
    cpuPercent: number | null;
    /** Highest CPU over any 5 s window; absent in summaries written before it existed. */
    cpuPeakPercent?: number | null;
  };
}

export interface TimeseriesPoint {
  tSec: number;
  requests: number;
  completed: number;
  failed: number;
  degraded: number;
  dropped: number;
  inFlight: number;
  outputTokens: number;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  e2eP95Ms: number | null;
  itlP95Ms: number | null;
  /** Scraped from /metrics of the servers (sum over replicas), when available. */
  server: {
    queueSize: number | null;
    batchSize: number | null;
    agentInFlight: number | null;
    breakerOpen: number | null;
  };
}

export interface Timeseries {
  schemaVersion: typeof SUMMARY_SCHEMA_VERSION;
  intervalSec: number;
  points: TimeseriesPoint[];
  annotations: { tSec: number; label: string }[];
}

/** File names inside a results directory. */
export const RESULTS_FILES = {
  summary: 'summary.json',
  timeseries: 'timeseries.json',
  samples: 'samples.ndjson.gz',
  plan: 'plan.json',
} as const;
