import { describe, expect, it } from 'vitest';
import {
  classifyStatus,
  classifyTransportError,
  parseRetryAfterSec,
} from '../../../../harness/engine/client/error-class.ts';

const at = (code: string) => Object.assign(new Error(code), { code });

describe('classifyStatus', () => {
  it('maps statuses to stable classes, 2xx to none', () => {
    expect([200, 204, 429, 400, 404, 422, 500, 503, 302].map(classifyStatus)).toEqual([
      null,
      null,
      'http_429',
      'http_4xx',
      'http_4xx',
      'http_4xx',
      'http_5xx',
      'http_5xx',
      'protocol',
    ]);
  });
});

describe('classifyTransportError', () => {
  it('calls a failure before any response connect and the same failure after headers stream_error', () => {
    expect(classifyTransportError(at('ECONNRESET'), false)).toBe('connect');
    expect(classifyTransportError(at('UND_ERR_SOCKET'), false)).toBe('connect');
    expect(classifyTransportError(at('UND_ERR_SOCKET'), true)).toBe('stream_error');
  });

  it("treats undici's own header and body timeouts as timeout and parser errors as protocol", () => {
    expect(classifyTransportError(at('UND_ERR_HEADERS_TIMEOUT'), false)).toBe('timeout');
    expect(classifyTransportError(at('UND_ERR_BODY_TIMEOUT'), true)).toBe('timeout');
    expect(classifyTransportError(at('HPE_INVALID_CONSTANT'), false)).toBe('protocol');
  });
});

describe('parseRetryAfterSec', () => {
  const epochNowMs = () => Date.UTC(2026, 0, 1, 0, 0, 0);

  it('reads delta-seconds and HTTP-dates, rounding a date up to whole seconds from now', () => {
    expect(parseRetryAfterSec('7', epochNowMs)).toBe(7);
    expect(parseRetryAfterSec(' 1.5 ', epochNowMs)).toBe(1.5);
    expect(parseRetryAfterSec('Thu, 01 Jan 2026 00:00:09 GMT', epochNowMs)).toBe(9);
    expect(parseRetryAfterSec('Wed, 31 Dec 2025 23:00:00 GMT', epochNowMs)).toBe(0);
  });

  it('returns null when the header is absent or unreadable', () => {
    expect(parseRetryAfterSec(undefined, epochNowMs)).toBeNull();
    expect(parseRetryAfterSec('soon', epochNowMs)).toBeNull();
    expect(parseRetryAfterSec(['3', '4'], epochNowMs)).toBe(3);
  });
});
