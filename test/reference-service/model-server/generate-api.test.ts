import { afterEach, describe, expect, it } from 'vitest';
import type { ModelServerHandle } from '../../../reference-service/model-server/index.ts';
import { countTokens } from '../../../reference-service/model-server/tokenizer.ts';
import { postJson, readSseData, startTestServer, type TestServerOptions } from './helpers.ts';

/** Field lists of TGI's documented types (router/src/lib.rs), in TGI's order. */
const TOKEN_FIELDS = ['id', 'text', 'logprob', 'special'];
const DETAILS_FIELDS = ['finish_reason', 'generated_tokens', 'seed', 'prefill', 'tokens'];
const STREAM_FIELDS = ['index', 'token', 'generated_text', 'details'];
const STREAM_DETAILS_FIELDS = ['finish_reason', 'generated_tokens', 'seed', 'input_length'];
const INFO_FIELDS = [
  'model_id',
  'model_sha',
  'model_pipeline_tag',
  'max_concurrent_requests',
  'max_best_of',
  'max_stop_sequences',
  'max_input_tokens',
  'max_total_tokens',
  'validation_workers',
  'max_client_batch_size',
  'router',
  'version',
  'sha',
  'docker_label',
];

let server: ModelServerHandle | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(options: TestServerOptions = {}): Promise<string> {
  server = await startTestServer(options);
  return server.url;
}

describe('POST /generate', () => {
  it('answers with generated_text and, when asked, TGI details field by field', async () => {
    const url = await start();
    const res = await postJson(`${url}/generate`, {
      inputs: 'What is deep learning?',
      parameters: { max_new_tokens: 7, details: true, decoder_input_details: true },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { generated_text: string; details: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['generated_text', 'details']);
    expect(Object.keys(body.details)).toEqual(DETAILS_FIELDS);
    const tokens = body.details.tokens as Record<string, unknown>[];
    expect(tokens).toHaveLength(7);
    for (const t of tokens) expect(Object.keys(t)).toEqual(TOKEN_FIELDS);
    expect(body.details).toMatchObject({ finish_reason: 'length', generated_tokens: 7, seed: null });
    const prefill = body.details.prefill as { id: number; text: string; logprob: number | null }[];
    expect(prefill.map((p) => p.text).join('')).toBe('What is deep learning?');
    expect(prefill[0]!.logprob).toBeNull();
    expect(tokens.map((t) => t.text).join('')).toBe(body.generated_text);
  });

  it('omits details unless asked and sets TGI timing headers', async () => {
    const url = await start();
    const res = await postJson(`${url}/generate`, {
      inputs: 'Hello there',
      parameters: { max_new_tokens: 3 },
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['generated_text']);
    expect(res.headers.get('x-compute-type')).toBe('gpu+optimized');
    expect(res.headers.get('x-prompt-tokens')).toBe('2');
    expect(res.headers.get('x-generated-tokens')).toBe('3');
    expect(res.headers.get('x-compute-characters')).toBe('11');
    for (const h of [
      'x-compute-time',
      'x-total-time',
      'x-validation-time',
      'x-queue-time',
      'x-inference-time',
    ]) {
      expect(Number.isFinite(Number(res.headers.get(h))), h).toBe(true);
    }
    expect(res.headers.get('x-time-per-token')).toMatch(/^\d+$/);
  });

  it('echoes x-request-id, and makes one up when the client sent none', async () => {
    const url = await start();
    const echoed = await postJson(
      `${url}/generate`,
      { inputs: 'hi', parameters: { max_new_tokens: 1 } },
      { 'x-request-id': 'req-42' },
    );
    expect(echoed.headers.get('x-request-id')).toBe('req-42');
    const made = await fetch(`${url}/info`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives the same text for the same prompt and seed, and different text for another seed', async () => {
    const body = { inputs: 'Tell me a story', parameters: { max_new_tokens: 20 } };
    const url = await start({ seed: 7 });
    const a = ((await (await postJson(`${url}/generate`, body)).json()) as { generated_text: string })
      .generated_text;
    const b = ((await (await postJson(`${url}/generate`, body)).json()) as { generated_text: string })
      .generated_text;
    await server!.close();
    const other = await start({ seed: 8 });
    const c = ((await (await postJson(`${other}/generate`, body)).json()) as { generated_text: string })
      .generated_text;
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('stops on EOS at a length drawn from the profile, counting the EOS token', async () => {
    const url = await start({ perf: { eosLength: { medianTokens: 5, sigma: 0 } } });
    const res = await postJson(`${url}/generate`, {
      inputs: 'Hi',
      parameters: { max_new_tokens: 50, details: true },
    });
    const body = (await res.json()) as {
      generated_text: string;
      details: { finish_reason: string; generated_tokens: number; tokens: { special: boolean }[] };
    };
    expect(body.details.finish_reason).toBe('eos_token');
    expect(body.details.generated_tokens).toBe(5);
    expect(body.details.tokens.at(-1)!.special).toBe(true);
    expect(countTokens(body.generated_text)).toBe(4);
  });

  it('stops at a stop sequence and reports stop_sequence', async () => {
    const url = await start();
    const res = await postJson(`${url}/generate`, {
      inputs: 'Hi',
      parameters: { max_new_tokens: 500, stop: ['.'], details: true },
    });
    const body = (await res.json()) as { generated_text: string; details: { finish_reason: string } };
    expect(body.details.finish_reason).toBe('stop_sequence');
    expect(body.generated_text.endsWith('.')).toBe(true);
    expect(body.generated_text.indexOf('.')).toBe(body.generated_text.length - 1);
  });

  it('prepends the prompt with return_full_text', async () => {
    const url = await start();
    const res = await postJson(`${url}/generate`, {
      inputs: 'Once',
      parameters: { max_new_tokens: 2, return_full_text: true },
    });
    expect(((await res.json()) as { generated_text: string }).generated_text.startsWith('Once ')).toBe(true);
  });
});

describe('POST /generate_stream', () => {
  it('sends one event per token, the last with generated_text and details, and no [DONE]', async () => {
    const url = await start();
    const res = await postJson(`${url}/generate_stream`, {
      inputs: 'Hello world',
      parameters: { max_new_tokens: 6, details: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const events = (await readSseData(res)).map((d) => JSON.parse(d) as Record<string, unknown>);
    expect(events).toHaveLength(6);
    for (const [i, e] of events.entries()) {
      expect(Object.keys(e)).toEqual(STREAM_FIELDS);
      expect(e.index).toBe(i + 1);
      expect(Object.keys(e.token as object)).toEqual(TOKEN_FIELDS);
    }
    const last = events.at(-1)!;
    const text = events.map((e) => (e.token as { text: string }).text).join('');
    expect(last.generated_text).toBe(text);
    expect(Object.keys(last.details as object)).toEqual(STREAM_DETAILS_FIELDS);
    expect(last.details).toMatchObject({ finish_reason: 'length', generated_tokens: 6, input_length: 2 });
    expect(events.slice(0, -1).every((e) => e.generated_text === null && e.details === null)).toBe(true);
  });

  it('streams exactly as many token events as details.generated_tokens says', async () => {
    const url = await start({ perf: { eosLength: { medianTokens: 12, sigma: 0.9 } } });
    for (const inputs of ['a', 'b c', 'd e f']) {
      const events = await readSseData(
        await postJson(`${url}/generate_stream`, { inputs, parameters: { details: true } }),
      );
      const last = JSON.parse(events.at(-1)!) as { details: { generated_tokens: number } };
      expect(last.details.generated_tokens).toBe(events.length);
    }
  });
});

describe('POST / (compat)', () => {
  it('answers an array without stream and an SSE stream with stream: true', async () => {
    const url = await start();
    const plain = await postJson(`${url}/`, { inputs: 'Hi', parameters: { max_new_tokens: 2 } });
    const body = (await plain.json()) as unknown[];
    expect(Array.isArray(body)).toBe(true);
    expect(Object.keys(body[0] as object)).toEqual(['generated_text']);
    const streamed = await postJson(`${url}/`, {
      inputs: 'Hi',
      parameters: { max_new_tokens: 2 },
      stream: true,
    });
    expect(streamed.headers.get('content-type')).toBe('text/event-stream');
    expect(await readSseData(streamed)).toHaveLength(2);
  });
});

describe('POST /v1/completions', () => {
  it('answers a list of prompts with one choice each and summed usage', async () => {
    const url = await start();
    const res = await postJson(`${url}/v1/completions`, { prompt: ['one', 'two three'], max_tokens: 3 });
    const body = (await res.json()) as {
      choices: { index: number; text: string }[];
      usage: Record<string, number>;
    };
    expect(body.choices.map((c) => c.index)).toEqual([0, 1]);
    expect(body.choices.every((c) => c.text.length > 0)).toBe(true);
    expect(body.usage).toEqual({ prompt_tokens: 3, completion_tokens: 6, total_tokens: 9 });
    const many = await postJson(`${url}/v1/completions`, { prompt: ['a', 'b', 'c', 'd', 'e'] });
    expect(many.status).toBe(422);
  });

  it('streams the chunks of every prompt under its index, then one [DONE]', async () => {
    const url = await start();
    const res = await postJson(`${url}/v1/completions`, {
      prompt: ['one', 'two'],
      max_tokens: 4,
      stream: true,
    });
    const data = await readSseData(res);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data
      .slice(0, -1)
      .map((d) => JSON.parse(d) as { object: string; choices: { index: number }[] });
    expect(chunks).toHaveLength(8);
    expect(chunks.every((c) => c.object === 'text_completion')).toBe(true);
    expect(chunks.filter((c) => c.choices[0]!.index === 1)).toHaveLength(4);
  });
});

describe('GET routes', () => {
  it('serves /info with TGI fields and the batching limits from the PerfModel', async () => {
    const url = await start({
      maxConcurrentRequests: 7,
      perf: { kvCapacityTokens: 54_321, maxBatchPrefillTokens: 999 },
    });
    const info = (await (await fetch(`${url}/info`)).json()) as Record<string, unknown>;
    for (const field of INFO_FIELDS) expect(info, field).toHaveProperty(field);
    expect(info).toMatchObject({
      model_id: 'agentload/tiny-test',
      max_concurrent_requests: 7,
      max_total_tokens: 4096,
      max_input_tokens: 4095,
      max_batch_total_tokens: 54_321,
      max_batch_prefill_tokens: 999,
      router: 'text-generation-router',
    });
  });

  it('serves /v1/models, /health, / and /tokenize', async () => {
    const url = await start();
    expect(await (await fetch(`${url}/v1/models`)).json()).toEqual({
      object: 'list',
      data: [{ id: 'agentload/tiny-test', object: 'model', created: 0, owned_by: 'agentload/tiny-test' }],
    });
    const health = await fetch(`${url}/health`);
    expect([health.status, await health.text()]).toEqual([200, '']);
    expect((await fetch(`${url}/`)).status).toBe(200);
    const tokens = (await (await postJson(`${url}/tokenize`, { inputs: 'Hi, you' })).json()) as {
      text: string;
      start: number;
    }[];
    expect(tokens.map((t) => [t.text, t.start])).toEqual([
      ['Hi', 0],
      [',', 2],
      [' you', 3],
    ]);
  });
});
