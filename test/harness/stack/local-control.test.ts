import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalStack, type LocalStackHandle } from '../../../harness/stack/local.ts';
import { haproxyServerStatus, sendTurn } from '../../integration/agent-client.ts';
import { describeWith, eventually, processState, survivors } from './support.ts';

describeWith(['redis-server', 'haproxy'], 'local stack control', () => {
  let stack: LocalStackHandle;
  const info = (id: string) => stack.control.list().find((c) => c.id === id)!;
  const turn = (session: string) => sendTurn(stack.agentUrl, stack.tenants[0]!.apiKey, session, 'hello');
  const serverStatus = async (server: string) => (await haproxyServerStatus(stack.haproxy!.statsUrl))[server];

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

  it('kills a replica with SIGKILL while the other keeps serving', async () => {
    const { pid, url } = info('agent-0');
    await stack.control.kill('agent-0');
    expect(info('agent-0')).toMatchObject({ state: 'stopped', pid: null, url });
    expect(survivors([pid!])).toEqual([]);
    // Connections refused by the dead replica are retried on the other before any check notices.
    for (let i = 0; i < 4; i += 1)
      expect(await turn(`after-kill-${i}`)).toMatchObject({ status: 200, replica: 'agent-1' });
  });

  it('restarts a killed replica on the same port and puts it back in rotation', async () => {
    const { url } = info('agent-0');
    await stack.control.restart('agent-0');
    expect(info('agent-0')).toMatchObject({ state: 'running', url });
    await eventually(
      async () => ((await serverStatus('agents/agent-0')) === 'UP' ? true : undefined),
      10_000,
      'agent-0 UP',
    );
  });

  it('pauses a replica with SIGSTOP, HAProxy takes it out, and resume brings it back', async () => {
    await stack.control.pause('agent-1');
    const { pid } = info('agent-1');
    expect(info('agent-1').state).toBe('paused');
    await eventually(() => (processState(pid!) === 'T' ? true : undefined), 5_000, 'agent-1 stopped');
    await eventually(
      async () => ((await serverStatus('agents/agent-1')) === 'DOWN' ? true : undefined),
      10_000,
      'agent-1 DOWN',
    );
    for (let i = 0; i < 3; i += 1)
      expect(await turn(`paused-${i}`)).toMatchObject({ status: 200, replica: 'agent-0' });
    await stack.control.resume('agent-1');
    expect(info('agent-1').state).toBe('running');
    await eventually(() => (processState(pid!) !== 'T' ? true : undefined), 5_000, 'agent-1 running');
    await eventually(
      async () => ((await serverStatus('agents/agent-1')) === 'UP' ? true : undefined),
      10_000,
      'agent-1 UP',
    );
  });

  it('restarts a model server cold: loading while it loads, then running', async () => {
    const restarting = stack.control.restart('model-0', { loadTimeSec: 1 });
    await eventually(
      () => (info('model-0').state === 'loading' ? true : undefined),
      10_000,
      'model-0 loading',
    );
    await restarting;
    expect(info('model-0').state).toBe('running');
    expect((await fetch(`${stack.modelUrls[0]}/health`)).status).toBe(200);
  });

  it('kills and restarts HAProxy on the same port', async () => {
    await stack.control.kill('haproxy');
    await expect(fetch(`${stack.agentUrl}/readyz`)).rejects.toThrow();
    await stack.control.restart('haproxy');
    expect(info('haproxy').state).toBe('running');
    await eventually(
      async () => ((await serverStatus('agents/agent-0')) === 'UP' ? true : undefined),
      10_000,
      'checks',
    );
    expect(await turn('after-haproxy')).toMatchObject({ status: 200 });
  });

  it('names the components it has when asked for one it does not', async () => {
    await expect(stack.control.kill('agent-9')).rejects.toMatchObject({
      code: 'AL_STACK_CONTROL',
      hint: expect.stringContaining('agent-0'),
    });
  });

  it('refuses to remove the last model replica or a component that is not a replica', async () => {
    await expect(stack.control.removeReplica('model-0')).rejects.toMatchObject({ code: 'AL_STACK_CONTROL' });
    await expect(stack.control.removeReplica('redis')).rejects.toMatchObject({ code: 'AL_STACK_CONTROL' });
  });
});
