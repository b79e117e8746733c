/**
 * Rate limits the fleet can honour, split per tenant.
 *
 * Global: with the redundancy spare down, R' replicas at goodput mu serve RPM = 60 R' mu requests
 * within SLO; tokens per minute follow from the mix (TPM = RPM x (in + out)), and in decode-token
 * equivalents TPM_eff = RPM x (kappa in + out), which is what a replica's capacity is made of.
 * Per tenant i with normalised share s_i and oversubscription o (sum of limits over capacity, safe
 * when tenants' peaks are uncorrelated): TPM_eff_i = o s_i TPM_eff, RPM_i = TPM_eff_i / (kappa in_i
 * + out_i), concurrency_i = ceil(o s_i R' N*). Burst = the tenant's share of slots, the most the
 * servers can absorb at once.
 * Token bucket: capacity = burst, refill = limit / 60 per second. GCRA (ITU-T I.371 virtual
 * scheduling): emission interval T = 60 000 / RPM ms, tolerance tau = (burst - 1) T; a request at
 * time t passes when t >= TAT - tau, then TAT = max(TAT, t) + T; Retry-After = ceil(TAT - tau - t).
 * Charge max_tokens at admission and refund the unused part at completion.
 */
import type { HostedApiQuota, Reasoning, TenantShare } from './types.ts';

export interface GcraParams {
  emissionIntervalMs: number;
  toleranceMs: number;
  burst: number;
}

export function gcraParams(ratePerMin: number, burst: number): GcraParams {
  const emissionIntervalMs = 60_000 / ratePerMin;
  const b = Math.max(1, Math.floor(burst));
  return { emissionIntervalMs, toleranceMs: (b - 1) * emissionIntervalMs, burst: b };
}

export interface TokenBucket {
  capacity: number;
  refillPerSec: number;
}

export function tokenBucket(ratePerMin: number, burst: number): TokenBucket {
  return { capacity: Math.max(1, Math.floor(burst)), refillPerSec: ratePerMin / 60 };
}

export interface GlobalLimits {
  /** Replicas the limits assume are up (after the worst covered failure). */
  basisReplicas: number;
  requestsPerMin: number;
  outputTokensPerMin: number;
  /** Input + output tokens, as a plain token counter sees them. */
  tokensPerMin: number;
  decodeEquivalentTokensPerMin: number;
  concurrency: number;
  reasoning: Reasoning[];
}

export interface MixInput {
  meanInputTokens: number;
  meanOutputTokens: number;
  prefillCostRatio: number;
}

export function globalLimits(
  basisReplicas: number,
  goodputPerReplica: number,
  concurrencyPerReplica: number,
  mix: MixInput,
): GlobalLimits {
  const rpm = Math.floor(60 * basisReplicas * goodputPerReplica);
  const k = mix.prefillCostRatio;
  return {
    basisReplicas,
    requestsPerMin: rpm,
    outputTokensPerMin: Math.floor(rpm * mix.meanOutputTokens),
    tokensPerMin: Math.floor(rpm * (mix.meanInputTokens + mix.meanOutputTokens)),
    decodeEquivalentTokensPerMin: Math.floor(rpm * (k * mix.meanInputTokens + mix.meanOutputTokens)),
    concurrency: Math.floor(basisReplicas * concurrencyPerReplica),
    reasoning: [
      {
        name: 'global requests per minute',
        formula: 'RPM = floor(60 x R_after_failure x goodput_per_replica)',
        inputs: { R_after_failure: basisReplicas, goodputPerReplica },
        value: rpm,
      },
      {
        name: 'global tokens per minute',
        formula: 'TPM = RPM x (in + out); TPM_eff = RPM x (kappa in + out)',
        inputs: { RPM: rpm, in: mix.meanInputTokens, out: mix.meanOutputTokens, kappa: k },
        value: Math.floor(rpm * (mix.meanInputTokens + mix.meanOutputTokens)),
      },
    ],
  };
}

export interface TenantLimit {
  name: string;
  /** Normalised share times oversubscription. */
  effectiveShare: number;
  requestsPerMin: number;
  tokensPerMin: number;
  decodeEquivalentTokensPerMin: number;
  concurrency: number;
  requestBucket: TokenBucket;
  tokenBucket: TokenBucket;
  gcra: GcraParams;
  reasoning: Reasoning[];
}

export function tenantLimits(
  global: GlobalLimits,
  tenants: readonly TenantShare[],
  mix: MixInput,
  oversubscription: number,
): TenantLimit[] {
  const total = tenants.reduce((s, t) => s + t.share, 0);
  const k = mix.prefillCostRatio;
  return tenants.map((t): TenantLimit => {
    const share = (t.share / total) * oversubscription;
    const inT = t.meanInputTokens ?? mix.meanInputTokens;
    const outT = t.meanOutputTokens ?? mix.meanOutputTokens;
    const tpmEff = share * global.decodeEquivalentTokensPerMin;
    const rpm = Math.max(1, Math.floor(tpmEff / (k * inT + outT)));
    const slots = share * global.concurrency;
    const burst = Math.max(1, Math.floor(slots));
    const tpm = Math.floor(rpm * (inT + outT));
    return {
      name: t.name,
      effectiveShare: share,
      requestsPerMin: rpm,
      tokensPerMin: tpm,
      decodeEquivalentTokensPerMin: Math.floor(tpmEff),
      concurrency: Math.max(1, Math.ceil(slots)),
      requestBucket: tokenBucket(rpm, burst),
      tokenBucket: { capacity: Math.max(1, Math.floor(burst * (inT + outT))), refillPerSec: tpm / 60 },
      gcra: gcraParams(rpm, burst),
      reasoning: [
        {
          name: `${t.name}: requests per minute`,
          formula: 'RPM_i = o s_i TPM_eff / (kappa in_i + out_i)',
          inputs: {
            o_s_i: share,
            TPM_eff: global.decodeEquivalentTokensPerMin,
            kappa: k,
            in_i: inT,
            out_i: outT,
          },
          value: rpm,
        },
        {
          name: `${t.name}: GCRA tolerance (ms)`,
          formula: 'T = 60000 / RPM_i; tau = (burst - 1) T, burst = floor(o s_i x fleet concurrency)',
          inputs: { RPM_i: rpm, burst, fleetConcurrency: global.concurrency },
          value: (burst - 1) * (60_000 / rpm),
        },
      ],
    };
  });
}

export interface QuotaLine {
  limit: 'requestsPerMin' | 'tokensPerMin' | 'inputTokensPerMin' | 'outputTokensPerMin';
  needed: number;
  quota: number;
  utilization: number;
  ok: boolean;
}

export interface QuotaCheck {
  api: string;
  lines: QuotaLine[];
  ok: boolean;
  /** The limit with the highest utilization. */
  binding: QuotaLine['limit'];
  /** Highest request rate the quota allows with this mix. */
  maxRatePerSec: number;
  reasoning: Reasoning[];
}

/** Checks a hosted API's quota tier against the peak (tokens charged as input + max_tokens at admission). */
export function checkHostedQuota(
  quota: HostedApiQuota,
  peakRatePerSec: number,
  meanInputTokens: number,
  meanOutputTokens: number,
): QuotaCheck {
  const maxTokens = quota.maxTokens ?? meanOutputTokens;
  const perRequest: Record<QuotaLine['limit'], number> = {
    requestsPerMin: 1,
    tokensPerMin: meanInputTokens + maxTokens,
    inputTokensPerMin: meanInputTokens,
    outputTokensPerMin: maxTokens,
  };
  const lines: QuotaLine[] = [];
  for (const limit of Object.keys(perRequest) as QuotaLine['limit'][]) {
    const q = quota[limit];
    if (q === undefined) continue;
    const needed = 60 * peakRatePerSec * perRequest[limit];
    lines.push({ limit, needed, quota: q, utilization: needed / q, ok: needed <= q });
  }
  const binding = lines.reduce((a, b) => (b.utilization > a.utilization ? b : a));
  const maxRatePerSec = Math.min(...lines.map((l) => l.quota / (60 * perRequest[l.limit])));
  return {
    api: quota.name,
    lines,
    ok: lines.every((l) => l.ok),
    binding: binding.limit,
    maxRatePerSec,
    reasoning: [
      {
        name: `${quota.name}: binding quota`,
        formula: 'needed = 60 x lambda_peak x per-request charge (requests: 1; tokens: in + max_tokens)',
        inputs: { lambdaPerSec: peakRatePerSec, in: meanInputTokens, maxTokens },
        value: binding.limit,
        note: 'limits may be enforced per second (RPM/60): keep short bursts under it too',
      },
      {
        name: `${quota.name}: highest sustainable rate (requests/s)`,
        formula: 'min over limits of quota / (60 x per-request charge)',
        inputs: Object.fromEntries(lines.map((l) => [l.limit, l.quota])),
        value: maxRatePerSec,
      },
    ],
  };
}

/**
 * Global limits when the model is a hosted API: the quota is the capacity. Concurrency (the burst
 * basis) is one second of the sustainable rate, since quotas may be enforced per second.
 */
export function hostedGlobalLimits(check: QuotaCheck, mix: MixInput): GlobalLimits {
  const rpm = Math.floor(60 * check.maxRatePerSec);
  const k = mix.prefillCostRatio;
  return {
    basisReplicas: 0,
    requestsPerMin: rpm,
    outputTokensPerMin: Math.floor(rpm * mix.meanOutputTokens),
    tokensPerMin: Math.floor(rpm * (mix.meanInputTokens + mix.meanOutputTokens)),
    decodeEquivalentTokensPerMin: Math.floor(rpm * (k * mix.meanInputTokens + mix.meanOutputTokens)),
    concurrency: Math.max(1, Math.ceil(check.maxRatePerSec)),
    reasoning: [
      {
        name: 'global requests per minute (hosted API)',
        formula: 'RPM = floor(60 x highest rate the quota allows)',
        inputs: { api: check.api, maxRatePerSec: check.maxRatePerSec },
        value: rpm,
      },
    ],
  };
}
