import { afterAll, expect, it } from 'vitest';
import { describeWith, newSession, runShort } from './support.ts';

// Integration: the real local stack (model server, agent, tools, Redis, HAProxy), timelines scaled down.
describeWith(['redis-server', 'haproxy'], 'model-server fault timelines on the local stack', () => {
  const session = newSession();
  afterAll(() => session.close());

  it('outage-model: kills and restarts the model server at its times; the outage shows, nothing is lost', async () => {
    // 30 s scaled to 12 s: kill at 4 s, restart at 6 s (0.8 s load).
    const r = await runShort(session, 'outage-model', { durationSec: 12, ratePerSec: 3 });
    const s = r.outcome.summary;
    expect(s.faults.map((f) => [f.action, f.component, f.ok])).toEqual([
      ['kill', 'model-0', true],
      ['restart', 'model-0', true],
    ]);
    expect(s.phases.map((p) => p.name)).toEqual(['baseline', 'outage', 'recovery']);
    // Turns that ended before the fault all got through (one in flight at the kill may fail: it
    // still counts in baseline, the phase it was scheduled in).
    expect(r.samples.filter((x) => x.endMs < 4000 && x.errorClass !== null)).toEqual([]);
    expect(r.samples.filter((x) => x.endMs < 4000).length).toBeGreaterThan(3);
    expect(r.phase('outage').failed + r.phase('outage').degraded).toBeGreaterThan(0);
    expect(s.counts.turnsLost).toBe(0);
    expect(r.stack.control.list().find((c) => c.id === 'model-0')?.state).toBe('running');
  }, 50_000);

  it('cold-start: restarts the model cold under load, adds a cold replica, then the suite heals it away', async () => {
    const r = await runShort(session, 'cold-start', { durationSec: 12, ratePerSec: 3 });
    const s = r.outcome.summary;
    expect(s.faults.map((f) => [f.action, f.ok])).toEqual([
      ['cold start', true],
      ['cold replica', true],
    ]);
    const warmUp = r.phase('warm-up');
    expect(warmUp.failed + warmUp.degraded).toBeGreaterThan(0);
    expect(r.outcome.firstSuccess[0]).toMatchObject({ label: 'cold start', atSec: expect.any(Number) });
    expect(r.outcome.firstSuccess[0]!.afterSec).not.toBeNull();
    expect(r.stack.control.list().filter((c) => c.kind === 'model')).toHaveLength(2);
    expect(s.counts.turnsLost).toBe(0);
    // The next scenario of the same shape gets the stack back to one model server.
    const healed = await session.prepare({
      ...s.run.stack,
      agentReplicas: 1,
      modelReplicas: 1,
      profile: 'llama-3.1-8b@h100',
      loadTimeMs: 0,
    });
    expect(healed.control.list().filter((c) => c.kind === 'model')).toHaveLength(1);
  }, 50_000);
});
