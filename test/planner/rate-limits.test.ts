import { describe, expect, it } from 'vitest';
import {
  checkHostedQuota,
  gcraParams,
  globalLimits,
  tenantLimits,
  tokenBucket,
  type GcraParams,
} from '../../planner/rate-limits.ts';

/** ITU-T I.371 virtual scheduling: admits when t >= TAT - tau, then TAT = max(TAT, t) + T. */
function admitted(params: GcraParams, arrivalsMs: readonly number[]): boolean[] {
  let tat = 0;
  return arrivalsMs.map((t) => {
    if (t < tat - params.toleranceMs) return false;
    tat = Math.max(tat, t) + params.emissionIntervalMs;
    return true;
  });
}

describe('gcraParams', () => {
  it('derives T = 60000 / RPM and tau = (burst - 1) T', () => {
    expect(gcraParams(600, 5)).toEqual({ emissionIntervalMs: 100, toleranceMs: 400, burst: 5 });
  });

  it('lets exactly `burst` requests through at once, then one per emission interval', () => {
    const p = gcraParams(600, 5);
    expect(admitted(p, [0, 0, 0, 0, 0, 0])).toEqual([true, true, true, true, true, false]);
    // after the burst the next slot opens at TAT - tau = 500 - 400 = 100 ms
    expect(admitted(p, [0, 0, 0, 0, 0, 99, 100])).toEqual([true, true, true, true, true, false, true]);
  });
});

describe('tokenBucket', () => {
  it('holds the burst and refills at the per-second rate', () => {
    expect(tokenBucket(120, 4)).toEqual({ capacity: 4, refillPerSec: 2 });
  });
});

describe('globalLimits and tenantLimits', () => {
  const mix = { meanInputTokens: 1000, meanOutputTokens: 200, prefillCostRatio: 0.1 };
  const global = globalLimits(10, 2, 16, mix);

  it('derives fleet RPM and TPM from replicas after failure x goodput', () => {
    expect(global.requestsPerMin).toBe(1200);
    expect(global.tokensPerMin).toBe(1200 * 1200);
    // kappa in + out = 100 + 200
    expect(global.decodeEquivalentTokensPerMin).toBe(1200 * 300);
    expect(global.concurrency).toBe(160);
  });

  it('splits by normalised shares and prices each tenant by its own mix', () => {
    const [a, b] = tenantLimits(
      global,
      [
        { name: 'a', share: 3 },
        { name: 'b', share: 1, meanInputTokens: 0, meanOutputTokens: 100 },
      ],
      mix,
      1,
    );
    expect(a!.requestsPerMin).toBe(900);
    // b: 0.25 x 360000 / (0 + 100)
    expect(b!.requestsPerMin).toBe(900);
    expect(a!.concurrency).toBe(120);
    expect(a!.gcra).toEqual(gcraParams(900, 120));
  });

  it('scales every tenant by the oversubscription factor', () => {
    const [a] = tenantLimits(global, [{ name: 'a', share: 1 }], mix, 1.5);
    expect(a!.requestsPerMin).toBe(1800);
  });
});

describe('checkHostedQuota', () => {
  it('finds the binding limit and the highest sustainable rate', () => {
    const check = checkHostedQuota(
      { name: 'tier', requestsPerMin: 500, tokensPerMin: 300_000 },
      10,
      500,
      200,
    );
    // needs 600 RPM and 600 x 700 = 420000 TPM
    expect(check.ok).toBe(false);
    expect(check.binding).toBe('tokensPerMin');
    expect(check.lines.find((l) => l.limit === 'requestsPerMin')!.needed).toBe(600);
    expect(check.maxRatePerSec).toBeCloseTo(Math.min(500 / 60, 300_000 / (60 * 700)), 12);
  });

  it('charges max_tokens at admission when given', () => {
    const check = checkHostedQuota(
      { name: 'tier', requestsPerMin: 10_000, outputTokensPerMin: 100_000, maxTokens: 1000 },
      1,
      500,
      200,
    );
    expect(check.lines.find((l) => l.limit === 'outputTokensPerMin')!.needed).toBe(60_000);
    expect(check.ok).toBe(true);
  });
});
