import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../harness/engine/rng.ts';
import { parseRetryAfterMs, retryDelayMs } from '../../../../reference-service/agent/resilience/retry.ts';

const policy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

describe('retryDelayMs', () => {
  it('draws full jitter below the capped exponential', () => {
    expect(retryDelayMs(policy, 0, null, () => 0.999)).toBeCloseTo(99.9);
    expect(retryDelayMs(policy, 1, null, () => 0.5)).toBe(100);
    expect(retryDelayMs({ ...policy, maxAttempts: 10 }, 8, null, () => 1)).toBe(1_000);
  });

  it('never comes back earlier than Retry-After asks, and spreads clients out after it', () => {
    expect(retryDelayMs(policy, 0, 2_000, () => 0)).toBe(2_000);
    expect(retryDelayMs(policy, 0, 2_000, () => 0.5)).toBe(2_050);
  });

  it('gives up when attempts are spent or Retry-After is longer than it will wait', () => {
    expect(retryDelayMs(policy, 2, null, () => 0.5)).toBeNull();
    expect(retryDelayMs(policy, 0, 6_000, () => 0.5)).toBeNull();
  });

  it('spreads the delays of clients retrying together', () => {
    const delays = Array.from({ length: 50 }, (_, i) => retryDelayMs(policy, 1, null, mulberry32(i + 1))!);
    const buckets = new Set(delays.map((d) => Math.floor(d / 20)));
    expect(buckets.size).toBeGreaterThan(5);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads delta seconds and HTTP dates', () => {
    expect(parseRetryAfterMs('2', 0)).toBe(2_000);
    expect(parseRetryAfterMs('0.5', 0)).toBe(500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfterMs('Wed, 01 Jan 2025 00:00:03 GMT', now)).toBe(3_000);
  });

  it('returns null for absent or unreadable values', () => {
    expect(parseRetryAfterMs(null, 0)).toBeNull();
    expect(parseRetryAfterMs('soon', 0)).toBeNull();
  });
});
