import type { TurnRecorder } from '../turn-recorder.ts';
import type { ProtocolAdapter } from './adapter.ts';
import { asObject, errorMessageOf, parseEventObject } from './adapter.ts';

/**
 * TGI `/generate_stream`: one `data:{token:{text,special}}` event per generated token; the final
 * event carries `generated_text` (and `details` when asked for) and there is no `[DONE]`. Errors
 * inside the 200 are `data:{"error","error_type"}`.
 */
export const tgiGenerateStream: ProtocolAdapter = {
  prepareBody(body) {
    // Only when `parameters` is present: adding it to a body without one would switch TGI's
    // default_parameters() (do_sample: true) off.
    const obj = asObject(body);
    const parameters = asObject(obj?.['parameters']);
    if (obj === null || parameters === null || parameters['details'] !== undefined) return body;
    return { ...obj, parameters: { ...parameters, details: true } };
  },
  incompleteMessage: 'stream ended before the final event with generated_text',

  onEvent(turn, eventType, data, atMs) {
    const event = parseEventObject(turn, data);
    if (event === null) return;
    if (eventType === 'error' || event['error'] !== undefined) {
      turn.fail('stream_error', errorMessageOf(event, data));
      return;
    }
    const token = asObject(event['token']);
    if (token !== null && token['special'] !== true && typeof token['text'] === 'string') {
      turn.content(token['text'], atMs);
    }
    if (typeof event['generated_text'] === 'string') {
      recordDetails(turn, event['details']);
      turn.completed = true;
    }
  },

  onJsonBody(turn, body) {
    const obj = asObject(Array.isArray(body) ? body[0] : body);
    const text = obj?.['generated_text'];
    if (obj === null || typeof text !== 'string') {
      turn.fail('protocol', 'TGI response has no generated_text');
      return;
    }
    turn.wholeText(text);
    recordDetails(turn, obj['details']);
    turn.completed = true;
  },
};

function recordDetails(turn: TurnRecorder, details: unknown): void {
  const d = asObject(details);
  if (d === null) return;
  turn.usage(d['input_length'], d['generated_tokens']);
  const finish = d['finish_reason'];
  if (typeof finish === 'string') turn.finishReason = finish;
}
