import { describe, expect, it } from 'vitest';
import { curvesFromSweeps } from '../../planner/curves.ts';
import { PlanInputError } from '../../planner/errors.ts';
import { planCapacity } from '../../planner/plan.ts';
import { resolvePolicy } from '../../planner/policy.ts';
import {
  figuresFromSummary,
  validatePlan,
  type MeasuredFigures,
  type ValidationLoad,
} from '../../planner/validate.ts';
import { makeStats, makeSweepSummary } from './factories.ts';

const curves = curvesFromSweeps([{ source: 'x', summary: makeSweepSummary() }], 'model');
const slo = { ttft: { percentile: 95, maxMs: 800 }, maxErrorRate: 0.01 };
const plan = planCapacity(curves, { peakRequestsPerSec: 60 }, slo, resolvePolicy({ bootstrapIterations: 0 }));

function fakeRun(figures: (load: ValidationLoad) => MeasuredFigures) {
  const loads: ValidationLoad[] = [];
  return {
    loads,
    run: async (load: ValidationLoad) => {
      loads.push(load);
      return figures(load);
    },
  };
}

describe('validatePlan', () => {
  it('runs a slice of the fleet at its share of the peak', async () => {
    const fake = fakeRun((l) => ({
      achievedRatePerSec: l.ratePerSec,
      errorRate: 0,
      meanInFlight: null,
      ttftMs: makeStats(200),
      itlMs: null,
      e2eMs: null,
    }));
    const report = await validatePlan(plan, fake.run, { replicas: 2, durationSec: 60, seed: 3 });
    const total = plan.options[0]!.totals.replicas;
    expect(fake.loads[0]!.modelReplicas).toBe(2);
    expect(fake.loads[0]!.ratePerSec).toBeCloseTo((60 * 2) / total, 12);
    expect(fake.loads[0]!.maxConcurrentRequests).toBe(plan.settings!.maxConcurrentRequests);
    expect(report.ok).toBe(true);
  });

  it('fails the checks a measurement misses', async () => {
    const fake = fakeRun((l) => ({
      achievedRatePerSec: l.ratePerSec * 0.5,
      errorRate: 0.05,
      meanInFlight: 1000,
      ttftMs: makeStats(900),
      itlMs: null,
      e2eMs: null,
    }));
    const report = await validatePlan(plan, fake.run, { durationSec: 60, seed: 3 });
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([
      'ttft p95 (ms)',
      'error rate',
      'achieved rate (requests/s)',
      "requests in flight (Little's law)",
    ]);
  });

  it('refuses a hosted-API plan, which has nothing to run', async () => {
    const hosted = planCapacity(
      [],
      { peakRequestsPerSec: 1, meanOutputTokens: 10 },
      slo,
      resolvePolicy({ hostedApi: { name: 'x', requestsPerMin: 100 } }),
    );
    await expect(
      validatePlan(
        hosted,
        fakeRun(() => {
          throw new Error('not called');
        }).run,
        { durationSec: 1, seed: 1 },
      ),
    ).rejects.toThrow(PlanInputError);
  });

  it('reads measured figures from a results summary and time series', () => {
    const summary = makeSweepSummary();
    summary.rates.completedPerSec = 12;
    const points = [3, 5].map((inFlight, tSec) => ({ tSec, inFlight }));
    const figures = figuresFromSummary(summary, { points } as unknown as Parameters<
      typeof figuresFromSummary
    >[1]);
    expect(figures).toMatchObject({ achievedRatePerSec: 12, meanInFlight: 4 });
    expect(figures.ttftMs!.mean).toBe(100);
  });
});
