import { describe, expect, it } from 'vitest';
import { runExecutor } from './executor-harness.ts';

const poisson = { executor: 'session-arrivals', rate: 2, duration: '30m', preAllocatedVUs: 50 } as const;

describe('session-arrivals', () => {
  it('draws a seeded Poisson process: same seed same arrivals, another seed others', async () => {
    const a = await runExecutor(poisson, { seed: 7 });
    const b = await runExecutor(poisson, { seed: 7 });
    const c = await runExecutor(poisson, { seed: 8 });
    const times = (h: typeof a) => h.starts.map((s) => s.scheduledAtMs);
    expect(times(a)).toEqual(times(b));
    expect(times(a)).not.toEqual(times(c));
  });

  it('has the rate, and the exponential gaps, of a Poisson process', async () => {
    const h = await runExecutor(poisson, { seed: 3 });
    const n = h.starts.length;
    // 2/s over 1800 s: 3600 expected, sd 60; 5 sd either side.
    expect(n).toBeGreaterThan(3300);
    expect(n).toBeLessThan(3900);
    const gaps = h.starts.slice(1).map((s, i) => s.scheduledAtMs - h.starts[i]!.scheduledAtMs);
    const mean = gaps.reduce((a, g) => a + g, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
    // Exponential: sd equals the mean (a uniform schedule would have sd 0).
    expect(mean).toBeGreaterThan(450);
    expect(mean).toBeLessThan(550);
    expect(sd / mean).toBeGreaterThan(0.9);
    expect(sd / mean).toBeLessThan(1.1);
  });

  it('keeps a VU for the whole session and drops sessions that find none', async () => {
    const h = await runExecutor(
      { executor: 'session-arrivals', rate: 1, duration: '60s', preAllocatedVUs: 2, arrival: 'uniform' },
      { serviceMs: () => 4500 },
    );
    // One session a second lasting 4.5 s needs 5 VUs; 2 serve every other... at most 2 at once.
    expect(h.peakInFlight).toBe(2);
    expect(h.report.dropped.no_vu).toBeGreaterThan(0);
    expect(h.report.started + h.report.dropped.no_vu).toBe(59);
  });

  it('follows ramping stages with Poisson arrivals', async () => {
    const h = await runExecutor(
      {
        executor: 'session-arrivals',
        startRate: 0,
        stages: [
          { duration: '10m', target: 0 },
          { duration: '0s', target: 5 },
          { duration: '10m', target: 5 },
        ],
        preAllocatedVUs: 100,
      },
      { seed: 11 },
    );
    expect(h.starts.every((s) => s.scheduledAtMs >= 600_000)).toBe(true);
    expect(h.starts.length).toBeGreaterThan(3000 - 5 * Math.sqrt(3000));
    expect(h.starts.length).toBeLessThan(3000 + 5 * Math.sqrt(3000));
  });
});
