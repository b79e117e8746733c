import { describe, expect, it } from 'vitest';
import { renderChat } from '../../../reference-service/model-server/chat-template.ts';
import type { InferError } from '../../../reference-service/model-server/infer-errors.ts';
import { sampleArguments } from '../../../reference-service/model-server/json-schema-sample.ts';
import type { ChatMessage, ToolDefinition } from '../../../reference-service/model-server/request-schemas.ts';
import { createSimRng } from '../../../reference-service/model-server/rng.ts';
import { chooseTool, planToolCall } from '../../../reference-service/model-server/tool-calls.ts';

function tool(name: string, description: string, parameters: Record<string, unknown> = {}): ToolDefinition {
  return { type: 'function', function: { name, description, parameters } };
}

const weather = tool('get_weather', 'Current weather conditions for a city', {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
});
const orders = tool('lookupOrder', 'Find the shipping status of a customer order by its number', {
  type: 'object',
  properties: { order_id: { type: 'string' }, include_items: { type: 'boolean' } },
  required: ['order_id'],
});
const tools = [weather, orders];
const user = (content: string): ChatMessage => ({ role: 'user', content });

function name(choice: ToolDefinition | InferError | null): string | null {
  if (choice === null) return null;
  return 'function' in choice ? choice.function.name : choice.errorType;
}

describe('chooseTool', () => {
  it('calls the tool whose name the user message mentions', () => {
    expect(name(chooseTool(tools, 'auto', [user('How is the weather in Oslo?')], 0))).toBe('get_weather');
    expect(name(chooseTool(tools, undefined, [user('please lookup order 1234')], 0))).toBe('lookupOrder');
  });

  it('calls on two description keywords, not on one', () => {
    expect(name(chooseTool(tools, 'auto', [user('What is the shipping status?')], 0))).toBe('lookupOrder');
    expect(name(chooseTool(tools, 'auto', [user('Any status update?')], 0))).toBeNull();
  });

  it('answers in text after a tool result, with tool_choice none, and without tools', () => {
    const afterTool: ChatMessage[] = [user('weather in Oslo'), { role: 'tool', content: '{"temp": 3}' }];
    expect(chooseTool(tools, 'auto', afterTool, 0)).toBeNull();
    expect(chooseTool(tools, 'none', [user('weather in Oslo')], 0)).toBeNull();
    expect(chooseTool([], 'required', [user('weather in Oslo')], 0)).toBeNull();
  });

  it('always calls under "required" or a named choice, and rejects an unknown name', () => {
    expect(name(chooseTool(tools, 'required', [user('hello')], 1))).toBe('lookupOrder');
    const named = chooseTool(tools, { type: 'function', function: { name: 'get_weather' } }, [user('hi')], 0);
    expect(name(named)).toBe('get_weather');
    const unknown = chooseTool(tools, { type: 'function', function: { name: 'nope' } }, [user('hi')], 0);
    expect(name(unknown)).toBe('tool_error');
  });
});

describe('planToolCall', () => {
  it('builds arguments from the schema, deterministically, and cuts them when malformed', () => {
    const messages = [user('lookup order 88 please')];
    const a = planToolCall(orders, messages, 1, false);
    expect(a).toEqual(planToolCall(orders, messages, 1, false));
    expect(Object.keys(JSON.parse(a.argumentsJson) as object)).toEqual(['order_id']);
    const bad = planToolCall(orders, messages, 1, true);
    expect(a.argumentsJson.startsWith(bad.argumentsJson)).toBe(true);
    expect(() => JSON.parse(bad.argumentsJson)).toThrow();
  });
});

describe('sampleArguments', () => {
  it('honours enum, const, default, bounds, arrays and nested objects', () => {
    const args = sampleArguments(
      {
        type: 'object',
        properties: {
          unit: { type: 'string', enum: ['kelvin', 'celsius'] },
          version: { const: 3 },
          limit: { type: 'integer', minimum: 5, maximum: 7 },
          ratio: { type: 'number', default: 0.25 },
          tags: { type: 'array', items: { type: 'string' }, minItems: 2 },
          filter: { type: 'object', properties: { active: { type: 'boolean' } } },
          when: { type: 'string', format: 'date' },
        },
      },
      { rng: createSimRng(1), hintText: 'find red shoes' },
    );
    expect(args).toMatchObject({
      unit: 'kelvin',
      version: 3,
      ratio: 0.25,
      filter: { active: true },
      when: '2025-06-01',
    });
    expect(args.limit).toBeGreaterThanOrEqual(5);
    expect(args.limit).toBeLessThanOrEqual(7);
    expect(args.tags).toEqual(['find red shoes', 'find red shoes']);
  });
});

describe('renderChat', () => {
  it('counts BOS, 5 tokens per message, the content and the 4-token assistant header', () => {
    const prompt = renderChat([{ role: 'system', content: 'Be brief.' }, user('Hi there!')], []);
    expect(prompt.tokens).toBe(1 + (5 + 3) + (5 + 3) + 4);
    expect(prompt.text).toContain('<|start_header_id|>user<|end_header_id|>\n\nHi there!<|eot_id|>');
  });

  it('adds the tools and their instructions to the prompt', () => {
    const without = renderChat([user('Hi')], []).tokens;
    expect(renderChat([user('Hi')], [weather]).tokens).toBeGreaterThan(without + 40);
  });
});
