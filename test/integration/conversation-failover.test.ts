import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalStack, type LocalStackHandle } from '../../harness/stack/local.ts';
import { describeWith } from '../harness/stack/support.ts';
import { getSession, sendTurn, setModelFaults, streamTurn } from './agent-client.ts';

describeWith(['redis-server', 'haproxy'], 'a conversation across a replica crash', () => {
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

  it('continues with its history on another replica when the one streaming it is killed mid-turn', async () => {
    const key = stack.tenants[0]!.apiKey;
    const first = await sendTurn(stack.agentUrl, key, 'conv', 'My order is ORD-10442.');
    expect(first).toMatchObject({ status: 200, body: { turn: 1 } });

    // Slow the model so the second turn is still streaming when its replica dies.
    await setModelFaults(stack.modelUrls[0]!, stack.adminToken!, { latencyMultiplier: 100 });
    const stream = streamTurn(stack.agentUrl, key, 'conv', 'Where is it now?', 200);
    const { replica } = await stream.firstToken;
    await stack.control.kill(replica!);
    const broken = await stream.outcome;
    await setModelFaults(stack.modelUrls[0]!, stack.adminToken!, { latencyMultiplier: 1 });
    expect(broken.done).toBe(false);

    const third = await sendTurn(stack.agentUrl, key, 'conv', 'Thanks. And the weather in Lisbon?');
    expect(third.status).toBe(200);
    expect(third.replica).not.toBe(replica);
    // Turn numbers come from the stored history: the unacknowledged turn was not stored.
    expect(third.body.turn).toBe(2);
    const history = await getSession(stack.agentUrl, key, 'conv');
    expect(history.turns.map((t) => t.user)).toEqual([
      'My order is ORD-10442.',
      'Thanks. And the weather in Lisbon?',
    ]);
  });
});
