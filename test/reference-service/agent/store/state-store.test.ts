import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../../../reference-service/agent/store/memory-store.ts';
import { RedisStateStore } from '../../../../reference-service/agent/store/redis-store.ts';
import type { NewTurn, StateStore } from '../../../../reference-service/agent/store/types.ts';
import { startTestRedis, type TestRedis } from '../../../support/redis-process.ts';

const limits = { requestsPerMin: 3, tokensPerMin: 1_000 };

function makeTurn(overrides: Partial<NewTurn> = {}): NewTurn {
  return {
    user: 'hello',
    assistant: 'hi there',
    degraded: false,
    at: '2025-01-01T00:00:00.000Z',
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    toolSteps: [],
    finishReason: 'stop',
    ...overrides,
  };
}

let redis: TestRedis;
let redisStore: RedisStateStore;
let tenantSeq = 0;

beforeAll(async () => {
  redis = await startTestRedis();
  redisStore = new RedisStateStore({
    url: redis.url,
    sessionTtlSec: 3600,
    connectTimeoutMs: 500,
    commandTimeoutMs: 500,
  });
  await redisStore.connect();
});

afterAll(async () => {
  await redisStore?.close();
  await redis?.stop();
});

const stores: [string, () => StateStore][] = [
  ['memory', () => new MemoryStateStore({ sessionTtlSec: 3600 })],
  ['redis', () => redisStore],
];

describe.each(stores)('%s state store', (_name, makeStore) => {
  // A fresh tenant per test keeps the shared Redis instance's state apart.
  const tenant = (): string => `t${++tenantSeq}`;

  it('admits up to the request quota, then reports how long to wait', async () => {
    const store = makeStore();
    const t = tenant();
    for (let i = 0; i < 3; i++) expect((await store.admit(t, limits, 10)).allowed).toBe(true);
    const rejected = await store.admit(t, limits, 10);
    expect(rejected.allowed).toBe(false);
    // 3 per minute refills one request every 20 s.
    expect(rejected.requests.waitMs).toBeGreaterThan(15_000);
    expect(rejected.requests.waitMs).toBeLessThanOrEqual(20_000);
    expect(rejected.tokens.waitMs).toBe(0);
  });

  it('rejects a token charge above what is left without taking a request', async () => {
    const store = makeStore();
    const t = tenant();
    expect((await store.admit(t, limits, 900)).allowed).toBe(true);
    const rejected = await store.admit(t, limits, 200);
    expect(rejected.allowed).toBe(false);
    expect(rejected.tokens.waitMs).toBeGreaterThan(0);
    expect(Math.floor(rejected.requests.remaining)).toBe(2);
  });

  it('gives back the unused part of a charge when the turn settles', async () => {
    const store = makeStore();
    const t = tenant();
    await store.admit(t, limits, 900);
    await store.settleTokens(t, limits, 850);
    const next = await store.admit(t, limits, 900);
    expect(next.allowed).toBe(true);
  });

  it('numbers appended turns per session and returns them in order', async () => {
    const store = makeStore();
    const t = tenant();
    expect(await store.reserveSession(t, 's1', 10)).toBe(true);
    const first = await store.appendTurn(t, 's1', makeTurn({ user: 'one' }));
    const second = await store.appendTurn(t, 's1', makeTurn({ user: 'two', toolSteps: [] }));
    expect([first.turn, second.turn]).toEqual([1, 2]);
    const turns = await store.getSession(t, 's1');
    expect(turns?.map((x) => x.user)).toEqual(['one', 'two']);
    expect(turns?.[1]?.toolSteps).toEqual([]);
    expect((await store.recentTurns(t, 's1', 1)).map((x) => x.user)).toEqual(['two']);
  });

  it("keeps one tenant's sessions invisible to another", async () => {
    const store = makeStore();
    const a = tenant();
    const b = tenant();
    await store.reserveSession(a, 'shared-id', 10);
    await store.appendTurn(a, 'shared-id', makeTurn());
    expect(await store.getSession(b, 'shared-id')).toBeNull();
    expect(await store.recentTurns(b, 'shared-id', 10)).toEqual([]);
    expect(await store.deleteSession(b, 'shared-id')).toBe(false);
    expect(await store.getSession(a, 'shared-id')).not.toBeNull();
  });

  it('refuses a new session past the cap but keeps serving existing ones', async () => {
    const store = makeStore();
    const t = tenant();
    expect(await store.reserveSession(t, 'a', 2)).toBe(true);
    expect(await store.reserveSession(t, 'b', 2)).toBe(true);
    expect(await store.reserveSession(t, 'c', 2)).toBe(false);
    expect(await store.reserveSession(t, 'a', 2)).toBe(true);
    expect(await store.deleteSession(t, 'b')).toBe(true);
    expect(await store.reserveSession(t, 'c', 2)).toBe(true);
  });

  it('walks an idempotency key from claim to replay, and tells in-flight and mismatched requests apart', async () => {
    const store = makeStore();
    const t = tenant();
    const ref = { key: 'k-1', fingerprint: 'fp-a', ttlSec: 60 };
    expect(await store.beginIdempotent(t, ref, 30)).toEqual({ kind: 'new' });
    expect(await store.beginIdempotent(t, ref, 30)).toEqual({ kind: 'in_flight' });
    expect(await store.beginIdempotent(t, { ...ref, fingerprint: 'fp-b' }, 30)).toEqual({ kind: 'mismatch' });
    await store.reserveSession(t, 's', 10);
    const stored = await store.appendTurn(t, 's', makeTurn({ assistant: 'answer' }), ref);
    const replay = await store.beginIdempotent(t, ref, 30);
    expect(replay).toEqual({ kind: 'replay', sessionId: 's', record: stored });
    expect(await store.beginIdempotent(tenant(), ref, 30)).toEqual({ kind: 'new' });
  });

  it('frees a claimed key when the turn fails, so the client can retry', async () => {
    const store = makeStore();
    const t = tenant();
    const ref = { key: 'k-2', fingerprint: 'fp', ttlSec: 60 };
    await store.beginIdempotent(t, ref, 30);
    await store.releaseIdempotent(t, ref.key, 'other-fingerprint');
    expect(await store.beginIdempotent(t, ref, 30)).toEqual({ kind: 'in_flight' });
    await store.releaseIdempotent(t, ref.key, ref.fingerprint);
    expect(await store.beginIdempotent(t, ref, 30)).toEqual({ kind: 'new' });
  });
});

describe('redis state store against a stopped Redis', () => {
  it('fails fast with StoreUnavailableError instead of hanging', async () => {
    const down = await startTestRedis();
    const store = new RedisStateStore({
      url: down.url,
      sessionTtlSec: 60,
      connectTimeoutMs: 200,
      commandTimeoutMs: 200,
    });
    await store.connect();
    await down.stop();
    await new Promise((r) => setTimeout(r, 50));
    await expect(store.admit('t', limits, 1)).rejects.toMatchObject({ name: 'StoreUnavailableError' });
    await expect(store.ping()).rejects.toMatchObject({ name: 'StoreUnavailableError' });
    await store.close();
  });
});
