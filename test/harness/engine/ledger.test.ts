import { afterEach, describe, expect, it } from 'vitest';
import { missingMessages, SessionLedger } from '../../../harness/engine/ledger.ts';
import { startFakeAgent, type FakeAgent } from './fake-agent.ts';

let agent: FakeAgent | null = null;
afterEach(async () => agent?.close());

const tenant = { name: 't', apiKey: 'key-1' };

describe('SessionLedger', () => {
  it('matches acknowledged and stored messages one to one', () => {
    expect(missingMessages(['a', 'b', 'a'], ['a', 'b', 'a'])).toBe(0);
    expect(missingMessages(['a', 'b', 'a'], ['a', 'b'])).toBe(1);
    expect(missingMessages(['a'], ['a', 'a', 'x'])).toBe(0);
    expect(missingMessages(['a', 'b'], [])).toBe(2);
  });

  it('finds turns missing from stored sessions and sessions that vanished', async () => {
    agent = await startFakeAgent();
    agent.sessions.set('s1', ['one', 'two']);
    agent.sessions.set('s2', ['three']);
    const ledger = new SessionLedger();
    ledger.acknowledge('s1', tenant, 'one');
    ledger.acknowledge('s1', tenant, 'two');
    ledger.acknowledge('s2', tenant, 'three');
    ledger.acknowledge('s2', tenant, 'four');
    ledger.acknowledge('s3', tenant, 'five');
    const audit = await ledger.audit({ baseUrl: agent.url });
    expect(audit).toMatchObject({ sessions: 3, acknowledged: 5, lost: 2, unverifiedSessions: 0 });
    expect(SessionLedger.turnsLost(audit)).toBe(2);
    expect(audit.problems.map((p) => p.sessionId).sort()).toEqual(['s2', 's3']);
  });

  it('reports nothing proven (null) when a history cannot be read', async () => {
    const ledger = new SessionLedger();
    ledger.acknowledge('s1', tenant, 'one');
    const pauses: number[] = [];
    const audit = await ledger.audit({
      baseUrl: 'http://127.0.0.1:9',
      timeoutMs: 500,
      pause: async (ms) => void pauses.push(ms),
    });
    expect(audit.unverifiedSessions).toBe(1);
    expect(SessionLedger.turnsLost(audit)).toBeNull();
    expect(pauses).toEqual([500, 1000]);
  });
});
