import { describe, expect, it } from 'vitest';
import { curvesFromSweeps, measuredMix } from '../../planner/curves.ts';
import { NoSweepError, PlanInputError } from '../../planner/errors.ts';
import { makeSweepStep, makeSweepSummary } from './factories.ts';

describe('curvesFromSweeps', () => {
  it('scales rates and in-flight to one replica', () => {
    const summary = makeSweepSummary({
      modelReplicas: 4,
      steps: [makeSweepStep({ offeredRatePerSec: 20, meanInFlight: 40 })],
    });
    const [curve] = curvesFromSweeps([{ source: 'x', summary }], 'model');
    expect(curve!.points[0]).toMatchObject({ offeredPerReplica: 5, achievedRatePerSec: 5, meanInFlight: 10 });
    expect(curve!.measuredReplicas).toBe(4);
  });

  it('pools sweeps of the same profile and keeps other profiles apart', () => {
    const a = makeSweepSummary({ runId: 'a' });
    const b = makeSweepSummary({ runId: 'b' });
    const c = makeSweepSummary({ runId: 'c', profile: 'llama-3.1-8b@l4' });
    const curves = curvesFromSweeps(
      [a, b, c].map((summary) => ({ source: summary.run.id, summary })),
      'model',
    );
    expect(curves.map((k) => [k.key, k.runs])).toEqual([
      ['llama-3.1-8b@h100', ['a', 'b']],
      ['llama-3.1-8b@l4', ['c']],
    ]);
    expect(curves[0]!.points.map((p) => p.offeredPerReplica)).toEqual([
      1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8,
    ]);
  });

  it('treats a step where nothing completed as infinitely slow', () => {
    const step = makeSweepStep({ offeredRatePerSec: 3 });
    step.ttftMs = { ...step.ttftMs, count: 0, p95: 0 };
    const [curve] = curvesFromSweeps(
      [{ source: 'x', summary: makeSweepSummary({ steps: [step] }) }],
      'model',
    );
    expect(curve!.points[0]!.ttftMs.p95).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects a summary without sweep steps with a hint', () => {
    const run = () =>
      curvesFromSweeps([{ source: 'results/smoke', summary: makeSweepSummary({ steps: [] }) }], 'model');
    expect(run).toThrow(NoSweepError);
    expect(run).toThrow(/results\/smoke has no sweep steps/);
  });

  it('rejects steps that mix rate and concurrency', () => {
    const steps = [
      makeSweepStep({ offeredRatePerSec: 1 }),
      makeSweepStep({ offeredRatePerSec: null, targetConcurrency: 4 }),
    ];
    expect(() => curvesFromSweeps([{ source: 'x', summary: makeSweepSummary({ steps }) }], 'model')).toThrow(
      PlanInputError,
    );
  });
});

describe('measuredMix', () => {
  it('weights the token means by completed requests', () => {
    const steps = [
      makeSweepStep({ offeredRatePerSec: 1, meanInputTokens: 100, meanOutputTokens: 100 }),
      makeSweepStep({ offeredRatePerSec: 3, meanInputTokens: 500, meanOutputTokens: 300 }),
    ];
    const [curve] = curvesFromSweeps([{ source: 'x', summary: makeSweepSummary({ steps }) }], 'model');
    expect(measuredMix(curve!)).toEqual({ meanInputTokens: 400, meanOutputTokens: 250 });
  });
});
