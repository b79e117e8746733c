import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TurnClient } from '../../../../../harness/engine/client/index.ts';
import { chatChunk, sse, startScriptedServer, testClient, turnRequest } from '../scripted-server.ts';
import type { ScriptedServer } from '../scripted-server.ts';

const done = (extra: Record<string, unknown> = {}) =>
  sse(
    {
      object: 'agent.turn',
      sessionId: 's1',
      turn: 1,
      usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
      toolSteps: [],
      degraded: false,
      finishReason: 'stop',
      ...extra,
    },
    'done',
  );

describe('agent protocol adapter', () => {
  let server: ScriptedServer;
  let client: TurnClient;

  beforeAll(async () => {
    server = await startScriptedServer({
      '/ok': {
        headers: { 'x-agentload-replica': 'agent-2' },
        steps: [
          { clockMs: 100 },
          sse({ name: 'search', ok: true, durationMs: 12 }, 'tool'),
          20,
          { clockMs: 200 },
          sse(chatChunk('Hel')),
          20,
          { clockMs: 300 },
          sse(chatChunk('lo')),
          20,
          { clockMs: 450 },
          sse(chatChunk('!')),
          done(),
          sse('[DONE]'),
        ],
      },
      '/no-usage': {
        steps: [sse(chatChunk('a')), sse(chatChunk('b')), done({ usage: null }), sse('[DONE]')],
      },
      '/degraded': { steps: [sse(chatChunk('sorry')), done({ degraded: true }), sse('[DONE]')] },
      '/error-event': {
        steps: [
          sse(chatChunk('a')),
          sse({ error: { code: 'model_unavailable', message: 'breaker open' } }, 'error'),
          sse('[DONE]'),
        ],
      },
      '/no-done': { steps: [sse(chatChunk('a')), sse('[DONE]')] },
      '/cut': { steps: [sse(chatChunk('a')), 20, 'destroy'] },
      '/json': {
        headers: { 'content-type': 'application/json' },
        steps: [
          JSON.stringify({
            sessionId: 's1',
            turn: 2,
            message: { role: 'assistant', content: 'whole answer' },
            usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
            toolSteps: [],
            degraded: true,
          }),
        ],
      },
    });
    client = testClient(server.url, { now: server.now });
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('times the first token at the first content chunk, after the tool events', async () => {
    const r = await client.send(turnRequest('agent', '/ok'));
    expect(r.errorClass).toBeNull();
    expect(r.status).toBe(200);
    expect(r.firstByteMs).not.toBeNull();
    expect(r.firstTokenMs).toBeGreaterThanOrEqual(200);
    expect(r.sentAtMs).toBeLessThanOrEqual(r.firstByteMs!);
    expect(r.endMs).toBeGreaterThanOrEqual(450);
    expect(r.text).toBe('Hello!');
  });

  it('records one gap per pair of successive content chunks', async () => {
    const r = await client.send(turnRequest('agent', '/ok'));
    expect(r.tokenGapsMs).toHaveLength(2);
    // Each gap is stamped from the arrival clock, so together they span first to last token.
    expect(r.firstTokenMs! + r.tokenGapsMs[0]! + r.tokenGapsMs[1]!).toBeGreaterThanOrEqual(450);
  });

  it('takes token counts from the done event usage when present', async () => {
    const r = await client.send(turnRequest('agent', '/ok'));
    expect(r.outputTokens).toBe(7);
    expect(r.inputTokens).toBe(42);
    expect(r.tokenSource).toBe('usage');
    expect(r.finishReason).toBe('stop');
  });

  it('counts content chunks when the done event has no usage', async () => {
    const r = await client.send(turnRequest('agent', '/no-usage'));
    expect(r.errorClass).toBeNull();
    expect(r.outputTokens).toBe(2);
    expect(r.inputTokens).toBeNull();
    expect(r.tokenSource).toBe('counted');
  });

  it('reads the replica header and the degraded flag', async () => {
    expect((await client.send(turnRequest('agent', '/ok'))).replica).toBe('agent-2');
    expect((await client.send(turnRequest('agent', '/ok'))).degraded).toBe(false);
    const degraded = await client.send(turnRequest('agent', '/degraded'));
    expect(degraded.degraded).toBe(true);
    expect(degraded.replica).toBeNull();
  });

  it('classifies an error event inside a 200 as stream_error with its message', async () => {
    const r = await client.send(turnRequest('agent', '/error-event'));
    expect(r.status).toBe(200);
    expect(r.errorClass).toBe('stream_error');
    expect(r.errorMessage).toBe('model_unavailable: breaker open');
    expect(r.outputTokens).toBe(1);
  });

  it('fails a stream that ends without the done event, since the turn is not acknowledged', async () => {
    const r = await client.send(turnRequest('agent', '/no-done'));
    expect(r.errorClass).toBe('stream_error');
    expect(r.errorMessage).toContain('done');
  });

  it('classifies a connection cut mid-stream as stream_error', async () => {
    const r = await client.send(turnRequest('agent', '/cut'));
    expect(r.errorClass).toBe('stream_error');
    expect(r.firstTokenMs).not.toBeNull();
    expect(r.outputTokens).toBe(1);
  });

  it('reads a non-streamed JSON answer', async () => {
    const r = await client.send(turnRequest('agent', '/json', { message: 'hi' }));
    expect(r.errorClass).toBeNull();
    expect(r.text).toBe('whole answer');
    expect(r.firstTokenMs).toBeNull();
    expect(r.outputTokens).toBe(2);
    expect(r.degraded).toBe(true);
  });

  it('sends the body unchanged with a JSON content type', async () => {
    const before = server.bodies.length;
    await client.send(turnRequest('agent', '/ok', { message: 'exact', max_tokens: 3, stream: true }));
    expect(server.bodies[before]).toEqual({ message: 'exact', max_tokens: 3, stream: true });
  });
});
