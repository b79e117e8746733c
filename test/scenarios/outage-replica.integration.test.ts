import { afterAll, expect, it } from 'vitest';
import { describeWith, newSession, runShort } from './support.ts';

// Integration: two agent replicas behind the real HAProxy, timeline scaled down.
describeWith(['redis-server', 'haproxy'], 'agent replica fault timeline on the local stack', () => {
  const session = newSession();
  afterAll(() => session.close());

  it('outage-replica: kills one of two agents behind HAProxy and brings it back; sessions survive', async () => {
    // 30 s scaled to 12 s: agent-1 down from 4 s to 8 s.
    const r = await runShort(session, 'outage-replica', { durationSec: 12, ratePerSec: 3 });
    const s = r.outcome.summary;
    expect(s.run.stack.agentReplicas).toBe(2);
    expect(s.faults.map((f) => [f.action, f.component, f.ok])).toEqual([
      ['kill', 'agent-1', true],
      ['restart', 'agent-1', true],
    ]);
    expect(s.phases.map((p) => p.name)).toEqual(['baseline', 'one-replica', 'recovery']);
    // Turns that ended before the fault all got through (one in flight at the kill may fail: it
    // still counts in baseline, the phase it was scheduled in).
    expect(r.samples.filter((x) => x.endMs < 4000 && x.errorClass !== null)).toEqual([]);
    expect(r.samples.filter((x) => x.endMs < 4000).length).toBeGreaterThan(3);
    expect(s.counts.turnsLost).toBe(0);
    expect(r.stack.control.list().find((c) => c.id === 'agent-1')?.state).toBe('running');
  }, 50_000);
});
