import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalStack, type LocalStackHandle } from '../../harness/stack/local.ts';
import { describeWith } from '../harness/stack/support.ts';
import { sleep, waitFor } from '../support/service.ts';
import { getSession, sendTurn } from './agent-client.ts';

interface Ledger {
  acknowledged: Map<string, string[]>;
  statuses: number[];
}

/** Sessions taking turns one after another until `stop` is set or `maxTurns` is reached. */
async function converse(stack: LocalStackHandle, sessions: string[], ledger: Ledger, stop: { now: boolean }) {
  const key = stack.tenants[0]!.apiKey;
  await Promise.all(
    sessions.map(async (session) => {
      for (let n = 0; n < 400 && !stop.now; n += 1) {
        const message = `${session} message ${n}`;
        const reply = await sendTurn(stack.agentUrl, key, session, message, { maxTokens: 4 }).catch(
          () => null,
        );
        ledger.statuses.push(reply?.status ?? 0);
        if (reply?.status === 200) ledger.acknowledged.get(session)!.push(message);
        else await sleep(50);
      }
    }),
  );
}

describeWith(['redis-server', 'haproxy'], 'a Redis restart under traffic', () => {
  let stack: LocalStackHandle;

  beforeAll(async () => {
    stack = await startLocalStack({
      agentReplicas: 2,
      loadTimeSec: 0,
      toolsLatencyScale: 0,
      healthCheckIntervalMs: 200,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 503 while Redis is down and loses no acknowledged turn', async () => {
    const sessions = ['r-a', 'r-b', 'r-c'];
    const ledger: Ledger = { acknowledged: new Map(sessions.map((s) => [s, []])), statuses: [] };
    const stop = { now: false };
    const traffic = converse(stack, sessions, ledger, stop);
    const countOk = () => ledger.statuses.filter((s) => s === 200).length;
    let gap: number[];
    try {
      await waitFor(() => countOk() >= 6, 10_000, '6 turns acknowledged before the restart');
      await stack.control.kill('redis');
      const gapStart = ledger.statuses.length;
      await sleep(2_000);
      await stack.control.restart('redis');
      gap = ledger.statuses.slice(gapStart);
      const okBefore = countOk();
      await waitFor(() => countOk() >= okBefore + 6, 10_000, '6 more turns acknowledged after the restart');
    } finally {
      stop.now = true;
      await traffic;
    }

    expect(gap).toContain(503);
    expect(ledger.statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    const key = stack.tenants[0]!.apiKey;
    for (const session of sessions) {
      const stored = (await getSession(stack.agentUrl, key, session)).turns.map((t) => t.user);
      const acknowledged = ledger.acknowledged.get(session)!;
      expect(stored.filter((m) => acknowledged.includes(m))).toEqual(acknowledged);
    }
  });
});
