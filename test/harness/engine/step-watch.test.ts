import { describe, expect, it } from 'vitest';
import { percentile, StepWatch } from '../../../harness/engine/step-watch.ts';
import type { RequestSample } from '../../../harness/results/schema.ts';

function sample(phase: string, ttftMs: number, errorClass: string | null = null): RequestSample {
  return {
    scheduledAtMs: 0,
    sentAtMs: 0,
    firstByteMs: errorClass ? null : 1,
    firstTokenMs: errorClass ? null : ttftMs,
    tokenGapsMs: [],
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

describe('StepWatch', () => {
  it('breaks a step on its TTFT percentile, its error rate, or its drops', () => {
    const w = new StepWatch({ ttftMs: 500, percentile: 90, maxErrorRate: 0.1 });
    for (let i = 0; i < 10; i++) w.add(sample('fast', 100 + i));
    for (let i = 0; i < 10; i++) w.add(sample('slow', i < 8 ? 100 : 900));
    for (let i = 0; i < 10; i++) w.add(sample('failing', 100, i < 2 ? 'http_5xx' : null));
    for (let i = 0; i < 10; i++) w.add(sample('dropping', 100));
    w.addDropped('dropping');
    expect(w.broken('fast')).toBeNull();
    expect(w.broken('slow')).toBe('slow: TTFT p90 900 ms > 500 ms');
    expect(w.broken('failing')).toBe('failing: error rate 20.0% > 10.0%');
    expect(w.broken('dropping')).toMatch(/^dropping: 9\.1% of iterations dropped/);
    expect(w.broken('unknown')).toBeNull();
  });

  it('counts degraded answers as failures of the step, however fast they came', () => {
    const w = new StepWatch({ e2eMs: 500, percentile: 95, maxErrorRate: 0.05 });
    for (let i = 0; i < 10; i++) w.add({ ...sample('fallbacks', 50), degraded: i < 3 });
    expect(w.broken('fallbacks')).toBe('fallbacks: error rate 30.0% > 5.0%');
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 100)).toBe(5);
    expect(percentile([7], 95)).toBe(7);
  });
});
