import type { ProtocolAdapter } from './adapter.ts';
import { asObject, errorMessageOf, parseEventObject, recordChatChunk, recordOpenAiUsage } from './adapter.ts';

/**
 * The agent turn protocol (docs/agent-protocol.md): `tool` events, OpenAI-style content chunks,
 * `event: done` with usage and the degraded flag (the turn is acknowledged only then), `event:
 * error`, `data: [DONE]`.
 */
export const agent: ProtocolAdapter = {
  prepareBody: (body) => body,
  incompleteMessage: 'stream ended before the final `done` event (turn not acknowledged)',

  onEvent(turn, eventType, data, atMs) {
    if (eventType === 'message') {
      if (data === '[DONE]') return;
      const chunk = parseEventObject(turn, data);
      if (chunk !== null) recordChatChunk(turn, chunk, atMs);
    } else if (eventType === 'done') {
      const done = parseEventObject(turn, data);
      if (done === null) return;
      recordOpenAiUsage(turn, done['usage']);
      turn.degraded = done['degraded'] === true;
      const finish = done['finishReason'];
      if (typeof finish === 'string') turn.finishReason = finish;
      turn.completed = true;
    } else if (eventType === 'error') {
      let obj = null;
      try {
        obj = asObject(JSON.parse(data));
      } catch {
        // The error event's text is still the best message there is.
      }
      turn.fail('stream_error', errorMessageOf(obj, data));
    }
    // `tool` events (a tool step finished) are neither content nor terminal.
  },

  onJsonBody(turn, body) {
    const obj = asObject(body);
    const message = asObject(obj?.['message']);
    const content = message?.['content'];
    if (obj === null || typeof content !== 'string') {
      turn.fail('protocol', 'agent response has no message.content');
      return;
    }
    turn.wholeText(content);
    recordOpenAiUsage(turn, obj['usage']);
    turn.degraded = obj['degraded'] === true;
    turn.completed = true;
  },
};
