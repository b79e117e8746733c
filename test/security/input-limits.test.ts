/**
 * S3 Input and size limits (OWASP API4, REST Security Cheat Sheet).
 * Done: turns are sent with a body over the limit (with Content-Length, and chunked without it),
 *   a gzip bomb (10 MB of JSON compressed to ~10 KB, `Content-Encoding: gzip`), a message over
 *   maxMessageChars, max_tokens above the cap or mistyped, a `messages` array of 500 entries,
 *   unknown fields, `__proto__` and `constructor.prototype` payloads, deep nesting, bad JSON, and
 *   wrong or missing Content-Types.
 * Must hold: 413 for bodies over the limit, 400 for bad or unknown content, 415 for non-JSON
 *   types, each in the protocol's error shape, before any model call (the recorder sees no request
 *   with their request ids) and before anything is stored; the bomb is never inflated (Content-
 *   Encoding is not decoded, so it fails as JSON: 400; inflated it would have been 413).
 * Figure: cases tried, answered as expected, model calls made.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../reference-service/agent/helpers/agent-stack.ts';
import { recordFigure, round } from '../support/audit-figures.ts';
import { startServiceOnRedis, type RedisService } from '../support/service.ts';

const bodyLimitBytes = 16_384;
let svc: RedisService;

beforeAll(async () => {
  svc = await startServiceOnRedis({
    tune: (raw) => {
      raw.caps = { bodyLimitBytes, maxMessageChars: 2_000, maxTokens: 64, defaultMaxTokens: 16 };
    },
  });
});

afterAll(async () => {
  await svc?.close();
});

interface Case {
  name: string;
  body: string | Buffer | ReadableStream<Uint8Array>;
  status: number;
  headers?: Record<string, string>;
}

const json = (v: unknown): string => JSON.stringify(v);
const bomb = gzipSync(Buffer.from(json({ message: 'a'.repeat(10_000_000) })));

function chunked(totalBytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  const chunk = new TextEncoder().encode('{"message":"' + 'b'.repeat(4_000));
  return new ReadableStream({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

const cases: Case[] = [
  {
    name: 'body over the limit',
    body: json({ message: 'x'.repeat(1_000), pad: 'y'.repeat(bodyLimitBytes) }),
    status: 413,
  },
  { name: 'chunked body over the limit', body: chunked(200_000), status: 413 },
  { name: 'gzip bomb', body: bomb, status: 400, headers: { 'content-encoding': 'gzip' } },
  { name: 'message over maxMessageChars', body: json({ message: 'z'.repeat(2_001) }), status: 400 },
  { name: 'empty message', body: json({ message: '' }), status: 400 },
  { name: 'max_tokens above the cap', body: json({ message: 'hi', max_tokens: 65 }), status: 400 },
  { name: 'max_tokens negative', body: json({ message: 'hi', max_tokens: -1 }), status: 400 },
  { name: 'max_tokens not an integer', body: json({ message: 'hi', max_tokens: 1.5 }), status: 400 },
  { name: 'max_tokens as a string', body: json({ message: 'hi', max_tokens: '8' }), status: 400 },
  {
    name: '500 messages',
    body: json({
      message: 'hi',
      messages: Array.from({ length: 500 }, () => ({ role: 'user', content: 'x' })),
    }),
    status: 400,
  },
  { name: 'unknown field', body: json({ message: 'hi', model: 'gpt-4', temperature: 2 }), status: 400 },
  { name: '__proto__ payload', body: '{"message":"hi","__proto__":{"isAdmin":true}}', status: 400 },
  {
    name: 'constructor.prototype payload',
    body: '{"message":"hi","constructor":{"prototype":{"x":1}}}',
    status: 400,
  },
  { name: 'deep nesting', body: '['.repeat(5_000) + ']'.repeat(5_000), status: 400 },
  { name: 'array body', body: json([{ message: 'hi' }]), status: 400 },
  { name: 'bad JSON', body: '{"message": "hi",', status: 400 },
  { name: 'empty JSON body', body: '', status: 400 },
  {
    name: 'text/plain',
    body: json({ message: 'hi' }),
    status: 415,
    headers: { 'content-type': 'text/plain' },
  },
  {
    name: 'form encoded',
    body: 'message=hi',
    status: 415,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  },
  {
    name: 'multipart',
    body: '--b\r\nContent-Disposition: form-data; name="message"\r\n\r\nhi\r\n--b--',
    status: 415,
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
  },
  { name: 'no content-type', body: json({ message: 'hi' }), status: 415, headers: { 'content-type': '' } },
];

describe('S3 input and size limits', () => {
  it('rejects every oversized, malformed or mistyped turn with 413/400/415 before any model call', async () => {
    const wrong: string[] = [];
    for (const [i, c] of cases.entries()) {
      const requestId = `limits-${i}`;
      const headers: Record<string, string> = {
        authorization: `Bearer ${keys.acme}`,
        'content-type': 'application/json',
        'x-request-id': requestId,
        ...c.headers,
      };
      if (headers['content-type'] === '') delete headers['content-type'];
      const res = await fetch(`${svc.agent.url}/v1/sessions/limits/turns`, {
        method: 'POST',
        headers,
        body: c.body,
        ...(c.body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
      const text = await res.text();
      let code: unknown;
      try {
        code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
      } catch {
        code = undefined;
      }
      const calls = svc.modelRecorder.byRequestId(requestId).length;
      if (res.status !== c.status || typeof code !== 'string' || calls > 0)
        wrong.push(`${c.name}: ${res.status} ${String(code)} model calls ${calls}`);
    }
    const stored = await fetch(`${svc.agent.url}/v1/sessions/limits`, {
      headers: { authorization: `Bearer ${keys.acme}` },
    });
    recordFigure({
      caseId: 'S3 input limits',
      tried: cases.length,
      failures: wrong.length + (stored.status === 404 ? 0 : 1),
      figure:
        `${cases.length} hostile bodies: ${cases.length - wrong.length} answered 413/400/415 as expected before any model call; ` +
        `gzip bomb (${round(bomb.length / 1024, 1)} KB -> 10 MB) answered 400 uninflated (inflated it would be 413); nothing stored`,
    });
    expect(wrong).toEqual([]);
    expect(stored.status).toBe(404);
  });
});
