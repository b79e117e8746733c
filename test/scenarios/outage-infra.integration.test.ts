import { request } from 'undici';
import { afterAll, expect, it } from 'vitest';
import { describeWith, newSession, runShort } from './support.ts';

// Integration: the real local stack, timelines scaled down.
describeWith(['redis-server', 'haproxy'], 'Redis and tools fault timelines on the local stack', () => {
  const session = newSession();
  afterAll(() => session.close());

  it('outage-redis: restarts Redis mid-run and no acknowledged turn is lost', async () => {
    // 30 s scaled to 12 s: Redis restarts at 4 s.
    const r = await runShort(session, 'outage-redis', { durationSec: 12, ratePerSec: 1.5 });
    const s = r.outcome.summary;
    expect(s.faults).toEqual([expect.objectContaining({ action: 'restart', component: 'redis', ok: true })]);
    expect(s.phases.map((p) => p.name)).toEqual(['baseline', 'redis-restart', 'recovery']);
    expect(r.outcome.ledger?.acknowledged).toBeGreaterThan(5);
    expect(s.counts.turnsLost).toBe(0);
  }, 50_000);

  it('outage-tools: slows and fails the tools through their admin API, then heals them', async () => {
    // 30 s scaled to 12 s: faults from 4 s to 8 s; 4 turns/s, 80% with a tool call.
    const r = await runShort(session, 'outage-tools', { durationSec: 12, ratePerSec: 4 });
    const s = r.outcome.summary;
    expect(s.faults.map((f) => [f.action, f.component, f.ok])).toEqual([
      ['tools slow and failing', 'tools', true],
      ['tools healed', 'tools', true],
    ]);
    // Tool errors go back to the model as tool results (the turn still answers): count them at the agent.
    let toolErrors = 0;
    for (const m of r.stack.metricsUrls.filter((x) => x.kind === 'agent')) {
      const text = await (await request(m.url)).body.text();
      for (const line of text.split('\n')) {
        if (line.startsWith('agent_tool_calls_total{') && line.includes('outcome="error"'))
          toolErrors += Number(line.split(' ').pop());
      }
    }
    expect(toolErrors).toBeGreaterThan(0);
    expect(r.phase('tool-faults').requests).toBeGreaterThan(0);
    const tools = r.stack.control.list().find((c) => c.kind === 'tools')!;
    const res = await request(`${tools.url}/admin/faults`, {
      headers: { authorization: `Bearer ${r.stack.adminToken}` },
    });
    expect(await res.body.json()).toMatchObject({ errorRate: 0, latencyMultiplier: 1 });
    expect(s.counts.turnsLost).toBe(0);
  }, 50_000);
});
