import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TurnClient } from '../../../../../harness/engine/client/index.ts';
import { sse, startScriptedServer, testClient, turnRequest } from '../scripted-server.ts';
import type { ScriptedServer } from '../scripted-server.ts';

const BODY = { inputs: 'hello', parameters: { max_new_tokens: 4 } };
const token = (id: number, text: string, special = false, final: Record<string, unknown> | null = null) =>
  sse({
    index: id,
    token: { id, text, logprob: -0.1, special },
    generated_text: final === null ? null : final['generated_text'],
    details: final === null ? null : (final['details'] ?? null),
  });

describe('TGI /generate_stream adapter', () => {
  let server: ScriptedServer;
  let client: TurnClient;

  beforeAll(async () => {
    server = await startScriptedServer({
      '/generate_stream': {
        steps: [
          { clockMs: 100 },
          token(1, ' The'),
          10,
          { clockMs: 150 },
          token(2, ' cat'),
          10,
          { clockMs: 220 },
          token(3, '</s>', true, {
            generated_text: ' The cat',
            details: { finish_reason: 'eos_token', generated_tokens: 3, seed: null, input_length: 5 },
          }),
        ],
      },
      '/no-details': {
        steps: [token(1, 'a'), token(2, 'b'), token(3, 'c', false, { generated_text: 'abc' })],
      },
      '/error': {
        steps: [token(1, 'a'), sse({ error: 'Request failed during generation', error_type: 'generation' })],
      },
      '/incomplete': { steps: [token(1, 'a'), token(2, 'b')] },
      '/generate': {
        headers: { 'content-type': 'application/json' },
        steps: [
          JSON.stringify([
            { generated_text: 'xy', details: { finish_reason: 'length', generated_tokens: 2 } },
          ]),
        ],
      },
    });
    client = testClient(server.url, { now: server.now });
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('counts non-special tokens as content and skips the special end token', async () => {
    const r = await client.send(turnRequest('tgi-generate-stream', '/generate_stream', BODY));
    expect(r.errorClass).toBeNull();
    expect(r.text).toBe(' The cat');
    expect(r.firstTokenMs).toBeGreaterThanOrEqual(100);
    expect(r.tokenGapsMs).toHaveLength(1);
    expect(r.endMs).toBeGreaterThanOrEqual(220);
  });

  it('takes generated_tokens and input_length from the final details', async () => {
    const r = await client.send(turnRequest('tgi-generate-stream', '/generate_stream', BODY));
    expect(r).toMatchObject({
      outputTokens: 3,
      inputTokens: 5,
      tokenSource: 'usage',
      finishReason: 'eos_token',
    });
  });

  it('asks for details only when the body already has parameters', async () => {
    const before = server.bodies.length;
    await client.send(turnRequest('tgi-generate-stream', '/no-details', BODY));
    await client.send(turnRequest('tgi-generate-stream', '/no-details', { inputs: 'x' }));
    expect(server.bodies[before]).toEqual({
      inputs: 'hello',
      parameters: { max_new_tokens: 4, details: true },
    });
    expect(server.bodies[before + 1]).toEqual({ inputs: 'x' });
  });

  it('counts tokens when the final event has no details, including the token it carries', async () => {
    const r = await client.send(turnRequest('tgi-generate-stream', '/no-details', BODY));
    expect(r).toMatchObject({ errorClass: null, outputTokens: 3, tokenSource: 'counted', text: 'abc' });
  });

  it('classifies an error event inside a 200 as stream_error', async () => {
    const r = await client.send(turnRequest('tgi-generate-stream', '/error', BODY));
    expect(r).toMatchObject({
      status: 200,
      errorClass: 'stream_error',
      errorMessage: 'generation: Request failed during generation',
    });
  });

  it('fails a stream that ends before the event with generated_text', async () => {
    const r = await client.send(turnRequest('tgi-generate-stream', '/incomplete', BODY));
    expect(r).toMatchObject({ errorClass: 'stream_error', outputTokens: 2 });
  });

  it('reads the array answer of a non-streamed generate', async () => {
    const r = await client.send(turnRequest('tgi-generate-stream', '/generate', BODY));
    expect(r).toMatchObject({ errorClass: null, text: 'xy', outputTokens: 2, tokenSource: 'usage' });
  });
});
