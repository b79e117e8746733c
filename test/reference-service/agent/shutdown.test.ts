import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../../reference-service/agent/store/memory-store.ts';
import { waitFor } from '../../support/service.ts';
import { call, keys, parseSse, startAgentStack, type AgentStack } from './helpers/agent-stack.ts';

let stack: AgentStack | null = null;

afterEach(async () => {
  await stack?.close();
  stack = null;
});

function streamTurn(s: AgentStack, sessionId: string, maxTokens: number): Promise<string> {
  return call(s.agent, `/v1/sessions/${sessionId}/turns`, {
    body: { message: 'tell me a story', max_tokens: maxTokens, stream: true },
  }).then((r) => r.text());
}

describe('graceful shutdown', () => {
  it('finishes and stores the streams in flight while refusing new turns and failing readiness', async () => {
    const store = new MemoryStateStore({ sessionTtlSec: 3600 });
    stack = await startAgentStack({ store });
    const s = stack;
    s.model.faults.setLatencyMultiplier(20);
    const streams = [streamTurn(s, 'drain-1', 12), streamTurn(s, 'drain-2', 12)];
    await waitFor(() => s.model.inFlightRequests() === 2);
    const closing = s.agent.close(20_000);
    const refused = await call(s.agent, '/v1/sessions/drain-3/turns', { body: { message: 'hi' } });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: 'shutting_down' } });
    expect((await call(s.agent, '/readyz', { key: null })).status).toBe(503);
    expect((await call(s.agent, '/healthz', { key: null })).status).toBe(200);
    for (const text of await Promise.all(streams)) {
      const events = parseSse(text);
      expect(events.map((e) => e.event)).toContain('done');
      expect(events.at(-1)!.data).toBe('[DONE]');
    }
    await closing;
    expect((await store.getSession('acme', 'drain-1'))?.length).toBe(1);
    expect((await store.getSession('acme', 'drain-2'))?.length).toBe(1);
  });

  it('cuts streams still running when the grace period ends, with an error event and no stored turn', async () => {
    const store = new MemoryStateStore({ sessionTtlSec: 3600 });
    stack = await startAgentStack({ store });
    const s = stack;
    s.model.faults.setLatencyMultiplier(100);
    const res = await call(s.agent, '/v1/sessions/cut-1/turns', {
      body: { message: 'tell me a story', max_tokens: 64, stream: true },
    });
    // Headers arrive with the first event: the stream is open and has sent a token.
    expect(res.headers.get('content-type')).toMatch(/event-stream/);
    const rest = res.text();
    await s.agent.close(100);
    const events = parseSse(await rest);
    expect(events.at(-1)!.data).toBe('[DONE]');
    expect(events.some((e) => e.event === 'done')).toBe(false);
    const error = events.find((e) => e.event === 'error')!;
    expect(JSON.parse(error.data)).toMatchObject({ error: { code: 'shutting_down' } });
    expect(await store.getSession('acme', 'cut-1')).toEqual([]);
  });
});

describe('per-replica in-flight limit', () => {
  it('sheds turns beyond the limit with 503 and Retry-After', async () => {
    stack = await startAgentStack({ tune: (raw) => (raw.caps = { maxInFlight: 1 }) });
    const s = stack;
    s.model.faults.setLatencyMultiplier(20);
    const first = streamTurn(s, 'busy-1', 8);
    await waitFor(() => s.agent.runtime.inFlight.current === 1);
    const shed = await call(s.agent, '/v1/sessions/busy-2/turns', {
      body: { message: 'me too' },
      key: keys.globex,
    });
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(await shed.json()).toMatchObject({ error: { code: 'overloaded' } });
    s.model.faults.reset();
    expect(parseSse(await first).at(-1)!.data).toBe('[DONE]');
  });
});
