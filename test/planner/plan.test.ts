import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPerfModel } from '../../reference-service/model-server/perf-model.ts';
import { loadProfile } from '../../reference-service/model-server/profiles.ts';
import { curvesFromSweeps } from '../../planner/curves.ts';
import { PlanInputError, SloUnmetError } from '../../planner/errors.ts';
import { planCapacity } from '../../planner/plan.ts';
import { resolvePolicy } from '../../planner/policy.ts';
import { erlangB } from '../../planner/queueing.ts';
import { MAX_REFUSED_SHARE } from '../../planner/server-settings.ts';
import type { Demand, SloTargets } from '../../planner/types.ts';
import { makeSweepSummary, saturatingSteps } from './factories.ts';

const slo: SloTargets = {
  ttft: { percentile: 95, maxMs: 800 },
  itl: { percentile: 95, maxMs: 60 },
  maxErrorRate: 0.01,
};
const curves = curvesFromSweeps(
  [1, 2].map((r) => ({
    source: `r${r}`,
    summary: makeSweepSummary({
      runId: `run-${r}`,
      agentReplicas: 2,
      steps: saturatingSteps([1, 2, 3, 4, 5, 6, 7, 8], 8, 1, 0.03 * r),
    }),
  })),
  'model',
);
const policy = resolvePolicy({ gpuHourUsd: 2.5, bootstrapIterations: 200, coldStartSec: 60 });

describe('planCapacity', () => {
  const demand: Demand = {
    peakRequestsPerSec: 50,
    daily: [
      { atSec: 0, fractionOfPeak: 0.2 },
      { atSec: 3600, fractionOfPeak: 1 },
      { atSec: 7200, fractionOfPeak: 0.2 },
    ],
    tenants: [
      { name: 'gold', share: 0.7 },
      { name: 'free', share: 0.3 },
    ],
  };
  const plan = planCapacity(curves, demand, slo, policy);
  const option = plan.options[plan.recommended!]!;

  it('sizes the fleet from goodput, utilization and redundancy with the reasoning shown', () => {
    const util = Math.ceil(50 / (option.goodput.ratePerSec * 0.8));
    expect(option.regions[0]!.size.utilizationReplicas).toBe(util);
    expect(option.totals.replicas).toBe(Math.max(util, option.regions[0]!.queueing.smallestReplicas) + 1);
    expect(option.totals.gpus).toBe(option.totals.replicas);
    for (const r of option.regions[0]!.size.reasoning) {
      expect(r.formula.length).toBeGreaterThan(0);
      expect(r.value).not.toBeNull();
    }
  });

  it('checks the queue at the recommended size and after a failure', () => {
    const q = option.regions[0]!.queueing;
    expect(q.atRecommended.stable).toBe(true);
    expect(q.afterFailure.servers).toBeLessThan(q.atRecommended.servers);
    expect(q.atRecommended.pWaitOverBudget).not.toBeNull();
  });

  it('prices the fleet per hour and per million output tokens', () => {
    expect(plan.cost!.costPerHourUsd).toBe(option.totals.gpus * 2.5);
    const tokensPerHour = 50 * plan.demand.meanOutputTokens * 3600;
    expect(plan.cost!.perMillionOutputTokensAtPeakUsd).toBeCloseTo(
      (option.totals.gpus * 2.5 * 1e6) / tokensPerHour,
      9,
    );
    expect(plan.cost!.perMillionOutputTokensAtMeanUsd!).toBeGreaterThan(
      plan.cost!.perMillionOutputTokensAtPeakUsd!,
    );
  });

  it('sets TGI max_concurrent_requests to the smallest limit refusing at most 0.1 % at the goodput concurrency', () => {
    const c = plan.settings!.maxConcurrentRequests;
    const n = option.goodput.concurrency;
    expect(c).toBeGreaterThan(Math.ceil(n));
    expect(erlangB(c, n)).toBeLessThanOrEqual(MAX_REFUSED_SHARE);
    expect(erlangB(c - 1, n)).toBeGreaterThan(MAX_REFUSED_SHARE);
    // A limit at ceil(N*) would refuse about one request in ten at the operating point.
    expect(erlangB(Math.ceil(n), n)).toBeGreaterThan(0.05);
  });

  it('bounds agent replicas from the sweep when no agent sweep is given', () => {
    expect(plan.agent!.basis).toBe('bound');
    expect(plan.agent!.size.replicas).toBeGreaterThanOrEqual(2);
  });

  it('splits rate limits across tenants by share', () => {
    const [gold, free] = plan.rateLimits!.tenants;
    expect(gold!.requestsPerMin).toBeGreaterThan(free!.requestsPerMin);
    expect(gold!.requestsPerMin + free!.requestsPerMin).toBeLessThanOrEqual(
      plan.rateLimits!.global.requestsPerMin,
    );
  });

  it('simulates the autoscaler over the daily curve', () => {
    expect(plan.autoscaling).not.toBeNull();
    expect(plan.autoscaling!.horizonSec).toBe(7200);
  });

  it('gives the same plan for the same inputs and seed', () => {
    expect(planCapacity(curves, demand, slo, policy)).toEqual(plan);
  });

  it('never gives fewer GPUs for more demand (property)', () => {
    const noBoot = resolvePolicy({ bootstrapIterations: 0 });
    const zones = resolvePolicy({ bootstrapIterations: 0, redundancy: 'zones:3', utilizationTarget: 0.7 });
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 2000, noNaN: true }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        (peak, more) => {
          for (const p of [noBoot, zones]) {
            const gpus = (rate: number) =>
              planCapacity(curves, { peakRequestsPerSec: rate }, slo, p).options[0]!.totals.gpus;
            expect(gpus(peak + more)).toBeGreaterThanOrEqual(gpus(peak));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses a plan with no model curve and no hosted API', () => {
    expect(() => planCapacity([], { peakRequestsPerSec: 1 }, slo, policy)).toThrow(PlanInputError);
  });

  it('fails with SloUnmetError when no measured load meets the SLO', () => {
    expect(() =>
      planCapacity(curves, { peakRequestsPerSec: 1 }, { ttft: { percentile: 95, maxMs: 10 } }, policy),
    ).toThrow(SloUnmetError);
  });

  it('plans a hosted API from its quota', () => {
    const hosted = resolvePolicy({
      hostedApi: { name: 'tier-2', requestsPerMin: 5000, tokensPerMin: 2_000_000 },
    });
    const p = planCapacity(
      [],
      { peakRequestsPerSec: 20, meanInputTokens: 1000, meanOutputTokens: 500 },
      slo,
      hosted,
    );
    expect(p.options).toEqual([]);
    expect(p.hostedApi!.ok).toBe(true);
    expect(p.rateLimits!.global.requestsPerMin).toBe(Math.floor(60 * (2_000_000 / (60 * 1500))));
  });

  it('sizes each region for its share of the demand', () => {
    const regional = resolvePolicy({
      bootstrapIterations: 0,
      regions: [
        { name: 'eu', demandShare: 0.25 },
        { name: 'us', demandShare: 0.75 },
      ],
    });
    const p = planCapacity(curves, { peakRequestsPerSec: 80 }, slo, regional);
    const [eu, us] = p.options[0]!.regions;
    expect(eu!.ratePerSec).toBe(20);
    expect(us!.ratePerSec).toBe(60);
    expect(p.options[0]!.totals.replicas).toBe(eu!.size.replicas + us!.size.replicas);
  });

  it('adds modelled what-if rows calibrated on the measured profile', () => {
    const models = ['llama-3.1-8b@h100', 'llama-3.1-8b@a100-80g', 'llama-3.1-8b@l4'].map((n) =>
      createPerfModel(loadProfile(n)),
    );
    const p = planCapacity(curves, { peakRequestsPerSec: 50 }, slo, policy, {
      perfModels: models,
      whatIfModels: models,
    });
    expect(p.whatIf!.map((w) => w.basis)).toEqual(['modelled', 'modelled', 'modelled']);
    const [h100] = p.whatIf!;
    expect(h100!.calibrationFactor).not.toBeNull();
    expect(h100!.goodputPerReplica).toBeCloseTo(p.options[0]!.goodput.ratePerSec, 9);
    expect(p.settings!.prefillBasis).toBe('perf-model');
  });

  it('recommends the cheapest measured option, priced per GPU type', () => {
    const two = curvesFromSweeps(
      [
        ['llama-3.1-8b@h100', 8],
        ['llama-3.1-8b@a100-80g', 6],
      ].map(([profile, capacity]) => ({
        source: String(profile),
        summary: makeSweepSummary({
          profile: String(profile),
          steps: saturatingSteps([1, 2, 3, 4, 5, 6, 7, 8], Number(capacity)),
        }),
      })),
      'model',
    );
    const models = ['llama-3.1-8b@h100', 'llama-3.1-8b@a100-80g'].map((n) => createPerfModel(loadProfile(n)));
    const plan = (prices: Record<string, number> | undefined) =>
      planCapacity(
        two,
        { peakRequestsPerSec: 100 },
        slo,
        resolvePolicy({ bootstrapIterations: 0, gpuHourUsdByGpu: prices }),
        {
          perfModels: models,
        },
      );
    const unpriced = plan(undefined);
    expect(unpriced.options[1]!.totals.gpus).toBeGreaterThan(unpriced.options[0]!.totals.gpus);
    expect(unpriced.recommended).toBe(0);
    const priced = plan({ h100: 10, 'a100-80g': 1 });
    expect(priced.recommended).toBe(1);
    expect(priced.cost!.costPerHourUsd).toBe(priced.options[1]!.totals.gpus * 1);
  });
});
