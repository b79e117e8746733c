import { describe, expect, it, vi } from 'vitest';
import {
  CPU_WINDOW_SEC,
  GeneratorMonitor,
  judgeGenerator,
  MIN_LATE_REQUESTS,
} from '../../../harness/metrics/generator-health.ts';

describe('judgeGenerator', () => {
  it('is valid with no reasons when every signal is under its limit', () => {
    expect(
      judgeGenerator({ p99Ms: 12, lateRequests: 0 }, { eventLoopDelayP99Ms: 4, cpuPercent: 35 }),
    ).toEqual({
      valid: true,
      reasons: [],
      scheduleLagP99Ms: 12,
      eventLoopDelayP99Ms: 4,
      cpuPercent: 35,
      cpuPeakPercent: null,
    });
  });

  it('lists one reason per saturated signal', () => {
    const g = judgeGenerator(
      { p99Ms: 75.04, lateRequests: 9 },
      { eventLoopDelayP99Ms: 51, cpuPercent: 97.26 },
    );
    expect(g.valid).toBe(false);
    expect(g.reasons).toHaveLength(3);
    expect(g.reasons[0]).toMatch(/^schedule lag p99 75 ms > 50 ms \(9 requests over it\)/);
    expect(g.reasons[1]).toMatch(/^event-loop delay p99 51 ms > 50 ms/);
    expect(g.reasons[2]).toMatch(/^generator CPU 97.3% of a core > 90%/);
  });

  it('takes other limits and ignores an unknown CPU figure', () => {
    const g = judgeGenerator(
      { p99Ms: 20, lateRequests: 3 },
      { eventLoopDelayP99Ms: 0, cpuPercent: null },
      {
        scheduleLagP99Ms: 10,
        eventLoopDelayP99Ms: 50,
        cpuPercent: 90,
      },
    );
    expect(g.reasons).toEqual([expect.stringMatching(/^schedule lag p99 20 ms > 10 ms/)]);
  });
});

describe('judgeGenerator on the CPU peak', () => {
  it('judges the busiest window, not the run average, and says both', () => {
    const g = judgeGenerator(
      { p99Ms: 3, lateRequests: 0 },
      { eventLoopDelayP99Ms: 2, cpuPercent: 21.4, cpuPeakPercent: 96 },
    );
    expect(g.valid).toBe(false);
    expect(g.reasons).toEqual([
      `generator CPU 96% of a core over ${CPU_WINDOW_SEC} s (run average 21.4%) > 90%: split the load (execution segments) or lower it`,
    ]);
    expect(g.cpuPeakPercent).toBe(96);
    const calm = judgeGenerator(
      { p99Ms: 3, lateRequests: 0 },
      { eventLoopDelayP99Ms: 2, cpuPercent: 40, cpuPeakPercent: 89 },
    );
    expect(calm.valid).toBe(true);
  });
});

describe('judgeGenerator on a short run', () => {
  it('does not call one or two late requests a saturated generator, however late', () => {
    const signals = { eventLoopDelayP99Ms: 3, cpuPercent: 2 };
    expect(judgeGenerator({ p99Ms: 61, lateRequests: MIN_LATE_REQUESTS - 1 }, signals).valid).toBe(true);
    expect(judgeGenerator({ p99Ms: 61, lateRequests: MIN_LATE_REQUESTS }, signals).valid).toBe(false);
  });
});

/** A monitor on a hand-driven clock: `second(share)` spends 1 s at `share` of a core, then samples. */
function fakeClockMonitor(options: { sampleEverySecond?: boolean } = {}) {
  const clock = { nowMs: 0, cpuUs: 0 };
  const monitor = new GeneratorMonitor({
    nowMs: () => clock.nowMs,
    cpuUsage: () => ({ user: clock.cpuUs, system: 0 }),
    sampleEverySecond: options.sampleEverySecond ?? false,
  });
  const second = (share: number): void => {
    clock.nowMs += 1000;
    clock.cpuUs += share * 1_000_000;
    monitor.sampleCpu();
  };
  return { clock, monitor, second };
}

describe('GeneratorMonitor', () => {
  it('reports CPU as a share of one core over the monitored wall time', () => {
    const { clock, monitor } = fakeClockMonitor();
    monitor.start();
    clock.nowMs = 2000;
    clock.cpuUs = 500_000;
    const signals = monitor.stop();
    expect(signals.cpuPercent).toBe(25);
    expect(signals.eventLoopDelayP99Ms).toBeGreaterThanOrEqual(0);
  });

  it('finds a saturated window inside a long run that the average hides', () => {
    const { monitor, second } = fakeClockMonitor();
    monitor.start();
    // 20 s at 20 % of a core, 6 s at 100 %, 34 s idle: one sample a second, as the timer takes.
    const shares = [
      ...Array<number>(20).fill(0.2),
      ...Array<number>(6).fill(1),
      ...Array<number>(34).fill(0),
    ];
    for (const share of shares) second(share);
    const signals = monitor.stop();
    expect(signals.cpuPercent).toBeCloseTo(((20 * 0.2 + 6) / 60) * 100, 6);
    expect(signals.cpuPeakPercent).toBeCloseTo(100, 6);
    expect(judgeGenerator({ p99Ms: 1, lateRequests: 0 }, signals).valid).toBe(false);
  });

  it('has no peak for a run shorter than one window, and judges its average then', () => {
    const { monitor, second } = fakeClockMonitor();
    monitor.start();
    for (let i = 0; i < CPU_WINDOW_SEC - 1; i++) second(0.95);
    const signals = monitor.stop();
    expect(signals.cpuPeakPercent).toBeNull();
    expect(judgeGenerator({ p99Ms: 1, lateRequests: 0 }, signals).reasons).toEqual([
      expect.stringMatching(/^generator CPU 95% of a core > 90%/),
    ]);
  });

  it('samples on its own timer and stops it on stop()', () => {
    // Fake timers drive the monitor's setInterval; the clock it reads advances with them.
    vi.useFakeTimers();
    try {
      const { clock, monitor } = fakeClockMonitor({ sampleEverySecond: true });
      monitor.start();
      const sampled = vi.spyOn(monitor, 'sampleCpu');
      for (let i = 0; i < CPU_WINDOW_SEC + 1; i++) {
        clock.nowMs += 1000;
        clock.cpuUs += 500_000;
        vi.advanceTimersByTime(1000);
      }
      expect(sampled).toHaveBeenCalledTimes(CPU_WINDOW_SEC + 1);
      const signals = monitor.stop();
      expect(signals.cpuPeakPercent).not.toBeNull();
      expect(signals.cpuPeakPercent).toBeGreaterThan(0);
      expect(signals.cpuPeakPercent).toBeCloseTo(50, 6);
      sampled.mockClear();
      vi.advanceTimersByTime(3000);
      expect(sampled).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });

  it('measures a blocked event loop as delay', async () => {
    const monitor = new GeneratorMonitor({ resolutionMs: 5 });
    monitor.start();
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const until = Date.now() + 100;
      while (Date.now() < until) {
        /* a saturated generator */
      }
    }
    const signals = monitor.stop();
    expect(signals.eventLoopDelayP99Ms).toBeGreaterThan(60);
    expect(signals.cpuPercent).toBeGreaterThan(0);
  });
});
