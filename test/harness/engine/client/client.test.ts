import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../../harness/engine/client/index.ts';
import type { TurnClient } from '../../../../harness/engine/client/index.ts';
import { InvalidConfigError } from '../../../../harness/errors.ts';
import { chatChunk, sse, startScriptedServer, testClient, turnRequest } from './scripted-server.ts';
import type { ScriptedServer } from './scripted-server.ts';

const json = { 'content-type': 'application/json' };
const okStream = [
  sse(chatChunk('a')),
  sse({ object: 'agent.turn', usage: null, degraded: false }, 'done'),
  sse('[DONE]'),
];

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('createClient', () => {
  let server: ScriptedServer;
  let client: TurnClient;

  beforeAll(async () => {
    const retryAt = new Date(Date.now() + 30_000).toUTCString();
    server = await startScriptedServer({
      '/ok': { headers: { 'x-agentload-replica': 'r1' }, steps: okStream },
      '/429': {
        status: 429,
        headers: { ...json, 'retry-after': '3' },
        steps: ['{"error":{"code":"rate_limited","message":"tenant over its token budget"}}'],
      },
      '/429-date': { status: 429, headers: { ...json, 'retry-after': retryAt }, steps: ['{}'] },
      '/503': {
        status: 503,
        headers: { ...json, 'retry-after': '1', 'x-agentload-replica': 'r2' },
        steps: ['{"error":{"code":"overloaded","message":"queue full"}}'],
      },
      '/500': { status: 500, headers: { 'content-type': 'text/plain' }, steps: ['boom'] },
      '/400': {
        status: 400,
        headers: json,
        steps: ['{"error":{"code":"bad_request","message":"unknown field"}}'],
      },
      '/hang': { steps: [sse(chatChunk('a')), 'hang'] },
      '/silent': { silent: true, steps: [] },
    });
    client = testClient(server.url);
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('classifies 429 as http_429 and reads Retry-After in seconds', async () => {
    const r = await client.send(turnRequest('agent', '/429'));
    expect(r).toMatchObject({
      status: 429,
      errorClass: 'http_429',
      retryAfterSec: 3,
      errorMessage: 'HTTP 429: rate_limited: tenant over its token budget',
      firstTokenMs: null,
      outputTokens: 0,
    });
  });

  it('converts an HTTP-date Retry-After into seconds from now', async () => {
    const r = await client.send(turnRequest('agent', '/429-date'));
    expect(r.retryAfterSec).toBeGreaterThan(20);
    expect(r.retryAfterSec).toBeLessThanOrEqual(31);
  });

  it('classifies 503 and 500 as http_5xx and 400 as http_4xx', async () => {
    const unavailable = await client.send(turnRequest('agent', '/503'));
    expect(unavailable).toMatchObject({
      status: 503,
      errorClass: 'http_5xx',
      retryAfterSec: 1,
      replica: 'r2',
    });
    const failed = await client.send(turnRequest('agent', '/500'));
    expect(failed).toMatchObject({ status: 500, errorClass: 'http_5xx', errorMessage: 'HTTP 500: boom' });
    expect((await client.send(turnRequest('agent', '/400'))).errorClass).toBe('http_4xx');
  });

  it('classifies a refused connection as connect with status 0', async () => {
    const refused = testClient(`http://127.0.0.1:${await closedPort()}`);
    const r = await refused.send(turnRequest('agent', '/ok'));
    await refused.close();
    expect(r).toMatchObject({ status: 0, errorClass: 'connect', firstByteMs: null });
    expect(r.errorMessage).toContain('ECONNREFUSED');
  });

  it('classifies a turn past requestTimeoutMs as timeout, with or without a response started', async () => {
    const impatient = testClient(server.url, { requestTimeoutMs: 150 });
    const [midStream, noHeaders] = await Promise.all([
      impatient.send(turnRequest('agent', '/hang')),
      impatient.send(turnRequest('agent', '/silent')),
    ]);
    await impatient.close();
    expect(midStream).toMatchObject({ status: 200, errorClass: 'timeout', outputTokens: 1 });
    expect(noHeaders).toMatchObject({ status: 0, errorClass: 'timeout', firstByteMs: null });
  });

  it('resolves as aborted when the caller aborts, before or during the turn', async () => {
    const already = new AbortController();
    already.abort();
    const r1 = await client.send({ ...turnRequest('agent', '/ok'), signal: already.signal });
    expect(r1.errorClass).toBe('aborted');
    const later = new AbortController();
    const pending = client.send({ ...turnRequest('agent', '/hang'), signal: later.signal });
    setTimeout(() => later.abort(), 30);
    expect((await pending).errorClass).toBe('aborted');
  });

  it('reuses an idle keep-alive connection for the next turn', async () => {
    const own = await startScriptedServer({ '/ok': { steps: okStream } });
    const c = testClient(own.url, { connections: 8 });
    for (let i = 0; i < 5; i++) {
      expect((await c.send(turnRequest('agent', '/ok'))).errorClass).toBeNull();
      // undici hands a socket back to the pool one event-loop turn after the response ends.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await c.close();
    await own.close();
    expect(own.connections()).toBe(1);
  });

  it('holds at most `connections` turns in flight and queues the rest', async () => {
    const own = await startScriptedServer({ '/slow-ok': { steps: [40, ...okStream] } });
    const c = testClient(own.url, { connections: 2 });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => c.send(turnRequest('agent', '/slow-ok'))),
    );
    await c.close();
    await own.close();
    expect(results.every((r) => r.errorClass === null)).toBe(true);
    expect(own.maxConcurrent()).toBe(2);
    expect(own.connections()).toBe(2);
  });

  it('resolves a header the HTTP layer refuses as protocol instead of throwing', async () => {
    const r = await client.send({ ...turnRequest('agent', '/ok'), headers: { 'x-bad': 'a\r\nb' } });
    expect(r).toMatchObject({ status: 0, errorClass: 'protocol' });
    expect(r.errorMessage).toContain('x-bad');
  });

  it('rejects invalid options listing every problem', () => {
    const make = () =>
      createClient({ baseUrl: 'ftp://x', connections: 0, now: () => 0, requestTimeoutMs: -1 });
    expect(make).toThrow(InvalidConfigError);
    expect(make).toThrow(/baseUrl[\s\S]*connections[\s\S]*requestTimeoutMs/);
  });

  it('rejects an unknown protocol and a relative path instead of sending', async () => {
    const bad = { ...turnRequest('agent', '/ok'), protocol: 'grpc' as never };
    await expect(client.send(bad)).rejects.toThrow(/unknown protocol "grpc"/);
    await expect(client.send(turnRequest('agent', 'ok'))).rejects.toThrow(/must start with "\/"/);
  });

  it('appends request paths to a path prefix in baseUrl', async () => {
    const prefixed = createClient({
      baseUrl: `${server.url}/ok/`,
      connections: 1,
      now: () => performance.now(),
      requestTimeoutMs: 5_000,
    });
    const r = await prefixed.send(turnRequest('agent', '/nope'));
    await prefixed.close();
    expect(r.status).toBe(404);
    expect(r.errorMessage).toBe('HTTP 404: not_found: no route');
  });

  it('reports pool occupancy', async () => {
    const stop = new AbortController();
    const pending = client.send({ ...turnRequest('agent', '/hang'), signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(client.stats().running + client.stats().pending).toBe(1);
    stop.abort();
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(client.stats()).toMatchObject({ running: 0, pending: 0 });
  });
});
