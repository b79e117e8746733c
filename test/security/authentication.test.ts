/**
 * S2 Authentication (OWASP API2).
 * Done: every protected route is called with a missing header, malformed ones (other schemes,
 *   empty, double-spaced, lower-case, non-ASCII, 600 characters), unknown keys (a valid key plus or minus
 *   one character, its prefix), a revoked key (hash removed from the config, replica restarted),
 *   and another tenant's valid key; Redis, the config and the logs are searched for the keys.
 * Must hold: every bad key gets 401 + `WWW-Authenticate: Bearer` before the body is read (an
 *   oversized body still gets 401, not 413) and without a model call; another tenant's key gets
 *   the same 404 for an existing session as for a missing one (no existence oracle); only sha256
 *   hashes are kept (no plaintext key, nor its hash, in Redis; no plaintext in the config or logs);
 *   every check runs timingSafeEqual over 32-byte digests against every stored hash, whatever the
 *   presented key (no early exit).
 * Figure: bad-key requests and their 401 share; comparisons per check; median check time for a
 *   valid-prefix key vs a random key (printed, not asserted).
 */
import type * as Crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuthenticator, hashApiKey } from '../../reference-service/agent/auth.ts';
import { parseAgentConfig } from '../../reference-service/agent/config.ts';
import type { RunningAgent } from '../../reference-service/agent/start.ts';
import { call, keys } from '../reference-service/agent/helpers/agent-stack.ts';
import { caseFigure, quantile, round, timingSamples } from '../support/audit-figures.ts';
import { chatCalls, startServiceOnRedis, type RedisService } from '../support/service.ts';

const compares = vi.hoisted(() => ({ calls: 0, lengths: new Set<number>() }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof Crypto>();
  const timingSafeEqual = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView): boolean => {
    compares.calls++;
    compares.lengths.add(a.byteLength).add(b.byteLength);
    return actual.timingSafeEqual(a, b);
  };
  return { ...actual, default: { ...actual, timingSafeEqual }, timingSafeEqual };
});

const oldKey = 'al_test_rotating_old_0000000001';
const newKey = 'al_test_rotating_new_0000000002';

let svc: RedisService;
let revoking: RunningAgent;
let probe: Redis;

beforeAll(async () => {
  svc = await startServiceOnRedis({
    tune: (raw) => {
      raw.caps = { bodyLimitBytes: 8_192 };
      raw.tenants.push({
        name: 'rotating',
        keyHashes: [hashApiKey(oldKey), hashApiKey(newKey)],
        limits: { requestsPerMin: 1_000, tokensPerMin: 1_000_000 },
      });
    },
  });
  probe = new Redis(svc.redis.url);
  // The old key is revoked: its hash leaves the config, and the replica is rolled.
  const tenants = svc.raw.tenants.map((t) =>
    t.name === 'rotating' ? { ...t, keyHashes: [hashApiKey(newKey)] } : t,
  );
  svc.raw.tenants = tenants;
  revoking = await svc.addReplica('agent-revoked');
});

afterAll(async () => {
  probe?.disconnect();
  await svc?.close();
});

const acme = keys.acme;
const badHeaders: (string | null)[] = [
  null,
  'Bearer',
  'Bearer ',
  'Basic dXNlcjpwYXNzd29yZA==',
  `bearer ${acme}`,
  `Token ${acme}`,
  `Bearer  ${acme}`,
  `Bearer ${acme}x`,
  `Bearer ${acme.slice(0, -1)}`,
  `Bearer ${acme.slice(0, 20)}`,
  `Bearer ${'a'.repeat(600)}`,
  'Bearer clé-secrète',
  `Bearer ${acme.toUpperCase()}`,
];

async function send(
  agent: RunningAgent,
  header: string | null,
  route: 'post' | 'get' | 'delete',
): Promise<Response> {
  const headers: Record<string, string> = header === null ? {} : { authorization: header };
  if (route === 'post') {
    // Larger than the 8 KiB body limit: a 413 would mean the body was read before authentication.
    return fetch(`${agent.url}/v1/sessions/auth-1/turns`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'x'.repeat(20_000) }),
    });
  }
  return fetch(`${agent.url}/v1/sessions/auth-1`, { method: route === 'get' ? 'GET' : 'DELETE', headers });
}

describe('S2 authentication', () => {
  const tally = caseFigure('S2 authentication');

  it('answers 401 with WWW-Authenticate to every bad key on every route, before reading the body', async () => {
    const mark = svc.modelRecorder.requests.length;
    const wrong: string[] = [];
    const cases = [
      ...badHeaders.map((h) => ({ agent: svc.agent, header: h })),
      { agent: revoking, header: `Bearer ${oldKey}` },
    ];
    for (const { agent, header } of cases) {
      for (const route of ['post', 'get', 'delete'] as const) {
        const res = await send(agent, header, route);
        const body = (await res.json()) as { error?: { code: string } };
        tally.tried++;
        if (
          res.status !== 401 ||
          res.headers.get('www-authenticate') !== 'Bearer' ||
          body.error?.code !== 'unauthorized'
        )
          wrong.push(`${route} ${String(header).slice(0, 30)} -> ${res.status}`);
      }
    }
    const modelCalls = chatCalls(svc, mark);
    tally.failures += wrong.length + modelCalls;
    tally.figures.push(
      `${cases.length * 3} bad-key requests: ${cases.length * 3 - wrong.length} x 401 before the body, ${modelCalls} model calls`,
    );
    expect(wrong).toEqual([]);
    expect(modelCalls).toBe(0);
  });

  it('accepts the new key of a rotated tenant on both replicas and the old one only where it is not revoked', async () => {
    const turn = (agent: RunningAgent, key: string) =>
      call(agent, '/v1/sessions/rot/turns', { key, body: { message: 'hi', max_tokens: 2 } }).then(
        (r) => r.status,
      );
    expect(await turn(svc.agent, oldKey)).toBe(200);
    expect(await turn(revoking, oldKey)).toBe(401);
    expect(await turn(revoking, newKey)).toBe(200);
    tally.tried += 3;
  });

  it("answers another tenant's key the same 404 for an existing session as for a missing one", async () => {
    await (
      await call(svc.agent, '/v1/sessions/exists/turns', { body: { message: 'hi', max_tokens: 2 } })
    ).text();
    const existing = await call(svc.agent, '/v1/sessions/exists', { key: keys.globex });
    const missing = await call(svc.agent, '/v1/sessions/missing', { key: keys.globex });
    tally.tried += 2;
    expect(existing.status).toBe(404);
    expect(await existing.text()).toBe(await missing.text());
  });

  it('keeps only hashes: no plaintext key in the config, and neither key nor hash in Redis or the logs', async () => {
    const plaintexts = [keys.acme, keys.globex, oldKey, newKey];
    const config = JSON.stringify(parseAgentConfig(svc.raw));
    const redisDump: string[] = [];
    for (const k of await probe.keys('*')) {
      const type = await probe.type(k);
      redisDump.push(k);
      if (type === 'hash') redisDump.push(...Object.values(await probe.hgetall(k)));
      else if (type === 'list') redisDump.push(...(await probe.lrange(k, 0, -1)));
      else if (type === 'zset') redisDump.push(...(await probe.zrange(k, 0, -1)));
    }
    const stored = redisDump.join('\n');
    const logs = svc.logs.text();
    const found = plaintexts.filter(
      (p) => config.includes(p) || stored.includes(p) || stored.includes(hashApiKey(p)) || logs.includes(p),
    );
    tally.tried++;
    tally.failures += found.length;
    expect(redisDump.length).toBeGreaterThan(0);
    expect(found).toEqual([]);
  });

  it('compares digests in constant time against every stored hash, whatever key is presented', async () => {
    const config = parseAgentConfig(svc.raw);
    const authenticate = createAuthenticator(config.tenants);
    const stored = config.tenants.reduce((n, t) => n + t.keyHashes.length, 0);
    const presented = [
      `Bearer ${keys.acme}`,
      `Bearer ${newKey}`,
      `Bearer ${acme}x`,
      'Bearer unknown-key-123',
    ];
    for (const header of presented) {
      compares.calls = 0;
      compares.lengths.clear();
      authenticate(header);
      tally.tried++;
      if (compares.calls !== stored) tally.failures++;
      expect(compares.calls).toBe(stored);
      expect([...compares.lengths]).toEqual([32]);
    }
    const timeNs = (header: string): number[] => {
      const out: number[] = [];
      for (let i = 0; i < timingSamples(); i++) {
        const t0 = process.hrtime.bigint();
        authenticate(header);
        out.push(Number(process.hrtime.bigint() - t0));
      }
      return out;
    };
    timeNs(`Bearer ${acme}`);
    const prefix = quantile(timeNs(`Bearer ${acme.slice(0, -1)}y`), 0.5);
    const random = quantile(timeNs('Bearer zq8Kf0pLr2Xv9Tn4Wb7Hc1Md'), 0.5);
    tally.figures.push(
      `${stored} timingSafeEqual calls per check over 32-byte digests for every key; median check ` +
        `${round(prefix / 1000, 2)} us (valid prefix) vs ${round(random / 1000, 2)} us (random key), ` +
        `difference ${round(Math.abs(prefix - random) / 1000, 2)} us over ${timingSamples()} samples each`,
    );
  });
});
