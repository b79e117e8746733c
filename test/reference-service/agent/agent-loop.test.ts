import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../../reference-service/agent/config.ts';
import { demoAgentConfig } from '../../../reference-service/agent/demo-config.ts';
import { startAgent, type RunningAgent } from '../../../reference-service/agent/start.ts';
import { startToolsService, type ToolsServiceHandle } from '../../../reference-service/tools/index.ts';
import { call, captureLogs, parseSse } from './helpers/agent-stack.ts';
import { startFakeModel, type FakeModel } from './helpers/fake-model.ts';

// The simulator always answers in text after a tool result, so it cannot show the iteration cap;
// this scripted model can (and lets the test read the headers the agent sent).
let model: FakeModel;
let tools: ToolsServiceHandle;
let agent: RunningAgent;

beforeAll(async () => {
  model = await startFakeModel();
  tools = await startToolsService({ seed: 1 });
  const raw = demoAgentConfig({ modelUrl: model.url, toolsUrl: tools.url });
  raw.caps = { maxToolIterations: 2 };
  agent = await startAgent({ config: parseAgentConfig(raw), logStream: captureLogs().stream });
});

afterAll(async () => {
  await agent?.close(1_000);
  await model?.close();
  await tools?.close();
});

beforeEach(() => {
  model.calls = 0;
  model.toolsOffered = [];
  model.mode = 'ok';
  model.toolName = 'get_weather';
});

describe('agent loop', () => {
  it('propagates x-request-id to the model server', async () => {
    await call(agent, '/v1/sessions/rid/turns', {
      body: { message: 'hi' },
      headers: { 'x-request-id': 'trace-42' },
    });
    expect(model.lastHeaders['x-request-id']).toBe('trace-42');
  });

  it('stops offering tools after the iteration cap, so the model must answer', async () => {
    model.mode = 'always-tool';
    const res = await call(agent, '/v1/sessions/loop/turns', { body: { message: 'weather?', stream: true } });
    const events = parseSse(await res.text());
    expect(events.filter((e) => e.event === 'tool')).toHaveLength(2);
    expect(model.toolsOffered).toEqual([true, true, false]);
    const done = JSON.parse(events.find((e) => e.event === 'done')!.data) as {
      toolSteps: unknown[];
      usage: { total_tokens: number };
    };
    expect(done.toolSteps).toHaveLength(2);
    // Usage sums the three model calls; the scripted model reports 10 prompt + 3 completion tokens each.
    expect(done.usage.total_tokens).toBe(39);
  });

  it('reports a tool the tools service does not offer as a failed step and still answers', async () => {
    model.mode = 'tool';
    model.toolName = 'rm_rf';
    const body = (await (
      await call(agent, '/v1/sessions/unknown-tool/turns', { body: { message: 'do it' } })
    ).json()) as {
      toolSteps: { name: string; ok: boolean }[];
      message: { content: string };
    };
    expect(body.toolSteps).toEqual([expect.objectContaining({ name: 'rm_rf', ok: false })]);
    expect(body.message.content).toBe('Hello there.');
  });

  it('retries a 503 until the attempts are spent, then degrades', async () => {
    model.mode = 'fail';
    const degraded = (await (
      await call(agent, '/v1/sessions/fail/turns', { body: { message: 'x' } })
    ).json()) as { degraded: boolean };
    expect(degraded.degraded).toBe(true);
    expect(model.calls).toBe(3);
  });

  it('does not retry a request the model rejects, answering 502 without storing the turn', async () => {
    model.mode = 'reject';
    const res = await call(agent, '/v1/sessions/reject/turns', { body: { message: 'x' } });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: 'model_rejected' } });
    expect(model.calls).toBe(1);
    expect(((await (await call(agent, '/v1/sessions/reject')).json()) as { turns: unknown[] }).turns).toEqual(
      [],
    );
  });
});
