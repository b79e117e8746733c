import type { ErrorClass } from './types.ts';

/** Error class of a finished HTTP response, null for 2xx. */
export function classifyStatus(status: number): ErrorClass | null {
  if (status >= 200 && status < 300) return null;
  if (status === 429) return 'http_429';
  if (status >= 400 && status < 500) return 'http_4xx';
  if (status >= 500) return 'http_5xx';
  // 1xx/3xx are not answers a turn endpoint gives: redirects are not followed on purpose.
  return 'protocol';
}

/**
 * Error class of a transport failure. Before a response arrived, a dropped or refused connection is
 * 'connect'; after it, the same failure cut a started stream ('stream_error').
 */
export function classifyTransportError(err: unknown, responseStarted: boolean): ErrorClass {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  if (typeof code === 'string' && code.startsWith('HPE_')) return 'protocol';
  if (code === 'UND_ERR_INVALID_ARG') return 'protocol';
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return 'stream_error';
  // ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET ("other side closed"), UND_ERR_CONNECT_TIMEOUT, ...
  return responseStarted ? 'stream_error' : 'connect';
}

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** Retry-After as seconds: delta-seconds, or an HTTP-date relative to the wall clock `epochNowMs`. */
export function parseRetryAfterSec(
  value: string | string[] | undefined,
  epochNowMs: () => number,
): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return null;
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const atMs = Date.parse(text);
  if (Number.isNaN(atMs)) return null;
  return Math.max(0, Math.ceil((atMs - epochNowMs()) / 1000));
}
