/**
 * S1 Cross-tenant access matrix (OWASP API1, BOLA).
 * Done: tenant acme holds 4 sessions whose turns carry a canary string, created with
 *   Idempotency-Keys; tenants globex and initech call GET and DELETE on every real id plus guessed
 *   and ill-formed ones, and POST turns to acme's real ids reusing acme's keys and bodies.
 * Must hold: every GET/DELETE on a well-formed id answers 404 (ill-formed ids 400), never 2xx or
 *   403; a POST to acme's id creates the caller's own session (turn 1, never a replay of acme's
 *   key); no response and no prompt sent to the model on the attacker's behalf holds a byte of
 *   acme's content; acme's sessions are intact afterwards; every Redis key lives under its
 *   tenant's `{al:<tenant>}` prefix.
 * Figure: matrix size, 404 share, canary occurrences in attacker responses and prompts.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../reference-service/agent/auth.ts';
import { call, keys } from '../reference-service/agent/helpers/agent-stack.ts';
import { recordFigure } from '../support/audit-figures.ts';
import { startServiceOnRedis, type RedisService } from '../support/service.ts';

const initechKey = 'initech-key-000001';
const canary = `CANARY-${randomBytes(6).toString('hex')}`;
const realIds = ['real-0', 'real-1', 'real-2', 'real-3'];
const guessedIds = [
  'session-1',
  'default',
  '1',
  'acme',
  'admin',
  'real-4',
  'acme:real-0',
  'real-0.bak',
  'r'.repeat(128),
];
const illFormedIds = ['..%2Freal-0', '%7Bal%3Aacme%7D%3As%3Areal-0', 'real 0', 'x'.repeat(129)];

let svc: RedisService;
let probe: Redis;
const acmeAnswers: string[] = [];

beforeAll(async () => {
  svc = await startServiceOnRedis({
    tune: (raw) => {
      raw.tenants.push({
        name: 'initech',
        keyHashes: [hashApiKey(initechKey)],
        limits: { requestsPerMin: 6_000, tokensPerMin: 6_000_000 },
      });
    },
  });
  probe = new Redis(svc.redis.url);
  for (const [i, id] of realIds.entries()) {
    const res = await call(svc.agent, `/v1/sessions/${id}/turns`, {
      body: { message: `my secret is ${canary}`, max_tokens: 16 },
      headers: { 'idempotency-key': `acme-idem-${i}` },
    });
    acmeAnswers.push(((await res.json()) as { message: { content: string } }).message.content);
  }
});

afterAll(async () => {
  probe?.disconnect();
  await svc?.close();
});

describe('S1 cross-tenant access matrix', () => {
  it("never shows another tenant's session, on any id, to any method", async () => {
    const leaks: string[] = [];
    const wrongStatus: string[] = [];
    let tried = 0;
    const leaked = (text: string) =>
      text.includes(canary) || acmeAnswers.some((a) => a.length >= 12 && text.includes(a));
    for (const key of [keys.globex, initechKey]) {
      for (const [ids, expected] of [
        [[...realIds, ...guessedIds], 404],
        [illFormedIds, 400],
      ] as const) {
        for (const id of ids) {
          for (const method of ['GET', 'DELETE']) {
            const res = await call(svc.agent, `/v1/sessions/${id}`, { key, method });
            const text = await res.text();
            tried++;
            if (res.status !== expected) wrongStatus.push(`${method} ${id} -> ${res.status}`);
            if (leaked(text)) leaks.push(`${method} ${id}`);
          }
        }
      }
      for (const [i, id] of realIds.entries()) {
        const requestId = `bola-${key.slice(0, 6)}-${i}`;
        const res = await call(svc.agent, `/v1/sessions/${id}/turns`, {
          key,
          body: { message: `my secret is ${canary}`.replace(canary, 'nothing'), max_tokens: 16 },
          headers: { 'idempotency-key': `acme-idem-${i}`, 'x-request-id': requestId },
        });
        const text = await res.text();
        tried++;
        const body = JSON.parse(text) as { turn?: number };
        if (res.status !== 200 || body.turn !== 1 || res.headers.has('idempotent-replayed'))
          wrongStatus.push(`POST ${id} -> ${res.status} turn ${body.turn}`);
        if (leaked(text)) leaks.push(`POST ${id}`);
        for (const sent of svc.modelRecorder.byRequestId(requestId))
          if (sent.body.includes(canary)) leaks.push(`prompt of POST ${id}`);
      }
    }
    recordFigure({
      caseId: 'S1 cross-tenant access matrix',
      tried,
      failures: leaks.length + wrongStatus.length,
      figure:
        `${tried} requests by 2 tenants on ${realIds.length} real, ${guessedIds.length} guessed, ${illFormedIds.length} ill-formed ids: ` +
        `${tried - wrongStatus.length} as expected (404 / 400 / own new session), ${leaks.length} responses or prompts with acme bytes`,
    });
    expect(wrongStatus).toEqual([]);
    expect(leaks).toEqual([]);
  });

  it("leaves the owner's sessions intact and keeps every Redis key under its tenant", async () => {
    for (const [i, id] of realIds.entries()) {
      const res = await call(svc.agent, `/v1/sessions/${id}`);
      const body = (await res.json()) as { turns: { user: string; assistant: string }[] };
      expect(body.turns).toEqual([
        expect.objectContaining({ user: `my secret is ${canary}`, assistant: acmeAnswers[i] }),
      ]);
    }
    const all = await probe.keys('*');
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((k) => !/^\{al:(acme|globex|initech)\}:/.test(k))).toEqual([]);
    for (const k of all.filter((x) => !x.startsWith('{al:acme}'))) {
      const type = await probe.type(k);
      const values =
        type === 'list'
          ? await probe.lrange(k, 0, -1)
          : type === 'hash'
            ? Object.values(await probe.hgetall(k))
            : [];
      expect(values.join('\n')).not.toContain(canary);
    }
  });
});
