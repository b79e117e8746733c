import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../reference-service/agent/auth.ts';
import {
  call,
  keys,
  modelRequestCount,
  parseSse,
  startAgentStack,
  type AgentStack,
} from './helpers/agent-stack.ts';

let stack: AgentStack;

beforeAll(async () => {
  stack = await startAgentStack({
    withTools: true,
    tune: (raw) => {
      raw.caps = { maxMessageChars: 2_000, maxTokens: 64, defaultMaxTokens: 16, bodyLimitBytes: 4_096 };
      raw.tenants.push({
        name: 'capped',
        keyHashes: [hashApiKey('capped-key-0001')],
        limits: { requestsPerMin: 1_000, tokensPerMin: 1_000_000 },
        maxSessions: 1,
      });
    },
  });
});

afterAll(async () => {
  await stack?.close();
});

describe('agent service over HTTP', () => {
  it('answers a JSON turn and stores it in the session history', async () => {
    const res = await call(stack.agent, '/v1/sessions/json-1/turns', {
      body: { message: 'Hello, who are you?' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      turn: number;
      message: { content: string };
      usage: { completion_tokens: number };
      degraded: boolean;
    };
    expect(body.turn).toBe(1);
    expect(body.degraded).toBe(false);
    expect(body.message.content.length).toBeGreaterThan(0);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    const history = (await (await call(stack.agent, '/v1/sessions/json-1')).json()) as {
      turns: { turn: number; user: string; assistant: string }[];
    };
    expect(history.turns).toEqual([
      expect.objectContaining({
        turn: 1,
        user: 'Hello, who are you?',
        assistant: body.message.content,
        degraded: false,
      }),
    ]);
  });

  it('streams tool events, OpenAI-style chunks, a done event with usage, then [DONE]', async () => {
    const res = await call(stack.agent, '/v1/sessions/sse-1/turns', {
      body: { message: 'What is the weather in Lisbon today?', stream: true, max_tokens: 12 },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await res.text());
    const kinds = events.map((e) =>
      e.event === 'message' && e.data !== '[DONE]' ? 'chunk' : e.event === 'message' ? 'end' : e.event,
    );
    expect(kinds[0]).toBe('tool');
    expect(kinds.slice(-2)).toEqual(['done', 'end']);
    expect(kinds.indexOf('chunk')).toBeGreaterThan(kinds.lastIndexOf('tool'));
    const tool = JSON.parse(events[0]!.data) as { name: string; ok: boolean; durationMs: number };
    expect(tool).toMatchObject({ name: 'get_weather', ok: true });
    const chunk = JSON.parse(events.find((e) => e.event === 'message')!.data) as {
      object: string;
      choices: { delta: { content: string } }[];
    };
    expect(chunk.object).toBe('chat.completion.chunk');
    const done = JSON.parse(events.at(-2)!.data) as Record<string, unknown>;
    expect(done).toMatchObject({
      object: 'agent.turn',
      sessionId: 'sse-1',
      turn: 1,
      degraded: false,
      toolSteps: [tool],
    });
    expect((done.usage as { total_tokens: number }).total_tokens).toBeGreaterThan(0);
    const streamed = events
      .filter((e) => e.event === 'message' && e.data !== '[DONE]')
      .map((e) => (JSON.parse(e.data) as typeof chunk).choices[0]!.delta.content)
      .join('');
    const history = (await (await call(stack.agent, '/v1/sessions/sse-1')).json()) as {
      turns: { assistant: string }[];
    };
    expect(history.turns[0]!.assistant).toBe(streamed);
  });

  it('echoes x-request-id and names the replica on every response', async () => {
    const res = await call(stack.agent, '/v1/sessions/none', { headers: { 'x-request-id': 'req-abc.1' } });
    expect(res.headers.get('x-request-id')).toBe('req-abc.1');
    expect(res.headers.get('x-agentload-replica')).toBe('agent-test');
    const generated = await call(stack.agent, '/healthz', {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 401 without a valid key on every tenant route, before reading the body', async () => {
    const before = await modelRequestCount(stack.model);
    for (const key of [null, 'wrong-key', `${keys.acme}x`]) {
      expect((await call(stack.agent, '/v1/sessions/s/turns', { key, body: { message: 'hi' } })).status).toBe(
        401,
      );
      expect((await call(stack.agent, '/v1/sessions/s', { key })).status).toBe(401);
      expect((await call(stack.agent, '/v1/sessions/s', { key, method: 'DELETE' })).status).toBe(401);
    }
    const res = await call(stack.agent, '/v1/sessions/s', { key: 'wrong' });
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect(await modelRequestCount(stack.model)).toBe(before);
  });

  it("answers 404 for another tenant's session and leaves it intact", async () => {
    expect(
      (await call(stack.agent, '/v1/sessions/private-1/turns', { body: { message: 'secret plan' } })).status,
    ).toBe(200);
    const asGlobex = { key: keys.globex };
    const got = await call(stack.agent, '/v1/sessions/private-1', asGlobex);
    expect(got.status).toBe(404);
    expect(await got.text()).not.toContain('secret');
    expect(
      (await call(stack.agent, '/v1/sessions/private-1', { ...asGlobex, method: 'DELETE' })).status,
    ).toBe(404);
    expect((await call(stack.agent, '/v1/sessions/private-1')).status).toBe(200);
    expect((await call(stack.agent, '/v1/sessions/never-made')).status).toBe(404);
  });

  it('deletes a session with 204, after which it is gone', async () => {
    await call(stack.agent, '/v1/sessions/del-1/turns', { body: { message: 'hi' } });
    expect((await call(stack.agent, '/v1/sessions/del-1', { method: 'DELETE' })).status).toBe(204);
    expect((await call(stack.agent, '/v1/sessions/del-1')).status).toBe(404);
  });

  it('rejects bad input with 400, 413 and 415 without calling the model', async () => {
    const before = await modelRequestCount(stack.model);
    const cases: [unknown, number, Record<string, string>?][] = [
      [{ message: 'hi', extra: true }, 400],
      [{ message: '' }, 400],
      [{ message: 'x'.repeat(2_001) }, 400],
      [{ message: 'hi', max_tokens: 65 }, 400],
      [{ message: 'hi', max_tokens: '5' }, 400],
      [{ message: 'hi', stream: 'yes' }, 400],
      ['{"message": "hi", "__proto__": {"x": 1}}', 400],
      ['{not json', 400],
      [{ message: 'y'.repeat(1_500), pad: 'z'.repeat(3_000) }, 413],
      [{ message: 'hi' }, 415, { 'content-type': 'text/plain' }],
    ];
    for (const [body, status, headers] of cases) {
      const res = await call(stack.agent, '/v1/sessions/bad/turns', { body, headers });
      expect({ body: String(JSON.stringify(body)).slice(0, 40), status: res.status }).toEqual({
        body: String(JSON.stringify(body)).slice(0, 40),
        status,
      });
      expect(((await res.json()) as { error: { code: string } }).error.code).toEqual(expect.any(String));
    }
    expect((await call(stack.agent, '/v1/sessions/bad%20id/turns', { body: { message: 'hi' } })).status).toBe(
      400,
    );
    expect(await modelRequestCount(stack.model)).toBe(before);
  });

  it('refuses a new session once the tenant holds its cap, with 409', async () => {
    const key = 'capped-key-0001';
    expect((await call(stack.agent, '/v1/sessions/one/turns', { key, body: { message: 'hi' } })).status).toBe(
      200,
    );
    const second = await call(stack.agent, '/v1/sessions/two/turns', { key, body: { message: 'hi' } });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: 'session_limit_reached' } });
    expect(
      (await call(stack.agent, '/v1/sessions/one/turns', { key, body: { message: 'again' } })).status,
    ).toBe(200);
  });

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const doc = (await (await call(stack.agent, '/openapi.json', { key: null })).json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: Record<string, { schema: { properties: Record<string, { maxLength?: number }> } }>;
            };
            responses: Record<string, unknown>;
          }
        >
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    const turn = doc.paths['/v1/sessions/{sessionId}/turns']!.post!;
    expect(turn.requestBody!.content['application/json']!.schema.properties.message!.maxLength).toBe(2_000);
    expect(Object.keys(turn.responses)).toEqual(
      expect.arrayContaining(['200', '401', '409', '422', '429', '503']),
    );
    expect(Object.keys(doc.paths['/v1/sessions/{sessionId}']!)).toEqual(['get', 'delete']);
    expect(doc.paths['/healthz']).toBeDefined();
  });

  it('exports its metrics on /metrics', async () => {
    const text = await (await call(stack.agent, '/metrics', { key: null })).text();
    for (const name of [
      'agent_http_request_duration_seconds_bucket',
      'agent_ttft_seconds_bucket',
      'agent_tokens_total{type="completion"',
      'agent_model_calls_total{outcome="ok"',
      'agent_model_breaker_state{state="closed"',
      'agent_in_flight_requests',
      'agent_breaker_open',
      'agent_tool_calls_total',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('reports liveness and readiness', async () => {
    expect((await call(stack.agent, '/healthz', { key: null })).status).toBe(200);
    const ready = await call(stack.agent, '/readyz', { key: null });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { store: 'ok', model: 'ok' } });
  });
});
