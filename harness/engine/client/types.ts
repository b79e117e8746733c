/**
 * The load engine's HTTP client: one streamed turn in, the RequestSample fields the client can know
 * out. All times are in ms on the engine's clock (ClientOptions.now), the same clock the executors
 * schedule on, so scheduledAtMs and the timestamps here can be subtracted directly.
 */
import type { RequestSample } from '../../results/schema.ts';

export type Protocol = 'agent' | 'openai-chat' | 'tgi-generate-stream';

export interface ClientOptions {
  /** http(s) origin, optionally with a path prefix that every TurnRequest.path is appended to. */
  baseUrl: string;
  /** Pool size per origin; with pipelining 1 this is also the most requests in flight. */
  connections: number;
  /** The engine's clock, ms (monotonic). */
  now: () => number;
  /** Deadline for the whole turn, from send() until the stream ends. */
  requestTimeoutMs: number;
  /** Keep the streamed text in TurnResult.text (default true); false saves memory at high rates. */
  captureText?: boolean;
}

export interface TurnRequest {
  protocol: Protocol;
  path: string;
  headers: Record<string, string>;
  /** JSON body. The adapter fills in what it needs to measure (see docs/engine-client.md). */
  body: unknown;
  scheduledAtMs: number;
  /** Aborting resolves the turn with errorClass 'aborted'. */
  signal?: AbortSignal;
}

/**
 * Stable error classes. 'aborted' (the caller's signal fired, e.g. the run ended) extends the list in
 * RequestSample.errorClass.
 */
export type ErrorClass =
  'http_4xx' | 'http_429' | 'http_5xx' | 'timeout' | 'connect' | 'stream_error' | 'protocol' | 'aborted';

/** The RequestSample fields the client knows, plus a few for diagnosis. */
export interface TurnResult extends Pick<
  RequestSample,
  | 'sentAtMs'
  | 'firstByteMs'
  | 'firstTokenMs'
  | 'tokenGapsMs'
  | 'endMs'
  | 'inputTokens'
  | 'outputTokens'
  | 'tokenSource'
  | 'status'
  | 'degraded'
  | 'replica'
> {
  errorClass: ErrorClass | null;
  /** Concatenated content tokens ('' when captureText is false). */
  text: string;
  /** Retry-After of the response in seconds (delta-seconds or HTTP-date), null when absent. */
  retryAfterSec: number | null;
  /** The server's error message or the client's reason, at most 500 characters; null on success. */
  errorMessage: string | null;
  /** finish_reason / finishReason / details.finish_reason as the server sent it. */
  finishReason: string | null;
}

export interface ClientStats {
  /** Requests written to a socket and not yet finished. */
  running: number;
  /** Requests waiting for a free connection. */
  pending: number;
  connected: number;
}

export interface TurnClient {
  /** Never rejects for HTTP or network failures: they come back classified in errorClass. */
  send(req: TurnRequest): Promise<TurnResult>;
  stats(): ClientStats;
  /** Waits for in-flight turns, then closes the connections. */
  close(): Promise<void>;
}
