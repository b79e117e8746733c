import { describe, expect, it } from 'vitest';
import { formatResetMs, rateLimitHeaders } from '../../../reference-service/agent/rate-limit.ts';
import { bucketState } from '../../../reference-service/agent/store/token-bucket.ts';
import type { AdmitResult } from '../../../reference-service/agent/store/types.ts';

function makeAdmit(overrides: Partial<AdmitResult> = {}): AdmitResult {
  return {
    allowed: true,
    requests: bucketState(59, 60, 0),
    tokens: bucketState(90_000, 100_000, 0),
    ...overrides,
  };
}

describe('rateLimitHeaders', () => {
  it('sends OpenAI-style and IETF-style headers on an admitted turn', () => {
    const h = rateLimitHeaders(makeAdmit());
    expect(h['x-ratelimit-limit-requests']).toBe('60');
    expect(h['x-ratelimit-remaining-requests']).toBe('59');
    expect(h['x-ratelimit-remaining-tokens']).toBe('90000');
    // 10 000 tokens at 100 000/min take 6 s to refill.
    expect(h['x-ratelimit-reset-tokens']).toBe('6s');
    expect(h['x-ratelimit-reset-requests']).toBe('1s');
    expect(h['ratelimit-policy']).toBe('60;w=60;comment="requests", 100000;w=60;comment="tokens"');
    expect(h['ratelimit-limit']).toBe('100000');
    expect(h['retry-after']).toBeUndefined();
  });

  it('names the dimension that ran out and makes RateLimit-Reset equal Retry-After on a rejection', () => {
    const h = rateLimitHeaders(
      makeAdmit({
        allowed: false,
        requests: bucketState(30, 60, 1),
        tokens: bucketState(100, 100_000, 2_100),
      }),
    );
    // 2 000 missing tokens at 100 000/min: 1.2 s, rounded up.
    expect(h['retry-after']).toBe('2');
    expect(h['ratelimit-reset']).toBe('2');
    expect(h['ratelimit-limit']).toBe('100000');
    expect(h['ratelimit-remaining']).toBe('100');
  });

  it('never reports negative remaining quota', () => {
    const h = rateLimitHeaders(makeAdmit({ allowed: false, tokens: bucketState(-500, 100_000, 10) }));
    expect(h['x-ratelimit-remaining-tokens']).toBe('0');
  });
});

describe('formatResetMs', () => {
  it('writes durations the way OpenAI does', () => {
    expect(formatResetMs(20)).toBe('20ms');
    expect(formatResetMs(1_000)).toBe('1s');
    expect(formatResetMs(360_000)).toBe('6m0s');
    expect(formatResetMs(61_500)).toBe('1m2s');
  });
});
