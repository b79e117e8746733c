import { describe, expect, it } from 'vitest';
import {
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

describe('judgeGenerator on a short run', () => {
  it('does not call one or two late requests a saturated generator, however late', () => {
    const signals = { eventLoopDelayP99Ms: 3, cpuPercent: 2 };
    expect(judgeGenerator({ p99Ms: 61, lateRequests: MIN_LATE_REQUESTS - 1 }, signals).valid).toBe(true);
    expect(judgeGenerator({ p99Ms: 61, lateRequests: MIN_LATE_REQUESTS }, signals).valid).toBe(false);
  });
});

describe('GeneratorMonitor', () => {
  it('reports CPU as a share of one core over the monitored wall time', () => {
    let nowMs = 0;
    let cpuUs = 0;
    const monitor = new GeneratorMonitor({
      nowMs: () => nowMs,
      cpuUsage: () => ({ user: cpuUs, system: 0 }),
    });
    monitor.start();
    nowMs = 2000;
    cpuUs = 500_000;
    const signals = monitor.stop();
    expect(signals.cpuPercent).toBe(25);
    expect(signals.eventLoopDelayP99Ms).toBeGreaterThanOrEqual(0);
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
