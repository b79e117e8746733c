import type { ProtocolAdapter } from './adapter.ts';
import { asObject, errorMessageOf, parseEventObject, recordChatChunk, recordOpenAiUsage } from './adapter.ts';

/**
 * OpenAI-compatible `/v1/chat/completions` streaming (OpenAI, TGI, vLLM). Usage comes from the extra
 * `choices: []` chunk that `stream_options.include_usage` asks for; errors after the 200 arrive as a
 * `{"error": {...}}` chunk (TGI hard-codes http_status_code 422 there) followed by `[DONE]`.
 */
export const openaiChat: ProtocolAdapter = {
  prepareBody(body) {
    const obj = asObject(body);
    if (obj === null || obj['stream'] !== true || obj['stream_options'] !== undefined) return body;
    return { ...obj, stream_options: { include_usage: true } };
  },
  incompleteMessage: 'stream ended before `data: [DONE]`',

  onEvent(turn, eventType, data, atMs) {
    if (data === '[DONE]') {
      turn.completed = true;
      return;
    }
    const chunk = parseEventObject(turn, data);
    if (chunk === null) return;
    if (eventType === 'error' || chunk['error'] !== undefined) {
      turn.fail('stream_error', errorMessageOf(chunk, data));
      return;
    }
    recordChatChunk(turn, chunk, atMs);
    if (chunk['usage'] !== null && chunk['usage'] !== undefined) recordOpenAiUsage(turn, chunk['usage']);
  },

  onJsonBody(turn, body) {
    const obj = asObject(body);
    const choices = obj?.['choices'];
    const first = Array.isArray(choices) ? asObject(choices[0]) : null;
    const content = asObject(first?.['message'])?.['content'];
    if (obj === null || typeof content !== 'string') {
      turn.fail('protocol', 'chat completion has no choices[0].message.content');
      return;
    }
    turn.wholeText(content);
    const finish = first?.['finish_reason'];
    if (typeof finish === 'string') turn.finishReason = finish;
    recordOpenAiUsage(turn, obj['usage']);
    turn.completed = true;
  },
};
