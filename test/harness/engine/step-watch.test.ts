import { describe, expect, it } from 'vitest';
import { brokenStep } from '../../../harness/engine/step-watch.ts';
import { Recorder } from '../../../harness/metrics/recorder.ts';
import type { RequestSample, SloSpec } from '../../../harness/results/schema.ts';

function sample(
  phase: string,
  ttftMs: number,
  errorClass: string | null = null,
  tokenGapsMs: number[] = [],
): RequestSample {
  return {
    scheduledAtMs: 0,
    sentAtMs: 0,
    firstByteMs: errorClass ? null : 1,
    firstTokenMs: errorClass ? null : ttftMs,
    tokenGapsMs,
    endMs: ttftMs + 100,
    inputTokens: 1,
    outputTokens: 1,
    tokenSource: 'usage',
    status: errorClass ? 503 : 200,
    errorClass,
    degraded: false,
    tenant: null,
    session: null,
    turn: null,
    replica: null,
    phase,
  };
}

/** A recorder whose sweep steps `names` were started, and the verdict on one of them. */
function sweep(slo: SloSpec, names: readonly string[]) {
  const recorder = new Recorder({ slo });
  for (const name of names) recorder.setPhase(name, 0, { offeredRatePerSec: 10, targetConcurrency: null });
  return { recorder, broken: (name: string) => brokenStep(name, recorder.stepAggregate(name), slo) };
}

describe('brokenStep', () => {
  it('breaks a step on its TTFT percentile, its error rate, or its drops', () => {
    const { recorder: r, broken } = sweep({ ttftMs: 500, percentile: 90, maxErrorRate: 0.1 }, [
      'fast',
      'slow',
      'failing',
      'dropping',
    ]);
    for (let i = 0; i < 10; i++) r.record(sample('fast', 100 + i));
    for (let i = 0; i < 10; i++) r.record(sample('slow', i < 8 ? 100 : 900));
    for (let i = 0; i < 10; i++) r.record(sample('failing', 100, i < 2 ? 'http_5xx' : null));
    for (let i = 0; i < 10; i++) r.record(sample('dropping', 100));
    r.recordDropped(0, 1, 'dropping');
    expect(broken('fast')).toBeNull();
    expect(broken('slow')).toBe('slow: TTFT p90 900 ms > 500 ms');
    expect(broken('failing')).toBe('failing: error rate 20.0% > 10.0%');
    expect(broken('dropping')).toMatch(/^dropping: 9\.1% of iterations dropped/);
    expect(broken('unknown')).toBeNull();
  });

  it('breaks a step on its ITL percentile, as the report judges steps', () => {
    const { recorder: r, broken } = sweep({ itlMs: 40, percentile: 95 }, ['smooth', 'stuttering']);
    for (let i = 0; i < 10; i++) r.record(sample('smooth', 100, null, [20, 25, 30]));
    for (let i = 0; i < 10; i++) r.record(sample('stuttering', 100, null, [20, 25, 90]));
    expect(broken('smooth')).toBeNull();
    expect(broken('stuttering')).toBe('stuttering: ITL p95 90 ms > 40 ms');
  });

  it('counts degraded answers as failures of the step, however fast they came', () => {
    const { recorder: r, broken } = sweep({ e2eMs: 500, percentile: 95, maxErrorRate: 0.05 }, ['fallbacks']);
    for (let i = 0; i < 10; i++) r.record({ ...sample('fallbacks', 50), degraded: i < 3 });
    expect(broken('fallbacks')).toBe('fallbacks: error rate 30.0% > 5.0%');
  });

  it('judges only sweep steps, not plain phases', () => {
    const slo: SloSpec = { percentile: 95, maxErrorRate: 0 };
    const recorder = new Recorder({ slo });
    recorder.setPhase('fault', 0);
    recorder.record(sample('fault', 100, 'http_5xx'));
    expect(recorder.stepAggregate('fault')).toBeNull();
    expect(brokenStep('fault', recorder.stepAggregate('fault'), slo)).toBeNull();
    // The same failure in a sweep step breaks it: the null above is the phase kind, not the data.
    const { recorder: r, broken } = sweep(slo, ['step-0']);
    r.record(sample('step-0', 100, 'http_5xx'));
    expect(broken('step-0')).toBe('step-0: error rate 100.0% > 0.0%');
  });
});
