/**
 * Types of the capacity planner: what goes in (curves, demand, SLO, policy) and what comes out
 * (CapacityPlan). The planner returns numbers plus reasoning records; formatting for people lives
 * in the CLI command and the reports.
 */
import type { DistributionStats } from '../harness/results/schema.ts';

/** One step of an explanation: the formula, the numbers that went in, and what came out. */
export interface Reasoning {
  name: string;
  formula: string;
  inputs: Record<string, number | string | boolean | null>;
  value: number | string | boolean | null;
  note?: string;
}

/** Whether a sweep controlled the offered request rate (open loop) or the concurrency (closed loop). */
export type LoadAxis = 'rate' | 'concurrency';

/** One measured sweep step, scaled to one replica (rates and in-flight divided by the replica count). */
export interface CurvePoint {
  /** Offered load per replica: requests/s (rate axis) or concurrent requests (concurrency axis). */
  offeredPerReplica: number;
  /** Successful requests/s per replica (completed / duration / replicas). */
  achievedRatePerSec: number;
  outputTokensPerSec: number;
  meanInFlight: number;
  errorRate: number;
  meanInputTokens: number;
  meanOutputTokens: number;
  ttftMs: DistributionStats;
  itlMs: DistributionStats;
  e2eMs: DistributionStats;
  durationSec: number;
  /** Where it came from: `<run id>/<step name>`. */
  source: string;
}

export type CurveRole = 'model' | 'agent';

/** Per-replica capacity curve of one configuration, possibly from several (repeated) sweeps. */
export interface CapacityCurve {
  /** Configuration key: the profile name when known, else the scenario name. */
  key: string;
  role: CurveRole;
  loadAxis: LoadAxis;
  profile: string | null;
  /** Replicas the measured stack ran (the divisor applied to rates). */
  measuredReplicas: number;
  /** Agent replicas of the measured stack, when the sweep went through the agent. */
  measuredAgentReplicas: number | null;
  gpusPerReplica: number | null;
  runs: string[];
  points: CurvePoint[];
}

export interface LatencyTarget {
  /** 50, 90, 95, 99 or 99.9. */
  percentile: number;
  maxMs: number;
}

export interface SloTargets {
  ttft?: LatencyTarget;
  itl?: LatencyTarget;
  e2e?: LatencyTarget;
  /** Highest acceptable error rate, 0-1. */
  maxErrorRate?: number;
}

/** Demand over time, as multiples of the peak, sampled by linear interpolation. */
export interface DemandCurvePoint {
  atSec: number;
  fractionOfPeak: number;
}

export interface DemandSpike {
  atSec: number;
  durationSec: number;
  /** Multiplies the curve's rate while the spike lasts. */
  multiplier: number;
}

export interface TenantShare {
  name: string;
  /** Share of the fleet, 0-1; shares are normalised to sum to 1 (times oversubscription). */
  share: number;
  meanInputTokens?: number;
  meanOutputTokens?: number;
}

export interface Demand {
  /** Peak requests/s to size for; either this or users x turnsPerMinute. */
  peakRequestsPerSec?: number;
  users?: { concurrent: number; turnsPerMinute: number };
  /** Token mix; defaults to the measured mix. */
  meanInputTokens?: number;
  meanOutputTokens?: number;
  /** Squared coefficient of variation of inter-arrival times; 1 = Poisson. */
  arrivalScv?: number;
  /** Squared coefficient of variation of service time; defaults to the measured E2E spread. */
  serviceScv?: number;
  daily?: DemandCurvePoint[];
  spikes?: DemandSpike[];
  tenants?: TenantShare[];
}

export type Redundancy = { kind: 'none' } | { kind: 'n+1' } | { kind: 'zones'; zones: number };

export interface Region {
  name: string;
  /** Share of the demand served there, 0-1. */
  demandShare: number;
}

export interface HostedApiQuota {
  name: string;
  requestsPerMin: number;
  tokensPerMin?: number;
  inputTokensPerMin?: number;
  outputTokensPerMin?: number;
  /** Output tokens charged at admission (max_tokens); defaults to the mean output. */
  maxTokens?: number;
}

export interface AutoscalerPolicy {
  minReplicas: number;
  maxReplicas: number;
  /** Averaging window of the target-concurrency autoscaler (Knative stable window). */
  windowSec: number;
  /** Seconds the desired count must stay below the ready count before replicas go. */
  scaleDownDelaySec: number;
  /** Replicas kept started but idle, ready in warmStartSec. */
  warmPool: number;
  warmStartSec: number;
  stepSec: number;
}

export interface Policy {
  /** Fraction of per-replica goodput to plan for, 0-1. */
  utilizationTarget: number;
  redundancy: Redundancy;
  /** Overrides the profile's tensor-parallel degree and the sweep's record. */
  gpusPerReplica?: number;
  gpusPerNode: number;
  gpuHourUsd?: number;
  /** Per GPU name (profile.gpu.name), for what-if rows. */
  gpuHourUsdByGpu?: Record<string, number>;
  agentReplicaHourUsd?: number;
  regions?: Region[];
  /** Cold start of a model replica, s; defaults to the profile's load time. */
  coldStartSec?: number;
  autoscaler: AutoscalerPolicy;
  /** Cost of one prompt token in decode-token equivalents (kappa); defaults from the profile or 0.2. */
  prefillCostRatio?: number;
  /** Sum of tenant limits over fleet capacity (statistical multiplexing), >= 1. */
  oversubscription: number;
  hostedApi?: HostedApiQuota;
  bootstrapIterations: number;
  confidence: number;
  seed: number;
}
