import OpenAI, { APIError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelServerHandle } from '../../../reference-service/model-server/index.ts';
import { holdStream, startTestServer, waitFor, type TestServerOptions } from './helpers.ts';

const CHAT_FIELDS = ['object', 'id', 'created', 'model', 'system_fingerprint', 'choices', 'usage'];
const CHUNK_FIELDS = ['object', 'id', 'created', 'model', 'system_fingerprint', 'choices', 'usage'];

const weatherTool: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 5 },
      },
      required: ['city', 'unit', 'days'],
    },
  },
};

let server: ModelServerHandle | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function client(options: TestServerOptions = {}): Promise<OpenAI> {
  server = await startTestServer(options);
  return new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'not-checked', maxRetries: 0 });
}

describe('an unmodified openai client', () => {
  it('gets a chat completion with TGI fields and exact usage', async () => {
    const openai = await client();
    const completion = await openai.chat.completions.create({
      model: 'tgi',
      messages: [{ role: 'user', content: 'Say hello.' }],
      max_tokens: 9,
    });
    expect(Object.keys(completion)).toEqual(CHAT_FIELDS);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('agentload/tiny-test');
    expect(completion.system_fingerprint).toMatch(/-native$/);
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('length');
    expect(typeof choice.message.content).toBe('string');
    expect(completion.usage).toEqual({
      // BOS 1 + message (5 + 3) + assistant header 4
      prompt_tokens: 13,
      completion_tokens: 9,
      total_tokens: 22,
    });
  });

  it('streams chat chunks and a final usage chunk whose counts match what was streamed', async () => {
    const openai = await client({ perf: { eosLength: { medianTokens: 20, sigma: 0.5 } } });
    const stream = await openai.chat.completions.create({
      model: 'my-model',
      messages: [{ role: 'user', content: 'Stream please.' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    let tokenChunks = 0;
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    let finish: string | null = null;
    for await (const chunk of stream) {
      expect(Object.keys(chunk)).toEqual(CHUNK_FIELDS);
      expect(chunk.model).toBe('my-model');
      if (chunk.choices.length > 0) {
        tokenChunks++;
        content += chunk.choices[0]!.delta.content ?? '';
        finish = chunk.choices[0]!.finish_reason ?? finish;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(finish).toBe('stop');
    expect(content.length).toBeGreaterThan(0);
    expect(usage!.completion_tokens).toBe(tokenChunks);
    expect(usage!.total_tokens).toBe(usage!.prompt_tokens + tokenChunks);
  });

  it('gets a tool call with JSON arguments built from the tool schema', async () => {
    const openai = await client();
    const completion = await openai.chat.completions.create({
      model: 'tgi',
      messages: [{ role: 'user', content: 'What is the weather in Lyon today?' }],
      tools: [weatherTool],
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls![0]!;
    expect(call.type).toBe('function');
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
    expect(Object.keys(args)).toEqual(['city', 'unit', 'days']);
    expect(args.unit).toBe('celsius');
    expect(args.days).toBeGreaterThanOrEqual(1);
    expect(args.days).toBeLessThanOrEqual(5);
    expect(completion.usage!.completion_tokens).toBeGreaterThan(1);
  });

  it('assembles a streamed tool call with the SDK stream helper', async () => {
    const openai = await client();
    const stream = openai.chat.completions.stream({
      model: 'tgi',
      messages: [{ role: 'user', content: 'weather in Paris please' }],
      tools: [weatherTool],
      tool_choice: 'required',
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]!;
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.id).toMatch(/^call_/);
    expect(JSON.parse(call.function.arguments)).toMatchObject({ city: 'Paris' });
    // As against TGI, whose chunks carry id "": the helper merges usage only from chunks with an id.
    expect(final.usage ?? null).toBeNull();
  });

  it('answers in text after a tool result, and when no tool matches', async () => {
    const openai = await client();
    const messages: ChatCompletionMessageParam[] = [
      { role: 'user', content: 'What is the weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temperature": 21}' },
    ];
    const after = await openai.chat.completions.create({
      model: 'tgi',
      messages,
      tools: [weatherTool],
      max_tokens: 5,
    });
    expect(after.choices[0]!.message.tool_calls).toBeUndefined();
    expect(after.choices[0]!.message.content).toEqual(expect.any(String));
    const unrelated = await openai.chat.completions.create({
      model: 'tgi',
      messages: [{ role: 'user', content: 'Tell me a joke.' }],
      tools: [weatherTool],
      max_tokens: 5,
    });
    expect(unrelated.choices[0]!.message.tool_calls).toBeUndefined();
  });

  it('gets legacy completions and the model list', async () => {
    const openai = await client();
    const completion = await openai.completions.create({ model: 'tgi', prompt: 'Once upon', max_tokens: 4 });
    expect(completion.object).toBe('text_completion');
    expect(completion.choices[0]).toMatchObject({ index: 0, finish_reason: 'length', logprobs: null });
    expect(completion.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 4 });
    const models = await openai.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['agentload/tiny-test']);
  });

  it('throws an APIError for an error event inside a 200 stream (overload)', async () => {
    const openai = await client({ maxConcurrentRequests: 1, perf: { stepMs: 5 } });
    const hold = await holdStream(server!.url);
    await waitFor(() => server!.inFlightRequests() === 1);
    const stream = await openai.chat.completions.create({
      model: 'tgi',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const consume = async (): Promise<void> => {
      for await (const _chunk of stream) void _chunk;
    };
    const error = await consume().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('Model is overloaded');
    hold.release();
  });
});
