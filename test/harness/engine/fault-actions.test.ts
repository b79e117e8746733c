import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { parseScenario } from '../../../harness/config/scenario-schema.ts';
import { ManualClock } from '../../../harness/engine/clock.ts';
import { applyFault } from '../../../harness/engine/fault-actions.ts';
import { runTimeline } from '../../../harness/engine/timeline.ts';
import type { StackControl } from '../../../harness/stack/types.ts';
import { fakeControl } from './fakes.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function faultsOf(faults: unknown[]) {
  return parseScenario({
    name: 'f',
    executors: { m: { executor: 'constant-vus', vus: 1, duration: '60s' } },
    faults,
  }).faults;
}

describe('applyFault', () => {
  it('resolves a kind to its first running component and reports what it did', async () => {
    const clock = new ManualClock();
    const control = fakeControl(clock);
    const [kill, add, bad] = faultsOf([
      { action: 'kill', component: 'model', at: '1s' },
      { action: 'addReplica', kind: 'agent', at: '2s', loadTime: '3s' },
      { action: 'pause', component: 'nothing', at: '3s' },
    ]);
    const target = { control, adminToken: null };
    expect(await applyFault(kill!, target, 1000)).toEqual({
      atSec: 1,
      component: 'model',
      action: 'kill',
      ok: true,
      detail: 'model-0',
    });
    expect(await applyFault(add!, target, 2000)).toMatchObject({
      action: 'addReplica',
      ok: true,
      detail: 'added agent-9',
    });
    const failed = await applyFault(bad!, target, 3000);
    expect(failed).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/no component "nothing".*agent-0, model-0, redis/),
    });
    expect(control.calls.map((c) => c.call)).toEqual(['kill model-0', 'addReplica agent']);
  });

  it('calls a component admin API with the admin token', async () => {
    const app = Fastify();
    const seen: { method: string; auth?: string; body: unknown }[] = [];
    app.put('/admin/faults', async (req) => {
      seen.push({ method: 'PUT', auth: req.headers.authorization, body: req.body });
      return { ok: true };
    });
    app.delete('/admin/faults', async (_req, reply) => reply.code(401).send({ error: 'no' }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    const control: StackControl = {
      ...fakeControl(new ManualClock()),
      list: () => [{ id: 'tools', kind: 'tools', url, pid: null, state: 'running' }],
    };
    const [put, del] = faultsOf([
      {
        action: 'http',
        component: 'tools',
        method: 'PUT',
        path: '/admin/faults',
        body: { errorRate: 0.5 },
        at: '1s',
        label: 'tools failing',
      },
      { action: 'http', component: 'tools', method: 'DELETE', path: '/admin/faults', at: '2s' },
    ]);
    const target = { control, adminToken: 'secret-token' };
    expect(await applyFault(put!, target, 1000)).toMatchObject({
      ok: true,
      action: 'tools failing',
      component: 'tools',
    });
    expect(seen).toEqual([{ method: 'PUT', auth: 'Bearer secret-token', body: { errorRate: 0.5 } }]);
    expect(await applyFault(del!, target, 2000)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/answered 401/),
    });
  });
});

describe('runTimeline', () => {
  it('starts phases and fires faults at their times, without waiting for slow faults', async () => {
    const clock = new ManualClock();
    const events: string[] = [];
    const s = parseScenario({
      name: 't',
      executors: { m: { executor: 'constant-vus', vus: 1, duration: '60s' } },
      phases: [
        { name: 'a', at: '0s' },
        { name: 'b', at: '10s' },
      ],
      faults: [
        { action: 'restart', component: 'model-0', at: '10s' },
        { action: 'kill', component: 'redis', at: '12s' },
      ],
    });
    const done = runTimeline(
      clock,
      s.phases,
      s.faults,
      {
        phase: (p) => {
          events.push(`${clock.now()} phase ${p.name}`);
          return null;
        },
        fault: async (f) => {
          events.push(`${clock.now()} ${f.action}`);
          await clock.sleepUntil(clock.now() + 5000);
          events.push(`${clock.now()} ${f.action} done`);
        },
      },
      new AbortController().signal,
    );
    await clock.runUntilIdle(60_000);
    expect(await done).toBeNull();
    expect(events).toEqual([
      '0 phase a',
      '10000 phase b',
      '10000 restart',
      '12000 kill',
      '15000 restart done',
      '17000 kill done',
    ]);
  });
});
