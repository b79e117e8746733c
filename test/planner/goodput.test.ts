import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { curvesFromSweeps } from '../../planner/curves.ts';
import { SloUnmetError } from '../../planner/errors.ts';
import { computeGoodput } from '../../planner/goodput.ts';
import { mixScaling, sloConstraints } from '../../planner/slo.ts';
import type { CapacityCurve, SloTargets } from '../../planner/types.ts';
import { makeSweepStep, makeSweepSummary, saturatingSteps } from './factories.ts';

const sameMix = mixScaling({ meanInputTokens: 500, meanOutputTokens: 200 }, {}, 0.2).scaling;
const boot = { iterations: 200, confidence: 0.9, seed: 7 };

function curveOf(ttftP95: readonly number[], runs = 1): CapacityCurve {
  const results = Array.from({ length: runs }, (_, r) => ({
    source: `r${r}`,
    summary: makeSweepSummary({
      runId: `run-${r}`,
      steps: ttftP95.map((p95, i) =>
        makeSweepStep({ offeredRatePerSec: i + 1, ttftP95Ms: p95 * (1 + 0.05 * r) }, `s${i}`),
      ),
    }),
  }));
  return curvesFromSweeps(results, 'model')[0]!;
}

function goodputFor(curve: CapacityCurve, slo: SloTargets) {
  return computeGoodput(curve, sloConstraints(slo), sameMix, boot);
}

describe('computeGoodput', () => {
  it('interpolates the load where the binding SLO is reached (hand-worked)', () => {
    const g = goodputFor(curveOf([100, 200, 300, 400, 500]), { ttft: { percentile: 95, maxMs: 350 } });
    // between (3, 300) and (4, 400): 3 + 50 / 100
    expect(g.offeredPerReplica).toBeCloseTo(3.5, 12);
    expect(g.ratePerSec).toBeCloseTo(3.5, 12);
    expect(g.status).toBe('within');
    expect(g.binding).toBe('ttft p95 (ms)');
    expect(g.reasoning[0]!.inputs).toMatchObject({ x0: 3, f0: 300, x1: 4, f1: 400, limit: 350 });
  });

  it('fits a monotone curve through noisy points before reading the crossing', () => {
    // PAV turns 100, 300, 200, 400 into 100, 250, 250, 400: the crossing of 250 is at 3
    const g = goodputFor(curveOf([100, 300, 200, 400]), { ttft: { percentile: 95, maxMs: 250 } });
    expect(g.offeredPerReplica).toBeCloseTo(3, 12);
  });

  it('reports a lower bound when the sweep never reaches the limit', () => {
    const g = goodputFor(curveOf([100, 200]), { ttft: { percentile: 95, maxMs: 5000 } });
    expect(g.status).toBe('censored');
    expect(g.offeredPerReplica).toBe(2);
  });

  it('throws SloUnmetError with a hint when no load meets the SLO', () => {
    const run = () => goodputFor(curveOf([900, 1000]), { ttft: { percentile: 95, maxMs: 800 } });
    expect(run).toThrow(SloUnmetError);
    expect(run).toThrow(/ttft p95 \(ms\) is 900/);
  });

  it('takes the tightest of several SLO targets', () => {
    const curve = curvesFromSweeps(
      [{ source: 'a', summary: makeSweepSummary({ steps: saturatingSteps([1, 2, 3, 4, 5, 6, 7, 8], 8) }) }],
      'model',
    )[0]!;
    const g = goodputFor(curve, {
      ttft: { percentile: 95, maxMs: 800 },
      itl: { percentile: 95, maxMs: 60 },
      maxErrorRate: 0.01,
    });
    // ttft p95 = 1.8 (80 + 60 / (1 - r/8)): 576 at 6, 1008 at 7 -> 6 + 224 / 432
    expect(g.offeredPerReplica).toBeCloseTo(6 + 224 / 432, 9);
    expect(g.binding).toBe('ttft p95 (ms)');
  });

  it("derives the concurrency and service time by Little's law", () => {
    const g = goodputFor(curveOf([100, 200, 300, 400, 500]), { ttft: { percentile: 95, maxMs: 350 } });
    // factory: in flight = rate x e2e mean (100 + 199 x 20 = 4080 ms)
    expect(g.concurrency).toBeCloseTo(3.5 * 4.08, 9);
    expect(g.meanServiceMs).toBeCloseTo(4080, 6);
  });

  it('plans on a closed-loop (concurrency) sweep, taking in-slot TTFT at the goodput concurrency', () => {
    const steps = [4, 8, 16, 32].map((n, i) =>
      makeSweepStep(
        {
          offeredRatePerSec: null,
          targetConcurrency: n,
          achievedRatePerSec: n / 4,
          meanInFlight: n,
          ttftP95Ms: 100 * (i + 1),
        },
        `c${n}`,
      ),
    );
    const curve = curvesFromSweeps([{ source: 'c', summary: makeSweepSummary({ steps }) }], 'model')[0]!;
    const g = goodputFor(curve, { ttft: { percentile: 95, maxMs: 250 } });
    // between (8, 200) and (16, 300): 8 + 50 / 100 x 8
    expect(curve.loadAxis).toBe('concurrency');
    expect(g.offeredPerReplica).toBeCloseTo(12, 12);
    expect(g.ratePerSec).toBeCloseTo(3, 12);
    expect(g.concurrency).toBeCloseTo(12, 12);
    // the closed loop has no queue in front: its TTFT at x* is the in-slot TTFT
    expect(g.ttftInSlotMs).toBeCloseTo(250, 9);
  });

  it('gives no interval from a single sweep', () => {
    expect(goodputFor(curveOf([100, 200, 300]), { ttft: { percentile: 95, maxMs: 250 } }).ci).toBeNull();
  });

  it('bootstraps a seeded interval around the estimate from repeated sweeps', () => {
    const curve = curveOf([100, 200, 300, 400, 500], 3);
    const a = goodputFor(curve, { ttft: { percentile: 95, maxMs: 350 } });
    const b = goodputFor(curve, { ttft: { percentile: 95, maxMs: 350 } });
    expect(a.ci).not.toBeNull();
    expect(a.ci).toEqual(b.ci);
    expect(a.ci!.lowPerSec).toBeLessThanOrEqual(a.ratePerSec);
    expect(a.ci!.highPerSec).toBeGreaterThanOrEqual(a.ratePerSec);
    expect(a.ci!.highPerSec).toBeGreaterThan(a.ci!.lowPerSec);
    expect(a.ci!.replicatedLevels).toBe(5);
  });

  it('rescales goodput to a token mix with longer outputs', () => {
    const curve = curveOf([100, 200, 300, 400, 500]);
    const longer = mixScaling(
      { meanInputTokens: 500, meanOutputTokens: 200 },
      { meanOutputTokens: 400 },
      0,
    ).scaling;
    const g = computeGoodput(curve, sloConstraints({ ttft: { percentile: 95, maxMs: 350 } }), longer, boot);
    expect(longer.costRatio).toBe(0.5);
    expect(g.ratePerSec).toBeCloseTo(1.75, 9);
  });

  it('never gives more goodput for a tighter SLO (property)', () => {
    const series = fc.array(fc.integer({ min: 50, max: 3000 }), { minLength: 2, maxLength: 10 });
    fc.assert(
      fc.property(
        series,
        fc.integer({ min: 50, max: 3000 }),
        fc.integer({ min: 0, max: 2000 }),
        (p95s, tight, extra) => {
          const curve = curveOf(p95s);
          const at = (limit: number) => {
            try {
              return goodputFor(curve, { ttft: { percentile: 95, maxMs: limit } }).ratePerSec;
            } catch (e) {
              if (e instanceof SloUnmetError) return 0;
              throw e;
            }
          };
          expect(at(tight)).toBeLessThanOrEqual(at(tight + extra) + 1e-9);
        },
      ),
      { numRuns: 200 },
    );
  });
});
