import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  keys,
  modelRequestCount,
  parseSse,
  startAgentStack,
  type AgentStack,
} from './helpers/agent-stack.ts';
import { startTestRedis, type TestRedis } from '../../support/redis-process.ts';
import { waitFor } from '../../support/service.ts';

let redis: TestRedis;
let stack: AgentStack;

beforeAll(async () => {
  redis = await startTestRedis();
  stack = await startAgentStack({ redisUrl: redis.url });
});

afterAll(async () => {
  await stack?.close();
  await redis?.stop();
});

describe('Idempotency-Key on turns (Redis store)', () => {
  it('replays the stored answer and calls the model only once', async () => {
    const before = await modelRequestCount(stack.model);
    const request = {
      body: { message: 'Tell me about load testing', max_tokens: 12 },
      headers: { 'idempotency-key': 'idem-json-1' },
    };
    const first = await call(stack.agent, '/v1/sessions/idem-a/turns', request);
    const firstBody = await first.json();
    const second = await call(stack.agent, '/v1/sessions/idem-a/turns', request);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(firstBody);
    expect((await modelRequestCount(stack.model)) - before).toBe(1);
    const history = (await (await call(stack.agent, '/v1/sessions/idem-a')).json()) as { turns: unknown[] };
    expect(history.turns).toHaveLength(1);
  });

  it('replays a streamed turn as a stream with the same content and turn number', async () => {
    const request = {
      body: { message: 'Stream this', max_tokens: 8, stream: true },
      headers: { 'idempotency-key': 'idem-sse-1' },
    };
    const text = (events: ReturnType<typeof parseSse>) =>
      events
        .filter((e) => e.event === 'message' && e.data !== '[DONE]')
        .map(
          (e) =>
            (JSON.parse(e.data) as { choices: { delta: { content: string } }[] }).choices[0]!.delta.content,
        )
        .join('');
    const first = parseSse(await (await call(stack.agent, '/v1/sessions/idem-b/turns', request)).text());
    const before = await modelRequestCount(stack.model);
    const replay = parseSse(await (await call(stack.agent, '/v1/sessions/idem-b/turns', request)).text());
    expect(await modelRequestCount(stack.model)).toBe(before);
    expect(text(replay)).toBe(text(first));
    const done = (events: ReturnType<typeof parseSse>) =>
      JSON.parse(events.find((e) => e.event === 'done')!.data) as { turn: number };
    expect(done(replay).turn).toBe(done(first).turn);
    expect(replay.at(-1)!.data).toBe('[DONE]');
  });

  it('answers 409 while the same key is in flight and 422 for the same key with another body', async () => {
    stack.model.faults.setLatencyMultiplier(30);
    try {
      const headers = { 'idempotency-key': 'idem-busy' };
      const abandon = new AbortController();
      const firstPromise = call(stack.agent, '/v1/sessions/idem-c/turns', {
        body: { message: 'slow one', max_tokens: 20 },
        headers,
        signal: abandon.signal,
      }).catch(() => null);
      await waitFor(() => stack.model.inFlightRequests() > 0);
      const concurrent = await call(stack.agent, '/v1/sessions/idem-c/turns', {
        body: { message: 'slow one', max_tokens: 20 },
        headers,
      });
      expect(concurrent.status).toBe(409);
      expect(await concurrent.json()).toMatchObject({ error: { code: 'idempotency_in_flight' } });
      const other = await call(stack.agent, '/v1/sessions/idem-c/turns', {
        body: { message: 'another body', max_tokens: 20 },
        headers,
      });
      expect(other.status).toBe(422);
      expect(await other.json()).toMatchObject({ error: { code: 'idempotency_mismatch' } });
      // The client gives up: the agent aborts the model call and frees the key for a retry.
      abandon.abort();
      await firstPromise;
      await waitFor(() => stack.model.inFlightRequests() === 0);
      stack.model.faults.reset();
      const retry = await call(stack.agent, '/v1/sessions/idem-c/turns', {
        body: { message: 'slow one', max_tokens: 20 },
        headers,
      });
      expect(retry.status).toBe(200);
    } finally {
      stack.model.faults.reset();
    }
  });

  it("scopes keys to the tenant: another tenant's identical key is a new turn", async () => {
    const request = {
      body: { message: 'same words', max_tokens: 4 },
      headers: { 'idempotency-key': 'shared-key' },
    };
    await call(stack.agent, '/v1/sessions/idem-d/turns', request);
    const other = await call(stack.agent, '/v1/sessions/idem-d/turns', { ...request, key: keys.globex });
    expect(other.status).toBe(200);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
  });
});
