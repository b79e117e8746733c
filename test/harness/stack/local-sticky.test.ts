import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalStack, type LocalStackHandle } from '../../../harness/stack/local.ts';
import { getSession, sendTurn } from '../../integration/agent-client.ts';
import { describeWith } from './support.ts';

describeWith(['redis-server', 'haproxy'], 'local stack with sticky sessions', () => {
  let stack: LocalStackHandle;
  const turn = (session: string, message: string) =>
    sendTurn(stack.agentUrl, stack.tenants[1]!.apiKey, session, message);

  beforeAll(async () => {
    stack = await startLocalStack({
      agentReplicas: 2,
      sticky: true,
      loadTimeSec: 0,
      toolsLatencyScale: 0,
      healthCheckIntervalMs: 200,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('pins every turn of a session to one replica while sessions spread over both', async () => {
    const pinned = new Map<string, string | null>();
    for (const session of ['s-a', 's-b', 's-c', 's-d']) {
      const replicas = new Set<string | null>();
      for (let i = 0; i < 3; i += 1) replicas.add((await turn(session, `turn ${i}`)).replica);
      expect(replicas.size).toBe(1);
      pinned.set(session, [...replicas][0]!);
    }
    expect(new Set(pinned.values()).size).toBe(2);
  });

  it('moves a pinned session to the other replica when its replica dies, history intact', async () => {
    const first = await turn('s-move', 'before');
    const other = first.replica === 'agent-0' ? 'agent-1' : 'agent-0';
    await stack.control.kill(first.replica!);
    const after = await turn('s-move', 'after');
    expect(after).toMatchObject({ status: 200, replica: other });
    const history = await getSession(stack.agentUrl, stack.tenants[1]!.apiKey, 's-move');
    expect(history.turns.map((t) => t.user)).toEqual(['before', 'after']);
  });
});
