import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type BreakerState } from '../../../../reference-service/agent/resilience/breaker.ts';

function makeBreaker(overrides: Partial<ConstructorParameters<typeof CircuitBreaker>[0]> = {}) {
  const clock = { nowMs: 0 };
  const changes: BreakerState[] = [];
  const breaker = new CircuitBreaker({
    windowMs: 10_000,
    minVolume: 4,
    failureThresholdPct: 50,
    openMs: 5_000,
    nowMs: () => clock.nowMs,
    onStateChange: (s) => changes.push(s),
    ...overrides,
  });
  return { breaker, clock, changes };
}

describe('CircuitBreaker', () => {
  it('stays closed below the minimum volume even when every call fails', () => {
    const { breaker } = makeBreaker();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    expect(breaker.state).toBe('closed');
  });

  it('opens once the failure share in the window reaches the threshold', () => {
    const { breaker } = makeBreaker();
    breaker.recordSuccess();
    breaker.recordSuccess();
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('forgets outcomes older than the window', () => {
    const { breaker, clock } = makeBreaker();
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordFailure();
    clock.nowMs = 11_000;
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
  });

  it('lets exactly one probe through when half-open, and closes when it succeeds', () => {
    const { breaker, clock, changes } = makeBreaker();
    for (let i = 0; i < 4; i++) breaker.recordFailure();
    clock.nowMs = 4_999;
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.retryAfterMs).toBe(1);
    clock.nowMs = 5_000;
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('reopens for another full period when the probe fails', () => {
    const { breaker, clock } = makeBreaker();
    for (let i = 0; i < 4; i++) breaker.recordFailure();
    clock.nowMs = 5_000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    clock.nowMs = 9_999;
    expect(breaker.tryAcquire()).toBe(false);
    clock.nowMs = 10_000;
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('frees the probe slot when the probe is abandoned', () => {
    const { breaker, clock } = makeBreaker();
    for (let i = 0; i < 4; i++) breaker.recordFailure();
    clock.nowMs = 5_000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordIgnored();
    expect(breaker.tryAcquire()).toBe(true);
  });
});
