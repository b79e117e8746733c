import { describe, expect, it } from 'vitest';
import { RateProfile } from '../../../../harness/engine/executors/rate-profile.ts';
import { runExecutor } from './executor-harness.ts';

describe('ramping-arrival-rate', () => {
  it('starts the n-th iteration when the area under a linear ramp reaches n', async () => {
    // 0 -> 10/s over 10 s: rate(t) = t per s, area t^2/2, so the n-th is due at sqrt(2n) s (50 in all).
    const h = await runExecutor({
      executor: 'ramping-arrival-rate',
      stages: [
        { duration: '10s', target: 10 },
        { duration: '10s', target: 10 },
      ],
      preAllocatedVUs: 20,
    });
    const due = h.starts.map((s) => s.scheduledAtMs);
    expect(due.slice(0, 50).every((t, i) => Math.abs(t - Math.sqrt(2 * (i + 1)) * 1000) < 1e-6)).toBe(true);
    // The flat second stage: one every 100 ms from 10.1 s (the 51st at area 51).
    expect(due[50]).toBeCloseTo(10_100, 6);
    expect(due).toHaveLength(149);
    expect(h.report.started).toBe(149);
  });

  it('ramps down symmetrically and jumps on zero-length stages', () => {
    const p = new RateProfile(4, [
      { durationMs: 0, targetPerSec: 8 },
      { durationMs: 1000, targetPerSec: 8 },
      { durationMs: 2000, targetPerSec: 0 },
    ]);
    expect(p.totalCount).toBeCloseTo(8 + 8, 9);
    expect(p.timeAtCount(8)).toBeCloseTo(1000, 6);
    // Down-ramp 8 -> 0 over 2 s: area by t is 8t - 2t^2; 6 more arrivals at t = 1 s into the stage.
    expect(p.timeAtCount(14)).toBeCloseTo(2000, 6);
    expect(p.timeAtCount(16)).toBeCloseTo(3000, 6);
    expect(p.timeAtCount(16.5)).toBeNull();
    expect(p.ratePerSecAt(500)).toBe(8);
    expect(p.ratePerSecAt(2000)).toBeCloseTo(4, 9);
  });

  it('counts arrivals that find no VU as dropped during a spike', async () => {
    const h = await runExecutor(
      {
        executor: 'ramping-arrival-rate',
        startRate: 2,
        stages: [
          { duration: '5s', target: 2 },
          { duration: '0s', target: 20 },
          { duration: '5s', target: 20 },
          { duration: '0s', target: 2 },
          { duration: '5s', target: 2 },
        ],
        preAllocatedVUs: 4,
        maxVUs: 10,
      },
      { serviceMs: () => 1000 },
    );
    const dropsInSpike = h.drops.filter((d) => d.atMs >= 5000 && d.atMs < 10_000).length;
    expect(dropsInSpike).toBeGreaterThan(40);
    expect(h.drops.filter((d) => d.atMs < 5000 || d.atMs >= 11_000)).toEqual([]);
    // Area 120; the 120th lands exactly at the end, outside the [start, end) window.
    expect(h.report.started + h.report.dropped.no_vu).toBe(119);
    expect(h.peakInFlight).toBe(10);
  });
});
