import { expect } from 'vitest';
import type { FinishInput } from '../../../harness/metrics/recorder.ts';
import { unknownStack, type RequestSample } from '../../../harness/results/schema.ts';

/** A completed 5-token streamed request scheduled at 0: TTFT 100, gaps of 20, E2E 190. */
export function makeSample(overrides: Partial<RequestSample> = {}): RequestSample {
  return {
    scheduledAtMs: 0,
    sentAtMs: 0,
    firstByteMs: 50,
    firstTokenMs: 100,
    tokenGapsMs: [20, 20, 20, 20],
    endMs: 190,
    inputTokens: 10,
    outputTokens: 5,
    tokenSource: 'usage',
    status: 200,
    errorClass: null,
    degraded: false,
    tenant: 't1',
    session: null,
    turn: null,
    replica: null,
    phase: null,
    ...overrides,
  };
}

/** A failed request (no response body) scheduled at `atMs`. */
export function makeFailure(
  atMs: number,
  errorClass = 'http_5xx',
  overrides: Partial<RequestSample> = {},
): RequestSample {
  return makeSample({
    scheduledAtMs: atMs,
    sentAtMs: atMs,
    firstByteMs: null,
    firstTokenMs: null,
    tokenGapsMs: [],
    endMs: atMs + 10,
    outputTokens: 0,
    status: errorClass === 'timeout' || errorClass === 'connect' ? 0 : 503,
    errorClass,
    ...overrides,
  });
}

/**
 * HDR percentiles are the highest value equivalent to the true nearest-rank value: at most 1/1024
 * above it (3 significant digits), with values first rounded to the microsecond (so up to 0.5 us
 * either way for sub-ms values).
 */
export function expectHdr(actual: number | null, exact: number): void {
  expect(actual).not.toBeNull();
  const upper = Math.max(exact * (1 + 1 / 1024), exact) + 0.0005;
  expect(actual!).toBeGreaterThanOrEqual(exact - 0.0005 - 1e-9);
  expect(actual!).toBeLessThanOrEqual(upper + 1e-9);
}

export const RUN: FinishInput['run'] = {
  id: 'run-1',
  scenario: 'unit',
  seed: 7,
  startedAt: '2026-11-27T08:00:00.000Z',
  endedAt: '2026-11-27T08:00:04.000Z',
  target: 'http://127.0.0.1:1',
  stack: unknownStack('external'),
  versions: { agentload: '0.1.0', node: 'v20' },
  segment: null,
  source: 'agentload',
};

/** Five requests and two drops whose every figure is worked out by hand in the test below. */
export function handBuiltStream(): RequestSample[] {
  return [
    // A: TTFT 100, TPOT (150-100)/(3-1)=25, E2E 150, first byte 40, lag 2; meets the SLO
    makeSample({
      scheduledAtMs: 0,
      sentAtMs: 2,
      firstByteMs: 40,
      firstTokenMs: 100,
      tokenGapsMs: [10, 30],
      endMs: 150,
      outputTokens: 3,
      turn: 1,
    }),
    // B: TTFT 300 (> 250: misses), TPOT 150/5=30, E2E 450, counted tokens
    makeSample({
      scheduledAtMs: 1000,
      sentAtMs: 1000,
      firstByteMs: 1200,
      firstTokenMs: 1300,
      tokenGapsMs: [20, 20, 20, 20, 20],
      endMs: 1450,
      outputTokens: 6,
      tokenSource: 'counted',
    }),
    // C: failed, lag 1
    makeFailure(1500, 'http_5xx', { sentAtMs: 1501, endMs: 1600, turn: 2 }),
    // D: one token: TTFT 200, no TPOT, E2E 210; meets the SLO
    makeSample({
      scheduledAtMs: 2000,
      sentAtMs: 2000,
      firstByteMs: 2100,
      firstTokenMs: 2200,
      tokenGapsMs: [],
      endMs: 2210,
      outputTokens: 1,
    }),
    // E: degraded: TTFT 100, TPOT 100, E2E 200; never goodput
    makeSample({
      scheduledAtMs: 2500,
      sentAtMs: 2500,
      firstByteMs: 2550,
      firstTokenMs: 2600,
      tokenGapsMs: [50],
      endMs: 2700,
      outputTokens: 2,
      degraded: true,
    }),
  ];
}
