import { describe, expect, it } from 'vitest';
import { curvesFromSweeps } from '../../planner/curves.ts';
import { PlanInputError } from '../../planner/errors.ts';
import { planCapacity } from '../../planner/plan.ts';
import { resolvePolicy } from '../../planner/policy.ts';
import {
  compareToPlan,
  curveAt,
  errorPct,
  figuresFromStep,
  figuresFromSummary,
  measuredGoodput,
  predictAtReplicas,
  validatePlan,
  validationGrid,
  validationLoad,
  type MeasuredFigures,
  type ValidationLoad,
} from '../../planner/validate.ts';
import { makeStats, makeSweepStep, makeSweepSummary, saturatingSteps } from './factories.ts';

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

describe('predicting k replicas from one', () => {
  const sweep = makeSweepSummary({ steps: saturatingSteps([1, 2, 3, 4, 5, 6, 7, 8], 8), agentReplicas: 1 });
  const [curve] = curvesFromSweeps([{ source: 'x', summary: sweep }], 'model');
  const e2eSlo = { e2e: { percentile: 95, maxMs: 8000 }, maxErrorRate: 0.05 };
  const onePlan = planCapacity(
    [curve!],
    { peakRequestsPerSec: 10 },
    e2eSlo,
    resolvePolicy({ bootstrapIterations: 0 }),
  );

  it('scales goodput by k and reads latency and in-flight off the 1-replica curve at load / k', () => {
    const g = onePlan.options[0]!.goodput.ratePerSec;
    const p = predictAtReplicas(onePlan, curve!, 3, 9);
    expect(p.goodputPerSec).toBeCloseTo(3 * g, 12);
    const at3 = sweep.steps[2]!;
    expect(p.e2eP95Ms).toBeCloseTo(at3.e2eMs.p95, 9);
    expect(p.meanInFlight).toBeCloseTo(3 * at3.meanInFlight, 9);
    expect(p.e2eP95AtGoodputMs).toBeCloseTo(
      curveAt(curve!, (q) => q.e2eMs.p95, g),
      9,
    );
    // The sweep's steps are at 1, 2, ... req/s and its p95 E2E rises with load: linear between the
    // two steps around g, whatever the load k replicas carry.
    const below = sweep.steps[Math.floor(g) - 1]!.e2eMs.p95;
    const above = sweep.steps[Math.floor(g)]!.e2eMs.p95;
    expect(p.e2eP95AtGoodputMs).toBeCloseTo(below + (above - below) * (g - Math.floor(g)), 9);
    expect(predictAtReplicas(onePlan, curve!, 2, 2).e2eP95AtGoodputMs).toBeCloseTo(p.e2eP95AtGoodputMs, 9);
  });

  it('measures goodput of a k-replica run the way the planner reads a sweep', () => {
    const run = makeSweepSummary({
      steps: saturatingSteps([2, 4, 6, 8, 10, 12, 14, 16], 8, 2),
      modelReplicas: 2,
    });
    const [twoCurve] = curvesFromSweeps([{ source: 'y', summary: run }], 'model');
    const m = measuredGoodput(twoCurve!, e2eSlo);
    expect(m.status).toBe('within');
    // Same per-replica shape as the 1-replica sweep: twice its goodput.
    expect(m.goodputPerSec).toBeCloseTo(2 * onePlan.options[0]!.goodput.ratePerSec, 9);
    expect(measuredGoodput(twoCurve!, { e2e: { percentile: 95, maxMs: 1 } })).toEqual({
      goodputPerSec: 0,
      status: 'unmet',
      binding: null,
    });
    expect(measuredGoodput(twoCurve!, { e2e: { percentile: 95, maxMs: 1e9 } }).status).toBe('censored');
  });

  it('steps through the plan load and 0.9-1.25 x goodput, dropping a knee rate next to the plan load', () => {
    expect(validationGrid(5, 4)).toEqual([4, 4.5, 5, 5.5, 6.25]);
    expect(validationGrid(5, 4.55)).toEqual([4.55, 5, 5.5, 6.25]);
  });

  it('gives errors relative to the measurement, and none without one', () => {
    expect(errorPct(110, 100)).toBeCloseTo(10, 12);
    expect(errorPct(90, 100)).toBeCloseTo(-10, 12);
    expect(errorPct(1, 0)).toBeNull();
  });

  it('checks in-flight against the curve-based figure when one is given', () => {
    const step = makeSweepStep({ offeredRatePerSec: 4, meanInFlight: 10 });
    const figures = figuresFromStep(step);
    const load = validationLoad(onePlan, { replicas: 1, ratePerReplicaPerSec: 4, durationSec: 1, seed: 1 });
    const little = (c: ReturnType<typeof compareToPlan>) =>
      c.find((x) => x.name.startsWith('requests in flight'))!;
    expect(little(compareToPlan(onePlan, load, figures, 0.25, 10.5)).ok).toBe(true);
    expect(little(compareToPlan(onePlan, load, figures, 0.25, 20)).ok).toBe(false);
  });
});
