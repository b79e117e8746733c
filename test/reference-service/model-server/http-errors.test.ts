import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelServerHandle } from '../../../reference-service/model-server/index.ts';
import { holdStream, postJson, readSseData, startTestServer, waitFor } from './helpers.ts';

const OVERLOADED = { error: 'Model is overloaded', error_type: 'overloaded' };

let server: ModelServerHandle;
beforeEach(async () => {
  server = await startTestServer({
    maxConcurrentRequests: 2,
    payloadLimitBytes: 2000,
    perf: { maxTotalTokens: 100, maxInputTokens: 50, stepMs: 50 },
  });
});
afterEach(() => server.close());

async function generate(parameters: Record<string, unknown>, inputs = 'Hello there'): Promise<Response> {
  return postJson(`${server.url}/generate`, { inputs, parameters });
}

describe('the concurrency limit', () => {
  it('answers 429 at once when in-flight requests reach max_concurrent_requests', async () => {
    const holds = [await holdStream(server.url), await holdStream(server.url)];
    await waitFor(() => server.inFlightRequests() === 2);
    const res = await generate({ max_new_tokens: 1 });
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual(OVERLOADED);
    const chat = await postJson(`${server.url}/v1/chat/completions`, {
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(chat.status).toBe(429);
    // On a streaming route the error is an event inside a 200, as TGI sends it.
    const stream = await postJson(`${server.url}/generate_stream`, { inputs: 'x' });
    expect(stream.status).toBe(200);
    expect((await readSseData(stream)).map((d) => JSON.parse(d) as unknown)).toEqual([OVERLOADED]);
    for (const h of holds) h.release();
    await waitFor(() => server.inFlightRequests() === 0);
    expect((await generate({ max_new_tokens: 1 })).status).toBe(200);
  });
});

describe('validation', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['temperature', { temperature: 0 }, '`temperature` must be strictly positive'],
    ['top_p', { top_p: 1.0 }, '`top_p` must be > 0.0 and < 1.0'],
    ['top_k', { top_k: 0 }, '`top_k` must be strictly positive'],
    ['typical_p', { typical_p: 0 }, '`typical_p` must be > 0.0 and < 1.0'],
    ['repetition_penalty', { repetition_penalty: 0 }, '`repetition_penalty` must be strictly positive'],
    ['frequency_penalty', { frequency_penalty: 3 }, '`frequency_penalty` must be >= -2.0 and <= 2.0'],
    ['max_new_tokens', { max_new_tokens: 0 }, '`max_new_tokens` must be strictly positive'],
    ['stop', { stop: ['a', 'b', 'c', 'd', 'e'] }, '`stop` supports up to 4 stop sequences. Given: 5'],
    ['best_of', { best_of: 2, do_sample: true }, '`best_of` != 1 is not allowed for this endpoint'],
    ['top_n_tokens', { top_n_tokens: 2 }, '`top_n_tokens` must be >= 0 and <= 0. Given: 2'],
    ['truncate', { truncate: 51 }, '`truncate` must be strictly positive and less than 50. Given: 51'],
    [
      'max total tokens',
      { max_new_tokens: 99 },
      '`inputs` tokens + `max_new_tokens` must be <= 100. Given: 2 `inputs` tokens and 99 `max_new_tokens`',
    ],
  ];

  it.each(cases)('rejects a bad %s with TGI 422 text', async (_name, parameters, message) => {
    const res = await generate(parameters);
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: `Input validation error: ${message}`,
      error_type: 'validation',
    });
  });

  it('rejects an input longer than max_input_tokens and an empty input', async () => {
    const long = await generate({ max_new_tokens: 1 }, 'word '.repeat(60));
    expect(await long.json()).toMatchObject({
      error: 'Input validation error: `inputs` must have less than 50 tokens. Given: 60',
    });
    const empty = await generate({}, '');
    expect(await empty.json()).toMatchObject({ error: 'Input validation error: `inputs` cannot be empty' });
  });

  it('sends validation errors on /generate_stream as an event inside a 200', async () => {
    const res = await postJson(`${server.url}/generate_stream`, { inputs: 'x', parameters: { top_k: -1 } });
    expect(res.status).toBe(200);
    const events = (await readSseData(res)).map((d) => JSON.parse(d) as unknown);
    expect(events).toEqual([
      { error: 'Input validation error: `top_k` must be strictly positive', error_type: 'validation' },
    ]);
  });

  it('sends chat stream errors OpenAI-style, with TGI hard-coded 422, then [DONE]', async () => {
    const res = await postJson(`${server.url}/v1/chat/completions`, {
      messages: [{ role: 'user', content: 'hi' }],
      top_p: 1.5,
      stream: true,
    });
    expect(res.status).toBe(200);
    expect(await readSseData(res)).toEqual([
      JSON.stringify({
        error: { message: 'Input validation error: `top_p` must be > 0.0 and < 1.0', http_status_code: 422 },
      }),
      '[DONE]',
    ]);
  });

  it('rejects a tool_choice naming no given tool, and a completions suffix', async () => {
    const tool = await postJson(`${server.url}/v1/chat/completions`, {
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'a', parameters: { type: 'object', properties: {} } } }],
      tool_choice: { type: 'function', function: { name: 'b' } },
    });
    expect(tool.status).toBe(422);
    expect(await tool.json()).toEqual({
      error: "Tool error: Tool choice 'b' not found in the tools",
      error_type: 'tool_error',
    });
    const suffix = await postJson(`${server.url}/v1/completions`, { prompt: 'a', suffix: 'b' });
    expect(suffix.status).toBe(422);
  });
});

describe('HTTP-level rejections', () => {
  it('answers 400 to invalid JSON, 415 without a JSON content type, 413 over the payload limit', async () => {
    const bad = await fetch(`${server.url}/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"inputs": ',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/^Failed to parse the request body as JSON: /);
    const plain = await fetch(`${server.url}/generate`, { method: 'POST', body: '{"inputs":"x"}' });
    expect(plain.status).toBe(415);
    expect(await plain.text()).toBe('Expected request with `Content-Type: application/json`');
    const big = await postJson(`${server.url}/generate`, { inputs: 'x'.repeat(3000) });
    expect(big.status).toBe(413);
  });

  it('answers 422 to JSON of the wrong shape', async () => {
    const res = await postJson(`${server.url}/generate`, { inputs: 42 });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/^Failed to deserialize the JSON body into the target type: inputs: /);
  });

  it('answers 404 to unknown paths, 405 to a wrong method, and hides the admin API without a token', async () => {
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    const wrong = await fetch(`${server.url}/generate`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await fetch(`${server.url}/admin/faults`)).status).toBe(404);
  });
});
