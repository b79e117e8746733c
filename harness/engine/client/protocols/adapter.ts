import type { TurnRecorder } from '../turn-recorder.ts';

/** How one wire protocol maps onto a turn: which events are content, usage, the end, an error. */
export interface ProtocolAdapter {
  /** The body as sent: fills in what the client needs to measure, never overriding the caller. */
  prepareBody(body: unknown): unknown;
  /** One SSE event, stamped with the arrival time of the chunk that completed it. */
  onEvent(turn: TurnRecorder, eventType: string, data: string, atMs: number): void;
  /** The JSON body of a 2xx response that was not an event stream. */
  onJsonBody(turn: TurnRecorder, body: unknown): void;
  /** Why the turn failed when the stream ended without the protocol's terminal event. */
  readonly incompleteMessage: string;
}

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

/** Parses one event's JSON object; a malformed one fails the turn as 'protocol'. */
export function parseEventObject(turn: TurnRecorder, data: string): JsonObject | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    turn.fail('protocol', `unparseable event data: ${data.slice(0, 120)}`);
    return null;
  }
  const obj = asObject(parsed);
  if (obj === null) turn.fail('protocol', `event data is not a JSON object: ${data.slice(0, 120)}`);
  return obj;
}

/** `{"error":{"message"}}` (OpenAI, agent), `{"error": "...", "error_type"}` (TGI) or the raw data. */
export function errorMessageOf(obj: JsonObject | null, fallback: string): string {
  if (obj === null) return fallback;
  const error = obj['error'];
  if (typeof error === 'string') {
    const type = obj['error_type'];
    return typeof type === 'string' ? `${type}: ${error}` : error;
  }
  const nested = asObject(error);
  if (nested !== null) {
    const code = nested['code'];
    const message = nested['message'];
    if (typeof message === 'string') return typeof code === 'string' ? `${code}: ${message}` : message;
  }
  return fallback;
}

/** Feeds every choice's delta.content of a chat.completion.chunk and its finish_reason. */
export function recordChatChunk(turn: TurnRecorder, chunk: JsonObject, atMs: number): void {
  const choices = chunk['choices'];
  if (!Array.isArray(choices)) return;
  for (const choice of choices) {
    const c = asObject(choice);
    if (c === null) continue;
    const delta = asObject(c['delta']);
    const content = delta === null ? undefined : delta['content'];
    if (typeof content === 'string') turn.content(content, atMs);
    const finish = c['finish_reason'];
    if (typeof finish === 'string') turn.finishReason = finish;
  }
}

export function recordOpenAiUsage(turn: TurnRecorder, usage: unknown): void {
  const u = asObject(usage);
  if (u !== null) turn.usage(u['prompt_tokens'], u['completion_tokens']);
}
