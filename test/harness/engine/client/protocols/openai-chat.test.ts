import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TurnClient } from '../../../../../harness/engine/client/index.ts';
import { chatChunk, sse, startScriptedServer, testClient, turnRequest } from '../scripted-server.ts';
import type { ScriptedServer } from '../scripted-server.ts';

const CHAT_BODY = { model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, stream: true };
const usageChunk = sse({
  object: 'chat.completion.chunk',
  choices: [],
  usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 },
});
const finalChunk = sse({
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: {}, finish_reason: 'length' }],
  usage: null,
});

describe('OpenAI chat completions stream adapter', () => {
  let server: ScriptedServer;
  let client: TurnClient;

  beforeAll(async () => {
    server = await startScriptedServer({
      '/v1/chat/completions': {
        steps: [
          { clockMs: 100 },
          sse(chatChunk(null, { usage: null })),
          20,
          { clockMs: 200 },
          sse(chatChunk('a', { usage: null })),
          10,
          { clockMs: 300 },
          sse(chatChunk('b', { usage: null }))
            .concat(sse(chatChunk('c', { usage: null })))
            .concat(finalChunk),
          usageChunk,
          'data: [DONE]\r\n\r\n',
        ],
      },
      '/no-usage': { steps: [sse(chatChunk('a')), sse(chatChunk('b')), finalChunk, sse('[DONE]')] },
      '/error-chunk': {
        steps: [
          sse(chatChunk('a')),
          sse({ error: { message: 'Model is overloaded', http_status_code: 422 } }),
          sse('[DONE]'),
        ],
      },
      '/no-done': { steps: [sse(chatChunk('a')), finalChunk] },
      '/garbage': { steps: [sse(chatChunk('a')), 'data: {"choices": [\n\n', 'hang'] },
      '/json': {
        headers: { 'content-type': 'application/json' },
        steps: [
          JSON.stringify({
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content: 'xyz' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 },
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

  it('does not count the role-only chunk as the first token', async () => {
    const r = await client.send(turnRequest('openai-chat', '/v1/chat/completions', CHAT_BODY));
    expect(r.errorClass).toBeNull();
    expect(r.firstTokenMs).toBeGreaterThanOrEqual(200);
    expect(r.text).toBe('abc');
  });

  it('records a gap for every content chunk after the first, even two chunks in one read', async () => {
    const r = await client.send(turnRequest('openai-chat', '/v1/chat/completions', CHAT_BODY));
    expect(r.tokenGapsMs).toHaveLength(2);
    expect(r.tokenGapsMs[1]).toBe(0);
  });

  it('asks for usage with stream_options.include_usage unless the caller set stream_options', async () => {
    const before = server.bodies.length;
    await client.send(turnRequest('openai-chat', '/v1/chat/completions', CHAT_BODY));
    await client.send(turnRequest('openai-chat', '/no-usage', { ...CHAT_BODY, stream_options: null }));
    expect(server.bodies[before]).toEqual({ ...CHAT_BODY, stream_options: { include_usage: true } });
    expect(server.bodies[before + 1]).toEqual({ ...CHAT_BODY, stream_options: null });
  });

  it('takes token counts from the usage chunk', async () => {
    const r = await client.send(turnRequest('openai-chat', '/v1/chat/completions', CHAT_BODY));
    expect(r).toMatchObject({
      outputTokens: 3,
      inputTokens: 11,
      tokenSource: 'usage',
      finishReason: 'length',
    });
  });

  it('counts content chunks when no usage chunk came', async () => {
    const r = await client.send(turnRequest('openai-chat', '/no-usage', CHAT_BODY));
    expect(r).toMatchObject({ errorClass: null, outputTokens: 2, inputTokens: null, tokenSource: 'counted' });
  });

  it('classifies an error chunk inside a 200 as stream_error', async () => {
    const r = await client.send(turnRequest('openai-chat', '/error-chunk', CHAT_BODY));
    expect(r).toMatchObject({ status: 200, errorClass: 'stream_error', errorMessage: 'Model is overloaded' });
  });

  it('fails a stream that ends without [DONE]', async () => {
    const r = await client.send(turnRequest('openai-chat', '/no-done', CHAT_BODY));
    expect(r.errorClass).toBe('stream_error');
  });

  it('stops reading and reports protocol when an event is not JSON', async () => {
    const r = await client.send(turnRequest('openai-chat', '/garbage', CHAT_BODY));
    expect(r.errorClass).toBe('protocol');
    expect(r.outputTokens).toBe(1);
  });

  it('reads a non-streamed chat completion', async () => {
    const r = await client.send(turnRequest('openai-chat', '/json', { ...CHAT_BODY, stream: false }));
    expect(r).toMatchObject({ errorClass: null, text: 'xyz', outputTokens: 1, tokenSource: 'usage' });
    expect(server.bodies.at(-1)).not.toHaveProperty('stream_options');
  });
});
