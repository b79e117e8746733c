import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../harness/engine/rng.ts';
import { rampingVusSteps, StepIndex, type VuStep } from '../../../../harness/engine/executors/ramping-vus.ts';
import { runExecutor } from './executor-harness.ts';

describe('constant-vus', () => {
  it('runs each VU back to back until duration, measuring from the actual start', async () => {
    const h = await runExecutor(
      { executor: 'constant-vus', vus: 3, duration: '10s' },
      { serviceMs: () => 250 },
    );
    expect(h.report).toMatchObject({ started: 120, completed: 120, interrupted: 0, peakVus: 3 });
    expect(h.starts.every((s) => s.scheduledAtMs === s.startedAtMs)).toBe(true);
    expect(h.peakInFlight).toBe(3);
  });

  it('gives the last iterations gracefulStop, then cuts them', async () => {
    const kept = await runExecutor(
      { executor: 'constant-vus', vus: 2, duration: '10s' },
      { serviceMs: () => 300 },
    );
    expect(kept.report).toMatchObject({ started: 68, completed: 68 });
    const cut = await runExecutor(
      { executor: 'constant-vus', vus: 2, duration: '10s', gracefulStop: '0s' },
      { serviceMs: () => 300 },
    );
    expect(cut.report).toMatchObject({ started: 68, completed: 66, interrupted: 2 });
  });
});

describe('ramping-vus', () => {
  it('steps one VU at a time along each stage, like k6', () => {
    expect(
      rampingVusSteps(0, [
        { durationMs: 4000, target: 4 },
        { durationMs: 0, target: 8 },
        { durationMs: 4000, target: 6 },
      ]),
    ).toEqual([
      { atMs: 0, vus: 0 },
      { atMs: 1000, vus: 1 },
      { atMs: 2000, vus: 2 },
      { atMs: 3000, vus: 3 },
      { atMs: 4000, vus: 4 },
      { atMs: 4000, vus: 8 },
      { atMs: 6000, vus: 7 },
      { atMs: 8000, vus: 6 },
    ]);
  });

  it('follows the target count, and cuts ramped-down VUs after gracefulRampDown', async () => {
    const h = await runExecutor(
      {
        executor: 'ramping-vus',
        startVUs: 0,
        stages: [
          { duration: '3s', target: 3 },
          { duration: '0s', target: 1 },
          { duration: '5s', target: 1 },
        ],
        gracefulRampDown: '500ms',
      },
      { serviceMs: (ctx) => (ctx.vu === 0 ? 200 : 2000) },
    );
    const vusStarting = (fromMs: number, toMs: number) =>
      new Set(h.starts.filter((s) => s.startedAtMs >= fromMs && s.startedAtMs < toMs).map((s) => s.vu));
    expect(vusStarting(0, 1000)).toEqual(new Set());
    expect(vusStarting(1000, 2000)).toEqual(new Set([0]));
    expect(vusStarting(2000, 3000)).toEqual(new Set([0, 1]));
    expect(vusStarting(3000, 8000)).toEqual(new Set([0]));
    // The third VU's step and the jump down share 3 s, so VU 2 never runs; VU 1 started a 2 s
    // iteration at 2 s, is unneeded from 3 s and is cut at 3.5 s.
    expect(h.starts.some((s) => s.vu === 2)).toBe(false);
    const cut = h.starts.filter((s) => s.cut);
    expect(cut.map((s) => [s.vu, s.endedAtMs])).toEqual([[1, 3500]]);
  });
});

describe('per-vu-iterations', () => {
  it('runs exactly vus x iterations and ends when they are done', async () => {
    const h = await runExecutor(
      { executor: 'per-vu-iterations', vus: 2, iterations: 5, maxDuration: '1m' },
      { serviceMs: () => 1000 },
    );
    expect(h.report).toMatchObject({ started: 10, completed: 10 });
    expect(h.clock.now()).toBe(5000);
  });

  it('drops the iterations maxDuration leaves unstarted', async () => {
    const h = await runExecutor(
      { executor: 'per-vu-iterations', vus: 2, iterations: 5, maxDuration: '2500ms' },
      { serviceMs: () => 1000 },
    );
    expect(h.report).toMatchObject({ started: 6, completed: 6, dropped: { max_duration: 4 } });
    expect(h.drops.every((d) => d.reason === 'max_duration' && d.atMs === 2500)).toBe(true);
  });
});

describe('ramping-vus StepIndex', () => {
  const naive = {
    vusAt: (steps: VuStep[], t: number) => {
      let vus = 0;
      for (const s of steps) if (s.atMs <= t) vus = s.vus;
      return vus;
    },
    next: (steps: VuStep[], t: number, want: (n: number) => boolean) => {
      for (const s of steps) if (s.atMs > t && want(s.vus)) return s.atMs;
      return null;
    },
  };

  it('answers as a walk of the step list does, on random stages with jumps and ties', () => {
    let checked = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const rng = createRng(seed);
      const stages = Array.from({ length: 1 + rng.int(0, 6) }, () => ({
        durationMs: rng.next() < 0.25 ? 0 : rng.int(1, 20) * 500,
        target: rng.int(0, 40),
      }));
      const steps = rampingVusSteps(rng.int(0, 10), stages);
      const index = new StepIndex(steps);
      expect(index.maxVus).toBe(Math.max(...steps.map((s) => s.vus)));
      const endMs = stages.reduce((a, s) => a + s.durationMs, 0) + 1000;
      for (let t = -250; t <= endMs; t += 125) {
        expect(index.vusAt(t)).toBe(naive.vusAt(steps, t));
        for (let vu = 0; vu <= 41; vu++) {
          expect(index.nextAbove(t, vu)).toBe(naive.next(steps, t, (n) => n > vu));
          expect(index.nextAtMost(t, vu)).toBe(naive.next(steps, t, (n) => n <= vu));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});
