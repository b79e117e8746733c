import type { ChatMessage, ToolDefinition } from './request-schemas.ts';
import { countTokens } from './tokenizer.ts';

/**
 * Chat messages to a prompt, shaped like Llama 3's template, and its token count:
 *   1 (<|begin_of_text|>)
 *   + per message: 5 (<|start_header_id|>, role, <|end_header_id|>, "\n\n", <|eot_id|>) + content tokens
 *   + 4 for the assistant header that opens the answer
 *   + with tools: the tool instructions and the tools' JSON, counted by tokenizer.ts.
 * Content tokens: text parts by tokenizer.ts; an assistant's tool calls as the JSON
 * {"name": ..., "arguments": ...}; image parts count nothing (this is a text-only model).
 */

const BOS_TOKENS = 1;
const MESSAGE_OVERHEAD_TOKENS = 5;
const GENERATION_PROMPT_TOKENS = 4;

/** The instructions TGI's default tool prompt adds ahead of the tools' JSON. */
export const TOOL_PROMPT =
  'Given the functions available, please respond with a JSON for a function call with its proper ' +
  'arguments that best answers the given prompt. Respond in the format {"name": function name, ' +
  '"parameters": dictionary of argument name and its value}. Do not use variables.';

export interface RenderedPrompt {
  text: string;
  tokens: number;
}

/** The text of a message's content; tool calls rendered as JSON. */
export function messageText(message: ChatMessage): string {
  const content = message.content;
  let text = '';
  if (typeof content === 'string') text = content;
  else if (Array.isArray(content)) {
    for (const part of content) if (part.type === 'text') text += part.text;
  }
  for (const call of message.tool_calls ?? []) {
    const args = call.function.arguments ?? {};
    const parsed = typeof args === 'string' ? args : JSON.stringify(args);
    text += `{"name": ${JSON.stringify(call.function.name)}, "arguments": ${parsed}}`;
  }
  return text;
}

export function renderChat(
  messages: readonly ChatMessage[],
  tools: readonly ToolDefinition[],
): RenderedPrompt {
  let text = '<|begin_of_text|>';
  let tokens = BOS_TOKENS;
  for (const message of messages) {
    const body = messageText(message);
    text += `<|start_header_id|>${message.role}<|end_header_id|>\n\n${body}<|eot_id|>`;
    tokens += MESSAGE_OVERHEAD_TOKENS + countTokens(body);
  }
  if (tools.length > 0) {
    const toolText = `${TOOL_PROMPT}\n${JSON.stringify(tools)}`;
    text += `<|start_header_id|>system<|end_header_id|>\n\n${toolText}<|eot_id|>`;
    tokens += MESSAGE_OVERHEAD_TOKENS + countTokens(toolText);
  }
  text += '<|start_header_id|>assistant<|end_header_id|>\n\n';
  tokens += GENERATION_PROMPT_TOKENS;
  return { text, tokens };
}
