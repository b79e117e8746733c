import { describe, expect, it } from 'vitest';
import { parseScenario, type ScenarioInput } from '../../../harness/config/scenario-schema.ts';
import { ManualClock } from '../../../harness/engine/clock.ts';
import { runScenario, type RunOptions } from '../../../harness/engine/runner.ts';
import { InvalidConfigError } from '../../../harness/errors.ts';
import type { RequestSample } from '../../../harness/results/schema.ts';
import { fakeClient, fakeControl, fakeTarget } from './fakes.ts';

function scenario(overrides: Partial<ScenarioInput> = {}) {
  return parseScenario({
    name: 'test',
    ledger: false,
    executors: { main: { executor: 'constant-arrival-rate', rate: 5, duration: '10m', preAllocatedVUs: 10 } },
    ...overrides,
  });
}

async function run(options: Omit<RunOptions, 'runId' | 'clock'> & { clock: ManualClock }) {
  const samples: RequestSample[] = [];
  const progress: number[] = [];
  const outcome = runScenario({
    runId: 'r1',
    scrape: null,
    onSample: (s) => samples.push(s),
    onProgress: (p) => progress.push(p.elapsedSec),
    ...options,
  });
  await options.clock.runUntilIdle(24 * 3_600_000);
  return { ...(await outcome), samples, progress };
}

describe('runScenario', () => {
  it('runs a 10-minute open-model scenario on a manual clock, one sample per scheduled turn', async () => {
    const clock = new ManualClock();
    const client = fakeClient(clock, { serviceMs: () => 400 });
    const r = await run({ scenario: scenario(), target: fakeTarget(), clock, client });
    expect(r.samples).toHaveLength(3000);
    expect(r.summary.counts).toMatchObject({ requests: 3000, completed: 3000, failed: 0, dropped: 0 });
    expect(r.summary.run.durationSec).toBeCloseTo(600, 0);
    expect(r.samples[7]!.scheduledAtMs).toBe(1400);
    expect(r.progress.slice(0, 3)).toEqual([1, 2, 3]);
    expect(r.endedBy).toBeNull();
  });

  it('keeps each conversation to one turn in flight and spreads sessions over the tenant mix', async () => {
    const clock = new ManualClock();
    const client = fakeClient(clock, { serviceMs: () => 900 });
    const s = scenario({
      executors: {
        main: { executor: 'constant-arrival-rate', rate: 10, duration: '60s', preAllocatedVUs: 20 },
      },
      workload: {
        target: 'agent',
        turnsPerSession: { kind: 'fixed', value: 3 },
        tenants: { acme: 3, globex: 1 },
      },
    });
    const r = await run({ scenario: s, target: fakeTarget(), clock, client });
    const bySession = new Map<string, RequestSample[]>();
    for (const x of r.samples) bySession.set(x.session!, [...(bySession.get(x.session!) ?? []), x]);
    for (const turns of bySession.values()) {
      expect(turns.map((t) => t.turn).sort()).toEqual([1, 2, 3].slice(0, turns.length));
      const sorted = [...turns].sort((a, b) => a.turn! - b.turn!);
      for (let i = 1; i < sorted.length; i++)
        expect(sorted[i]!.sentAtMs).toBeGreaterThanOrEqual(sorted[i - 1]!.endMs);
    }
    const acme = r.samples.filter((x) => x.tenant === 'acme').length / r.samples.length;
    expect(acme).toBeGreaterThan(0.6);
    expect(acme).toBeLessThan(0.9);
    const first = client.turns[0]!.request;
    expect(first.path).toMatch(/^\/v1\/sessions\/r1-s0\/turns$/);
    expect(first.headers.authorization).toMatch(/^Bearer key-/);
  });

  it('runs sessions with think time between turns, each turn timed from when it was due', async () => {
    const clock = new ManualClock();
    const client = fakeClient(clock, { serviceMs: () => 200 });
    const s = scenario({
      executors: { users: { executor: 'session-arrivals', rate: 1, duration: '60s', preAllocatedVUs: 20 } },
      workload: {
        target: 'openai-chat',
        turnsPerSession: { kind: 'fixed', value: 3 },
        thinkTimeSec: { kind: 'fixed', value: 2 },
      },
    });
    const r = await run({ scenario: s, target: fakeTarget(), clock, client });
    const session = r.samples
      .filter((x) => x.session === r.samples[0]!.session)
      .sort((a, b) => a.turn! - b.turn!);
    expect(session.map((x) => x.turn)).toEqual([1, 2, 3]);
    expect(session[1]!.scheduledAtMs - session[0]!.endMs).toBe(2000);
    expect(session[2]!.scheduledAtMs - session[1]!.endMs).toBe(2000);
    // A stateless target gets the conversation so far as messages.
    const third = client.turns.find((t) => t.request.scheduledAtMs === session[2]!.scheduledAtMs)!;
    expect((third.request.body as { messages: unknown[] }).messages).toHaveLength(5);
  });

  it('fires faults through the stack control at their times and reports errors per phase', async () => {
    const clock = new ManualClock();
    const control = fakeControl(clock);
    const client = fakeClient(clock, { failing: () => clock.now() >= 10_000 && clock.now() < 15_000 });
    const s = scenario({
      executors: {
        main: { executor: 'constant-arrival-rate', rate: 10, duration: '30s', preAllocatedVUs: 10 },
      },
      phases: [
        { name: 'baseline', at: '0s' },
        { name: 'outage', at: '10s' },
        { name: 'recovery', at: '15s' },
      ],
      faults: [
        { action: 'kill', component: 'model', at: '10s' },
        { action: 'restart', component: 'model-0', at: '15s', loadTime: '2s' },
      ],
    });
    const r = await run({ scenario: s, target: fakeTarget(control), clock, client });
    expect(control.calls).toEqual([
      { atMs: 10_000, call: 'kill model-0' },
      { atMs: 15_000, call: 'restart model-0 2' },
    ]);
    expect(r.summary.faults.map((f) => [f.atSec, f.action, f.component, f.ok])).toEqual([
      [10, 'kill', 'model', true],
      [15, 'restart', 'model-0', true],
    ]);
    const phase = (name: string) => r.summary.phases.find((p) => p.name === name)!;
    expect(phase('baseline').failed).toBe(0);
    expect(phase('outage').failed).toBe(50);
    expect(phase('recovery').failed).toBe(0);
    expect(
      r.samples.every(
        (x) =>
          x.phase ===
          (x.scheduledAtMs < 10_000 ? 'baseline' : x.scheduledAtMs < 15_000 ? 'outage' : 'recovery'),
      ),
    ).toBe(true);
  });

  it('refuses a fault scenario against a target it cannot control', async () => {
    const clock = new ManualClock();
    const s = scenario({ faults: [{ action: 'kill', component: 'model', at: '1s' }] });
    await expect(
      runScenario({ runId: 'r', scenario: s, target: fakeTarget(null), clock, client: fakeClient(clock) }),
    ).rejects.toBeInstanceOf(InvalidConfigError);
  });

  it('aborts the run when a threshold with abortOnFail fails', async () => {
    const clock = new ManualClock();
    const client = fakeClient(clock, { failing: () => clock.now() >= 5000 });
    const s = scenario({
      thresholds: { http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true }] },
    });
    const r = await run({ scenario: s, target: fakeTarget(), clock, client });
    expect(r.endedBy?.kind).toBe('threshold');
    expect(r.summary.run.durationSec).toBeLessThan(10);
    expect(r.summary.thresholds[0]).toMatchObject({ ok: false, failedLive: true });
  });

  it('stops a sweep at the end of the first step that broke its SLO', async () => {
    const clock = new ManualClock();
    // Service time grows with the offered rate: past 4/s TTFT goes over 500 ms.
    const client = fakeClient(clock, { serviceMs: () => (clock.now() < 20_000 ? 300 : 3000) });
    const s = scenario({
      executors: {
        sweep: {
          executor: 'ramping-arrival-rate',
          startRate: 2,
          stages: [
            { duration: '10s', target: 2 },
            { duration: '0s', target: 4 },
            { duration: '10s', target: 4 },
            { duration: '0s', target: 6 },
            { duration: '10s', target: 6 },
            { duration: '0s', target: 8 },
            { duration: '10s', target: 8 },
          ],
          preAllocatedVUs: 50,
        },
      },
      phases: [
        { name: 'step-0', at: '0s', offeredRatePerSec: 2 },
        { name: 'step-1', at: '10s', offeredRatePerSec: 4 },
        { name: 'step-2', at: '20s', offeredRatePerSec: 6 },
        { name: 'step-3', at: '30s', offeredRatePerSec: 8 },
      ],
      slo: { ttftMs: 500, percentile: 95 },
      stopOnSloBreak: true,
    });
    const r = await run({ scenario: s, target: fakeTarget(), clock, client });
    expect(r.endedBy).toMatchObject({ kind: 'slo' });
    expect(r.endedBy!.reason).toMatch(/^step-2: TTFT p95/);
    expect(r.summary.steps.map((x) => [x.name, x.offeredRatePerSec])).toEqual([
      ['step-0', 2],
      ['step-1', 4],
      ['step-2', 6],
    ]);
    expect(r.samples.some((x) => x.phase === 'step-3')).toBe(false);
  });
});
