import { describe, expect, it } from 'vitest';
import { createRealClock, type Clock } from '../../../../harness/engine/clock.ts';
import { constantArrivalRate } from '../../../../harness/engine/executors/constant-arrival-rate.ts';
import { createRng } from '../../../../harness/engine/rng.ts';
import { runExecutor } from './executor-harness.ts';

const base = { executor: 'constant-arrival-rate', gracefulStop: '5s' } as const;

describe('constant-arrival-rate', () => {
  it('starts a 10-minute schedule at exactly i / rate, the first at the start', async () => {
    const h = await runExecutor(
      { ...base, rate: 10, duration: '10m', preAllocatedVUs: 5 },
      { serviceMs: () => 50 },
    );
    expect(h.starts).toHaveLength(6000);
    expect(h.starts.map((s) => s.scheduledAtMs).slice(0, 3)).toEqual([0, 100, 200]);
    expect(h.starts.every((s, i) => Math.abs(s.scheduledAtMs - i * 100) < 1e-6)).toBe(true);
    expect(h.starts.every((s) => s.startedAtMs === s.scheduledAtMs)).toBe(true);
    expect(h.drops).toEqual([]);
    expect(h.report).toMatchObject({ started: 6000, completed: 6000, interrupted: 0 });
  });

  it('honours timeUnit and startTime', async () => {
    const h = await runExecutor({
      ...base,
      rate: 30,
      timeUnit: '1m',
      duration: '1m',
      startTime: '10s',
      preAllocatedVUs: 1,
    });
    expect(h.starts.map((s) => s.scheduledAtMs)).toEqual(
      Array.from({ length: 30 }, (_, i) => 10_000 + i * 2000),
    );
  });

  it('drops what finds every VU busy instead of queueing it', async () => {
    // 10/s with 1 s service needs 10 VUs; with 5, every second half of the arrivals find none free.
    const h = await runExecutor(
      { ...base, rate: 10, duration: '10s', preAllocatedVUs: 5, maxVUs: 5 },
      { serviceMs: () => 1000 },
    );
    expect(h.report.started).toBe(50);
    expect(h.report.dropped.no_vu).toBe(50);
    expect(h.drops.every((d) => d.reason === 'no_vu')).toBe(true);
    expect(h.drops.slice(0, 5).map((d) => d.atMs)).toEqual([500, 600, 700, 800, 900]);
    expect(h.peakInFlight).toBe(5);
  });

  it('adds VUs beyond preAllocatedVUs up to maxVUs before dropping', async () => {
    const h = await runExecutor(
      { ...base, rate: 10, duration: '10s', preAllocatedVUs: 2, maxVUs: 10 },
      { serviceMs: () => 1000 },
    );
    expect(h.report).toMatchObject({ started: 100, allocatedVus: 10, peakVus: 10 });
    expect(h.drops).toEqual([]);
  });

  it('drops an iteration it reaches later than lateTolerance instead of sending it late', async () => {
    // The event loop "freezes" from 2 s to 3 s: sleeps ending in that window wake at 3 s.
    const freeze = (clock: Clock): Clock => ({
      now: () => clock.now(),
      sleepUntil: (atMs, signal) => clock.sleepUntil(atMs >= 2000 && atMs < 3000 ? 3000 : atMs, signal),
    });
    const h = await runExecutor(
      { ...base, rate: 10, duration: '5s', preAllocatedVUs: 10, lateTolerance: '500ms' },
      { wrapClock: (c) => freeze(c) },
    );
    expect(h.drops.map((d) => [d.atMs, d.reason])).toEqual(
      [2000, 2100, 2200, 2300, 2400].map((t) => [t, 'late']),
    );
    const late = h.starts.filter((s) => s.startedAtMs - s.scheduledAtMs > 500);
    expect(late).toEqual([]);
    expect(h.report.started).toBe(45);
  });

  it('lets in-flight iterations finish within gracefulStop and cuts the rest', async () => {
    const h = await runExecutor(
      { ...base, rate: 1, duration: '3s', preAllocatedVUs: 3, gracefulStop: '1s' },
      { serviceMs: (ctx) => (ctx.iteration === 2 ? 5000 : 500) },
    );
    expect(h.report).toMatchObject({ started: 3, completed: 2, interrupted: 1 });
    const cut = h.starts.find((s) => s.cut)!;
    expect(cut.iteration).toBe(2);
    expect(cut.endedAtMs).toBe(4000);
  });

  it('stops starting iterations when told to stop, and cuts everything on abort', async () => {
    const stopped = await runExecutor(
      { ...base, rate: 10, duration: '10s', preAllocatedVUs: 20 },
      { stopAtMs: 2050, serviceMs: () => 300 },
    );
    expect(stopped.report).toMatchObject({ started: 21, completed: 21, interrupted: 0 });
    const aborted = await runExecutor(
      { ...base, rate: 10, duration: '10s', preAllocatedVUs: 20 },
      { abortAtMs: 2050, serviceMs: () => 300 },
    );
    expect(aborted.report).toMatchObject({ started: 21, interrupted: 3 });
    expect(aborted.clock.now()).toBe(2050);
  });

  it('far behind its schedule, still lets timers and a stop through between batches of drops', async () => {
    // 100 million arrivals a second (past the schema's cap; the executor is built directly): every
    // item is due at once and finds no VU. Without yielding, the loop would count drops for minutes
    // with the event loop blocked.
    const clock = createRealClock();
    const stop = new AbortController();
    const executor = constantArrivalRate('flood', {
      executor: 'constant-arrival-rate',
      ratePerSec: 1e8,
      durationMs: 10_000,
      startTimeMs: clock.now(),
      gracefulStopMs: 1_000,
      preAllocatedVUs: 1,
      maxVUs: 1,
      lateToleranceMs: 60_000,
    });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    setTimeout(() => stop.abort(), 200);
    const startedMs = clock.now();
    const report = await executor.run({
      clock,
      rng: createRng(1),
      // Holds its one VU until cut (iterations must honour ctx.signal).
      iterate: (ctx) =>
        new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true })),
      dropped: () => undefined,
      stop: stop.signal,
      abort: new AbortController().signal,
    });
    clearInterval(ticker);
    expect(clock.now() - startedMs).toBeLessThan(3_000);
    expect(ticks).toBeGreaterThanOrEqual(5);
    expect(report.started).toBe(1);
    expect(report.dropped.no_vu).toBeGreaterThan(1_000);
  });
});
