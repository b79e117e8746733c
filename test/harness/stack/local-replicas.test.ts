import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalStack, type LocalStackHandle } from '../../../harness/stack/local.ts';
import { haproxyServerStatus, sendTurn, setModelFaults, streamTurn } from '../../integration/agent-client.ts';
import { describeWith, eventually, survivors } from './support.ts';

/**
 * A stream stays in flight across the change because the model is slowed (about 0.8 s per token)
 * until the change is done; then it speeds up and the stream must still end with its `done` event.
 */
describeWith(['redis-server', 'haproxy'], 'local stack replicas', () => {
  let stack: LocalStackHandle;
  const key = () => stack.tenants[0]!.apiKey;
  const slowModels = (latencyMultiplier: number) =>
    Promise.all(stack.modelUrls.map((url) => setModelFaults(url, stack.adminToken!, { latencyMultiplier })));
  const statuses = () => haproxyServerStatus(stack.haproxy!.statsUrl);

  beforeAll(async () => {
    stack = await startLocalStack({
      agentReplicas: 2,
      loadTimeSec: 0,
      toolsLatencyScale: 0,
      healthCheckIntervalMs: 200,
      stopGraceMs: 2_000,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('adds an agent replica while a stream is in flight; the stream completes and the new replica gets traffic', async () => {
    await slowModels(100);
    const stream = streamTurn(stack.agentUrl, key(), 'add-inflight', 'Tell me a long story', 200);
    await stream.firstToken;
    const added = await stack.control.addReplica('agent');
    const changedAtMs = Date.now();
    await slowModels(1);
    const outcome = await stream.outcome;
    expect(outcome).toMatchObject({ status: 200, done: true, error: null });
    expect(outcome.finishedAtMs).toBeGreaterThan(changedAtMs);
    expect(added).toMatchObject({ id: 'agent-2', kind: 'agent', state: 'running' });
    expect(stack.replicas.map((r) => r.id)).toEqual(['agent-0', 'agent-1', 'agent-2']);
    await eventually(
      async () =>
        (await sendTurn(stack.agentUrl, key(), `to-new-${Date.now()}`, 'hi')).replica === 'agent-2'
          ? true
          : undefined,
      15_000,
      'a turn served by agent-2',
    );
  });

  it('removes the replica a stream is on; the stream completes before the replica stops', async () => {
    await slowModels(100);
    const stream = streamTurn(stack.agentUrl, key(), 'remove-inflight', 'Tell me a long story', 200);
    const { replica } = await stream.firstToken;
    const { pid } = stack.replicas.find((r) => r.id === replica)!;
    const removing = stack.control.removeReplica(replica!);
    await eventually(
      async () => (`agents/${replica}` in (await statuses()) ? undefined : true),
      10_000,
      'reload',
    );
    const changedAtMs = Date.now();
    await slowModels(1);
    const outcome = await stream.outcome;
    await removing;
    expect(outcome).toMatchObject({ status: 200, done: true, error: null, replica });
    expect(outcome.finishedAtMs).toBeGreaterThan(changedAtMs);
    expect(stack.replicas.map((r) => r.id)).not.toContain(replica);
    expect(survivors([pid!])).toEqual([]);
    for (let i = 0; i < 4; i += 1) {
      const reply = await sendTurn(stack.agentUrl, key(), `after-remove-${i}`, 'hi');
      expect(reply.status).toBe(200);
      expect(reply.replica).not.toBe(replica);
    }
  });

  it('adds and removes a model replica behind the model frontend', async () => {
    const added = await stack.control.addReplica('model', { loadTimeSec: 0 });
    expect(added.id).toBe('model-1');
    expect(stack.modelUrls).toHaveLength(2);
    await eventually(
      async () => ((await statuses())['models/model-1'] === 'UP' ? true : undefined),
      10_000,
      'model-1 UP',
    );
    await stack.control.removeReplica('model-1');
    expect(stack.modelUrls).toHaveLength(1);
    expect(survivors([added.pid!])).toEqual([]);
    expect(await sendTurn(stack.agentUrl, key(), 'after-model-remove', 'hi')).toMatchObject({ status: 200 });
  });

  it('refuses a replica of another kind', async () => {
    await expect(stack.control.addReplica('redis' as never)).rejects.toMatchObject({
      code: 'AL_STACK_CONTROL',
    });
  });
});
