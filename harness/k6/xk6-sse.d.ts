/**
 * The part of xk6-sse's JS API (github.com/phymbert/xk6-sse, `import sse from 'k6/x/sse'`) that
 * agentload's exported k6 scripts use, from the extension's sse.go: `sse.open(url, params, setup)`
 * blocks the VU until the stream ends and returns {url, status, headers, error}; the client emits
 * 'open' (response headers arrived), 'event' ({id, name, data, comment}) and 'error'.
 * xk6-sse ships no types; this file is written next to exported scripts for tsc and editors.
 */
declare module 'k6/x/sse' {
  export interface SseEvent {
    id: string;
    name: string;
    data: string;
    comment: string;
  }

  export interface SseError {
    error(): string;
  }

  export interface SseClient {
    on(event: 'open', handler: () => void): void;
    on(event: 'event', handler: (event: SseEvent) => void): void;
    on(event: 'error', handler: (error: SseError) => void): void;
    close(): void;
  }

  export interface SseParams {
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    tags?: Record<string, string>;
    /** Read by newer xk6-sse releases only (a Go duration); older ones ignore it. */
    timeout?: string;
  }

  export interface SseResponse {
    url: string;
    /** 0 when no response arrived. */
    status: number;
    headers: Record<string, string>;
    /** Empty unless the request failed before a response. */
    error: string;
  }

  const sse: {
    open(url: string, params: SseParams, setup: (client: SseClient) => void): SseResponse;
  };
  export default sse;
}
