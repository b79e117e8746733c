export { createClient } from './client.ts';
export { SseParser } from './sse-parser.ts';
export type { SseSink } from './sse-parser.ts';
export type {
  ClientOptions,
  ClientStats,
  ErrorClass,
  Protocol,
  TurnClient,
  TurnRequest,
  TurnResult,
} from './types.ts';
