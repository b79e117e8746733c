import { describe, expect, it } from 'vitest';
import { PlanInputError } from '../../planner/errors.ts';
import { mixScaling, parseSloSpec, sloConstraints, sloFromSummary } from '../../planner/slo.ts';

describe('parseSloSpec', () => {
  it('reads percentiles, units and an error rate', () => {
    expect(parseSloSpec('ttft:p95=800,itl:p99<=60ms,e2e:p99=20s,errors=1%')).toEqual({
      ttft: { percentile: 95, maxMs: 800 },
      itl: { percentile: 99, maxMs: 60 },
      e2e: { percentile: 99, maxMs: 20_000 },
      maxErrorRate: 0.01,
    });
  });

  it('defaults a bare metric to p95', () => {
    expect(parseSloSpec('ttft=500')).toEqual({ ttft: { percentile: 95, maxMs: 500 } });
  });

  it('reports every bad part at once', () => {
    const run = () => parseSloSpec('ttft:p97=1,latency=3');
    expect(run).toThrow(PlanInputError);
    expect(run).toThrow(/percentile must be.*latency=3/);
  });
});

describe('sloConstraints', () => {
  it('refuses an SLO without targets, with a hint', () => {
    expect(() => sloConstraints({})).toThrow(/The SLO has no targets/);
  });

  it('takes the sweep summary SLO', () => {
    expect(
      sloConstraints(sloFromSummary({ ttftMs: 800, percentile: 99, maxErrorRate: 0.01 })).map((c) => c.label),
    ).toEqual(['ttft p99 (ms)', 'error rate']);
  });
});

describe('mixScaling', () => {
  it('prices requests as kappa x input + output', () => {
    const { scaling } = mixScaling(
      { meanInputTokens: 1000, meanOutputTokens: 100 },
      { meanInputTokens: 2000 },
      0.1,
    );
    // (100 + 100) / (200 + 100)
    expect(scaling.costRatio).toBeCloseTo(2 / 3, 12);
    expect(scaling.outputRatio).toBe(1);
  });

  it('is neutral for the measured mix', () => {
    expect(mixScaling({ meanInputTokens: 321, meanOutputTokens: 123 }, {}, 0.37).scaling.costRatio).toBe(1);
  });
});
