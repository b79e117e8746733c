import { describe, expect, it } from 'vitest';
import { recoverySec } from '../../../harness/metrics/phases.ts';
import { Recorder } from '../../../harness/metrics/recorder.ts';
import { emptyTimeseriesPoint } from '../../../harness/metrics/timeseries.ts';
import type { TimeseriesPoint } from '../../../harness/results/schema.ts';
import { RUN, expectHdr, makeFailure, makeSample } from './factories.ts';

/** One point per second from [completed, failed] pairs. */
function points(pairs: [number, number][]): TimeseriesPoint[] {
  return pairs.map(([completed, failed], tSec) => ({
    ...emptyTimeseriesPoint(tSec),
    requests: completed + failed,
    completed,
    failed,
  }));
}

const bar = { errorRateBar: 0.1, holdSec: 3 };

describe('recoverySec', () => {
  it('is 0 when the error rate never went over the bar', () => {
    expect(
      recoverySec(
        points([
          [10, 0],
          [9, 1],
          [10, 0],
        ]),
        0,
        3,
        bar,
      ),
    ).toBe(0);
  });

  it('is the time from the phase start until errors stay under the bar for 3 seconds', () => {
    const series = points([
      [10, 0],
      [10, 0],
      [0, 10],
      [2, 8],
      [10, 0],
      [10, 0],
      [10, 0],
      [10, 0],
    ]);
    expect(recoverySec(series, 1, 3, bar)).toBe(3);
  });

  it('does not count a short dip under the bar as recovered', () => {
    const series = points([
      [0, 10],
      [10, 0],
      [0, 10],
      [10, 0],
      [10, 0],
      [10, 0],
    ]);
    expect(recoverySec(series, 0, 1, bar)).toBe(3);
  });

  it('treats seconds with nothing finished as no evidence, needing one request in the hold window', () => {
    expect(
      recoverySec(
        points([
          [0, 5],
          [0, 0],
          [0, 0],
          [0, 0],
          [3, 0],
        ]),
        0,
        1,
        bar,
      ),
    ).toBe(2);
    expect(
      recoverySec(
        points([
          [0, 5],
          [0, 0],
          [0, 0],
          [0, 0],
        ]),
        0,
        1,
        bar,
      ),
    ).toBeNull();
  });

  it('ignores errors that start only after the phase ended', () => {
    expect(
      recoverySec(
        points([
          [10, 0],
          [10, 0],
          [0, 10],
          [10, 0],
        ]),
        0,
        2,
        bar,
      ),
    ).toBe(0);
  });

  it('is null when the errors never fall back under the bar', () => {
    expect(
      recoverySec(
        points([
          [10, 0],
          [0, 10],
          [1, 9],
          [1, 9],
        ]),
        0,
        4,
        bar,
      ),
    ).toBeNull();
  });

  it('measures from a phase start inside a second', () => {
    expect(
      recoverySec(
        points([
          [0, 10],
          [10, 0],
          [10, 0],
          [10, 0],
        ]),
        0.5,
        1,
        bar,
      ),
    ).toBe(0.5);
  });
});

describe('phases and sweep steps', () => {
  it('summarizes each phase from the requests scheduled in it, with its own recovery', () => {
    const recorder = new Recorder({ recovery: { errorRateBar: 0.2, holdSec: 2 } });
    recorder.setPhase('steady', 0);
    recorder.record(
      makeSample({ phase: 'steady', scheduledAtMs: 100, sentAtMs: 100, firstTokenMs: 200, endMs: 400 }),
    );
    recorder.setPhase('outage', 1000);
    recorder.record(makeFailure(1100, 'connect', { phase: 'outage' }));
    recorder.record(makeFailure(1200, 'connect', { phase: 'outage' }));
    recorder.recordDropped(1500, 4);
    recorder.record(
      makeSample({
        phase: 'outage',
        scheduledAtMs: 1900,
        sentAtMs: 1900,
        firstTokenMs: 2050,
        endMs: 2300,
        degraded: true,
      }),
    );
    recorder.setPhase('after', 3000);
    recorder.record(
      makeSample({ phase: 'after', scheduledAtMs: 3100, sentAtMs: 3100, firstTokenMs: 3200, endMs: 3300 }),
    );
    recorder.record(
      makeSample({ phase: 'after', scheduledAtMs: 4100, sentAtMs: 4100, firstTokenMs: 4200, endMs: 4300 }),
    );
    const { phases, steps } = recorder.finish({ endMs: 5000, run: RUN }).summary;
    expect(steps).toEqual([]);
    expect(
      phases.map((p) => [
        p.name,
        p.startSec,
        p.endSec,
        p.requests,
        p.completed,
        p.failed,
        p.degraded,
        p.dropped,
        p.errorRate,
        p.recoverySec,
      ]),
    ).toEqual([
      ['steady', 0, 1, 1, 1, 0, 0, 0, 0, 0],
      ['outage', 1, 3, 3, 1, 2, 1, 4, 2 / 3, 1],
      ['after', 3, 5, 2, 2, 0, 0, 0, 0, 0],
    ]);
    expectHdr(phases[1]!.ttftP95Ms, 150);
    expectHdr(phases[1]!.e2eP95Ms, 400);
  });

  it('turns phases with a step load into sweep steps with rates over the step window', () => {
    const recorder = new Recorder({ slo: { e2eMs: 300, percentile: 95 } });
    recorder.setPhase('rate-2', 0, { offeredRatePerSec: 2, targetConcurrency: null });
    for (const at of [0, 500, 1000, 1500]) {
      recorder.record(
        makeSample({
          phase: 'rate-2',
          scheduledAtMs: at,
          sentAtMs: at,
          firstTokenMs: at + 100,
          endMs: at + 200,
          inputTokens: 20,
          outputTokens: 5,
        }),
      );
    }
    recorder.setPhase('rate-4', 2000, { offeredRatePerSec: 4, targetConcurrency: null });
    recorder.record(
      makeSample({ phase: 'rate-4', scheduledAtMs: 2000, sentAtMs: 2000, firstTokenMs: 2300, endMs: 2400 }),
    );
    recorder.record(makeFailure(2100, 'http_429', { phase: 'rate-4' }));
    recorder.recordDropped(2200, 2);
    const { steps, phases } = recorder.finish({ endMs: 4000, run: RUN }).summary;
    expect(phases).toEqual([]);
    const [s1, s2] = steps;
    expect(s1).toMatchObject({
      name: 'rate-2',
      offeredRatePerSec: 2,
      durationSec: 2,
      requests: 4,
      completed: 4,
      failed: 0,
      dropped: 0,
      achievedRatePerSec: 2,
      goodputPerSec: 2,
      outputTokensPerSec: 10,
      meanInFlight: 0.4,
      meanInputTokens: 20,
      meanOutputTokens: 5,
      errorRate: 0,
    });
    expect(s1!.e2eMs).toMatchObject({ count: 4, mean: 200 });
    expect(s1!.itlMs.count).toBe(16);
    expect(s2).toMatchObject({
      name: 'rate-4',
      offeredRatePerSec: 4,
      requests: 2,
      completed: 1,
      failed: 1,
      dropped: 2,
      goodputPerSec: 0,
      errorRate: 0.5,
    });
    expect(s2!.histograms?.e2eMs.moments?.count).toBe(1);
  });

  it('keeps a sweep step a step when its first drop was counted before the step started', () => {
    const recorder = new Recorder({ slo: { percentile: 95 } });
    recorder.recordDropped(1000, 1, 'rate-8');
    recorder.setPhase('rate-8', 1000, { offeredRatePerSec: 8, targetConcurrency: null });
    const at = (ms: number) => ({ scheduledAtMs: ms, sentAtMs: ms, firstTokenMs: ms + 100, endMs: ms + 190 });
    recorder.record(makeSample({ phase: 'rate-8', ...at(1000) }));
    recorder.record(makeSample({ phase: 'rate-8', ...at(1100), degraded: true }));
    expect(recorder.stepAggregate('rate-8')).not.toBeNull();
    const { steps, phases } = recorder.finish({ endMs: 2000, run: RUN }).summary;
    expect(phases).toEqual([]);
    expect(steps[0]).toMatchObject({ name: 'rate-8', dropped: 1, completed: 1, failed: 1, degraded: 1 });
    expect(steps[0]!.itlMs.count).toBe(4);
  });

  it('refuses to start a phase name twice', () => {
    const recorder = new Recorder();
    recorder.setPhase('a', 0);
    recorder.setPhase('b', 10);
    expect(() => recorder.setPhase('a', 20)).toThrow(/started twice/);
  });
});
