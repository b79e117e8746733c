import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../harness/metrics/recorder.ts';
import { parseThresholds } from '../../../harness/metrics/thresholds.ts';
import type { RequestSample } from '../../../harness/results/schema.ts';
import { RUN, expectHdr, handBuiltStream, makeFailure, makeSample } from './factories.ts';

function recordStream(recorder: Recorder): void {
  for (const s of handBuiltStream()) recorder.record(s);
  recorder.recordDropped(2800, 2);
}

describe('Recorder', () => {
  const slo = { ttftMs: 250, itlMs: 28, e2eMs: 500, percentile: 95 };

  it('computes counts, rates and goodput of a hand-built stream exactly', () => {
    const recorder = new Recorder({ slo });
    recordStream(recorder);
    const { summary } = recorder.finish({ endMs: 4000, run: RUN });
    expect(summary.run.durationSec).toBe(4);
    expect(summary.counts).toEqual({
      requests: 5,
      completed: 4,
      failed: 1,
      dropped: 2,
      degraded: 1,
      inputTokens: 40,
      outputTokens: 12,
      tokensFromUsage: 6,
      tokensCounted: 6,
      turnsAcknowledged: 1,
      turnsLost: null,
      goodRequests: 2,
      contentChunks: 12,
    });
    expect(summary.rates).toEqual({
      requestsPerSec: 1.25,
      completedPerSec: 1,
      outputTokensPerSec: 3,
      errorRate: 0.2,
      goodputPerSec: 0.5,
    });
    expect(summary.errors).toEqual({ http_5xx: 1 });
  });

  it('measures TTFT, ITL, TPOT, E2E and first byte from the scheduled time, over completed requests', () => {
    const recorder = new Recorder({ slo });
    recordStream(recorder);
    const m = recorder.finish({ endMs: 4000, run: RUN }).summary.metrics;
    expect(m.ttftMs.stats).toMatchObject({ count: 4, min: 100, max: 300, mean: 175 });
    expectHdr(m.ttftMs.stats.p50, 100);
    expectHdr(m.ttftMs.stats.p95, 300);
    expect(m.itlMs.stats).toMatchObject({ count: 8, min: 10, max: 50, mean: 190 / 8 });
    expectHdr(m.itlMs.stats.p50, 20);
    expect(m.tpotMs.stats).toMatchObject({ count: 3, min: 25, max: 100, mean: 155 / 3 });
    expect(m.e2eMs.stats).toMatchObject({ count: 4, min: 150, max: 450, mean: 252.5 });
    expect(m.firstByteMs.stats).toMatchObject({ count: 4, min: 40, max: 200, mean: 97.5 });
    expect(m.scheduleLagMs.stats).toMatchObject({ count: 5, min: 0, max: 2, mean: 0.6 });
  });

  it('counts every completed request as goodput when no SLO target is set, except degraded ones', () => {
    const recorder = new Recorder();
    recordStream(recorder);
    expect(recorder.finish({ endMs: 4000, run: RUN }).summary.counts.goodRequests).toBe(3);
  });

  it('judges thresholds at the end into ThresholdResult[], failing metrics that had no data', () => {
    const thresholds = parseThresholds({
      ttft_ms: ['p(95)<1500', 'avg<100'],
      http_req_failed: ['rate<0.25'],
      dropped_iterations: ['count<1'],
      turns_lost: ['count==0'],
      goodput_per_sec: ['value>=0.5'],
    });
    const recorder = new Recorder({ slo, thresholds });
    recordStream(recorder);
    const results = recorder.finish({ endMs: 4000, run: RUN }).summary.thresholds;
    const byExpr = Object.fromEntries(results.map((r) => [`${r.metric} ${r.expression}`, r]));
    expect(byExpr['ttft_ms p(95)<1500']!.ok).toBe(true);
    expect(byExpr['ttft_ms avg<100']).toMatchObject({ ok: false, actual: 175 });
    expect(byExpr['http_req_failed rate<0.25']).toMatchObject({ ok: true, actual: 0.2 });
    expect(byExpr['dropped_iterations count<1']).toMatchObject({ ok: false, actual: 2 });
    expect(byExpr['turns_lost count==0']).toMatchObject({ ok: false, actual: null });
    expect(byExpr['goodput_per_sec value>=0.5']).toMatchObject({ ok: true, actual: 0.5 });
  });

  it('passes the audited turns_lost count through to the summary and thresholds', () => {
    const recorder = new Recorder({ thresholds: parseThresholds({ turns_lost: ['count==0'] }) });
    recordStream(recorder);
    const { summary } = recorder.finish({ endMs: 4000, run: RUN, turnsLost: 0 });
    expect(summary.counts.turnsLost).toBe(0);
    expect(summary.thresholds[0]).toMatchObject({ ok: true, actual: 0 });
  });

  it('asks the runner to abort only after delayAbortEval, and marks the threshold failedLive', () => {
    const thresholds = parseThresholds({
      http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '2s' }],
      e2e_ms: ['p(95)<100'],
    });
    const recorder = new Recorder({ thresholds });
    expect(recorder.checkThresholds(500)).toEqual([]);
    recorder.record(makeFailure(100));
    expect(recorder.checkThresholds(1000)).toEqual([]);
    const abort = recorder.checkThresholds(2000);
    expect(abort.map((v) => [v.spec.metric, v.actual])).toEqual([['http_req_failed', 1]]);
    for (let i = 0; i < 20; i++)
      recorder.record(
        makeSample({ scheduledAtMs: 2000 + i, sentAtMs: 2000 + i, firstTokenMs: 2050 + i, endMs: 2060 + i }),
      );
    const { summary } = recorder.finish({ endMs: 3000, run: RUN });
    expect(summary.thresholds.map((t) => [t.metric, t.ok, t.failedLive])).toEqual([
      ['http_req_failed', true, true],
      ['e2e_ms', true, false],
    ]);
  });

  it('counts degraded answers as failed in a sweep step, and as completed (and degraded) in a phase', () => {
    const recorder = new Recorder({ slo: { e2eMs: 1000, percentile: 95 } });
    const fast = (atMs: number, degraded: boolean, phase: string): RequestSample =>
      makeSample({
        scheduledAtMs: atMs,
        sentAtMs: atMs,
        firstTokenMs: atMs + 100,
        endMs: atMs + 190,
        degraded,
        phase,
      });
    recorder.setPhase('warm', 0);
    for (let i = 0; i < 4; i++) recorder.record(fast(i * 10, i < 1, 'warm'));
    recorder.setPhase('step-1', 1000, { offeredRatePerSec: 4, targetConcurrency: null });
    // Slow full answers and fast fallbacks: the fallbacks must not pull the step's E2E under the SLO.
    for (let i = 0; i < 4; i++) {
      recorder.record(
        makeSample({ scheduledAtMs: 1000, sentAtMs: 1000, firstTokenMs: 1100, endMs: 3000, phase: 'step-1' }),
      );
      recorder.record(fast(1000 + i, true, 'step-1'));
    }
    const { summary } = recorder.finish({ endMs: 2000, run: RUN });
    const step = summary.steps.find((s) => s.name === 'step-1')!;
    expect(step).toMatchObject({ requests: 8, completed: 4, failed: 4, degraded: 4, errorRate: 0.5 });
    expect(step.achievedRatePerSec).toBe(4);
    expect(step.e2eMs.count).toBe(4);
    expectHdr(step.e2eMs.p50, 2000);
    const phase = summary.phases.find((p) => p.name === 'warm')!;
    expect(phase).toMatchObject({ requests: 4, completed: 4, failed: 0, degraded: 1 });
  });

  it('gives a live snapshot of the run so far', () => {
    const recorder = new Recorder();
    recordStream(recorder);
    recorder.setPhase('steady', 0);
    const live = recorder.snapshot(3000);
    expect(live).toMatchObject({
      elapsedSec: 3,
      phase: 'steady',
      requests: 5,
      completed: 4,
      failed: 1,
      dropped: 2,
      errorRate: 0.2,
    });
    expect(live.lastSecondFinished).toBe(2);
    expect(live.outputTokensPerSec).toBe(4);
    expectHdr(live.ttftP95Ms, 300);
  });

  it('rejects a malformed sample naming every bad field, and refuses samples after finish', () => {
    const recorder = new Recorder();
    const bad = { ...makeSample(), endMs: Number.NaN, outputTokens: -1 } as RequestSample;
    expect(() => recorder.record(bad)).toThrow(
      /endMs must be a finite number.*outputTokens must be a non-negative integer/,
    );
    recorder.finish({ endMs: 1000, run: RUN });
    expect(() => recorder.record(makeSample())).toThrow(expect.objectContaining({ code: 'AL_HARNESS' }));
  });

  it('passes every sample on to onSample (the samples file)', () => {
    const seen: RequestSample[] = [];
    const recorder = new Recorder({ onSample: (s) => seen.push(s) });
    recordStream(recorder);
    expect(seen).toHaveLength(5);
  });

  it('judges the generator invalid when schedule lag p99 exceeds the limit, with the reason', () => {
    const recorder = new Recorder();
    for (let i = 0; i < 10; i++)
      recorder.record(
        makeSample({
          scheduledAtMs: i * 100,
          sentAtMs: i * 100 + 80,
          firstTokenMs: i * 100 + 150,
          endMs: i * 100 + 200,
        }),
      );
    const { generator } = recorder.finish({
      endMs: 2000,
      run: RUN,
      generator: { eventLoopDelayP99Ms: 3, cpuPercent: 40 },
    }).summary;
    expect(generator.valid).toBe(false);
    expect(generator.reasons).toHaveLength(1);
    expect(generator.reasons[0]).toMatch(/^schedule lag p99 80 ms > 50 ms \(10 requests over it\)/);
    expect(generator.cpuPercent).toBe(40);
  });

  it('keeps a short run valid when only two requests left late (one stall, not saturation)', () => {
    const recorder = new Recorder();
    for (let i = 0; i < 45; i++) {
      const lagMs = i < 2 ? 61 : 3;
      recorder.record(
        makeSample({
          scheduledAtMs: i * 100,
          sentAtMs: i * 100 + lagMs,
          firstTokenMs: i * 100 + 150,
          endMs: i * 100 + 200,
        }),
      );
    }
    const { generator } = recorder.finish({ endMs: 5000, run: RUN }).summary;
    expect(generator.scheduleLagP99Ms).toBeGreaterThan(50);
    expect(generator.valid).toBe(true);
  });
});
