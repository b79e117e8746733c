/**
 * R4 Rate-limit store outage.
 * Done: Redis (which holds the rate-limit buckets, sessions and idempotency keys) is made to refuse
 *   connections (killed), then to swallow them (a black hole: accepted, never answered), while
 *   every route is called in a loop; one stream is in flight when it dies.
 * Must hold: the documented fail-closed policy: every turn and session call answers 503
 *   `store_unavailable` with `Retry-After: 1`, never 500, never after a hang, and no model call is
 *   made (no quota could be charged); liveness stays 200, readiness 503; a stream cut by the outage
 *   ends with `event: error` + `[DONE]` (not acknowledged); service recovers by itself.
 * Figure: requests during the outage by status, model calls made, slowest answer, recovery time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, keys, parseSse } from '../reference-service/agent/helpers/agent-stack.ts';
import { startTestRedis, type TestRedis } from '../support/redis-process.ts';
import { caseFigure, round } from '../support/audit-figures.ts';
import { chatCalls, startService, sleep, waitFor, type Service } from '../support/service.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

let redis: TestRedis;
let proxy: TcpProxy;
let svc: Service;

beforeAll(async () => {
  redis = await startTestRedis();
  proxy = await startTcpProxy(redis.port);
  svc = await startService({
    redisUrl: proxy.url('redis'),
    tune: (raw) => {
      raw.timeouts = { redisCommandMs: 300, redisConnectMs: 300 };
    },
  });
});

afterAll(async () => {
  await svc?.close();
  await proxy?.close();
  await redis?.stop();
});

interface Outcome {
  status: number;
  code: string | null;
  retryAfter: string | null;
  ms: number;
}

const requests: [string, { method?: string; body?: unknown; headers?: Record<string, string> }][] = [
  ['/v1/sessions/out-1/turns', { body: { message: 'hello', max_tokens: 4 } }],
  ['/v1/sessions/out-1/turns', { body: { message: 'hello', max_tokens: 4, stream: true } }],
  ['/v1/sessions/out-1/turns', { body: { message: 'again' }, headers: { 'idempotency-key': 'k-1' } }],
  ['/v1/sessions/out-1', {}],
  ['/v1/sessions/out-1', { method: 'DELETE' }],
];

/** Calls every route `rounds` times during the outage. */
async function hammer(rounds: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const [path, options] of requests) {
      const startMs = performance.now();
      const res = await call(svc.agent, path, { ...options, key: i % 2 ? keys.acme : keys.globex });
      const text = await res.text();
      let code: string | null = null;
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
      } catch {
        code = 'not-json';
      }
      outcomes.push({
        status: res.status,
        code,
        retryAfter: res.headers.get('retry-after'),
        ms: performance.now() - startMs,
      });
    }
  }
  return outcomes;
}

async function recoveryMs(): Promise<number> {
  const startMs = performance.now();
  await waitFor(
    async () =>
      (await call(svc.agent, '/v1/sessions/back/turns', { body: { message: 'back?', max_tokens: 2 } }))
        .status === 200,
    15_000,
    'a turn to succeed after Redis returned',
  );
  return performance.now() - startMs;
}

function violations(outcomes: Outcome[]): Outcome[] {
  return outcomes.filter(
    (o) => o.status !== 503 || o.code !== 'store_unavailable' || o.retryAfter !== '1' || o.ms > 5_000,
  );
}

describe('R4 rate-limit store outage (fail closed)', () => {
  const tally = caseFigure('R4 rate-limit store outage');

  it('ends a stream in flight with an error event and [DONE] when Redis dies under it', async () => {
    svc.model.faults.setLatencyMultiplier(20);
    try {
      const res = await call(svc.agent, '/v1/sessions/cut/turns', {
        body: { message: 'tell me a long story', max_tokens: 24, stream: true },
      });
      expect(res.headers.get('content-type')).toMatch(/event-stream/);
      const rest = res.text();
      await redis.kill();
      const events = parseSse(await rest);
      tally.tried++;
      expect(events.some((e) => e.event === 'done')).toBe(false);
      expect(JSON.parse(events.find((e) => e.event === 'error')!.data)).toMatchObject({
        error: { code: 'store_unavailable' },
      });
      expect(events.at(-1)!.data).toBe('[DONE]');
    } finally {
      svc.model.faults.reset();
    }
  });

  it('answers 503 store_unavailable with Retry-After on every route while Redis refuses connections', async () => {
    const mark = svc.modelRecorder.requests.length;
    const outcomes = await hammer(8);
    expect((await call(svc.agent, '/healthz', { key: null })).status).toBe(200);
    const ready = await call(svc.agent, '/readyz', { key: null });
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { store: 'unavailable' } });
    const modelCalls = chatCalls(svc, mark);
    await redis.restart();
    const backMs = await recoveryMs();
    const bad = violations(outcomes);
    tally.tried += outcomes.length;
    tally.failures += bad.length + modelCalls;
    tally.figures.push(
      `refused: ${outcomes.length} requests, ${outcomes.length - bad.length} x 503 store_unavailable, ` +
        `${outcomes.filter((o) => o.status === 500).length} x 500, model calls ${modelCalls}, ` +
        `slowest ${round(Math.max(...outcomes.map((o) => o.ms)), 0)} ms, recovered in ${round(backMs, 0)} ms`,
    );
    expect(bad).toEqual([]);
    expect(modelCalls).toBe(0);
  });

  it('answers the same within the command timeout while Redis accepts connections but never answers', async () => {
    proxy.setTarget(null);
    proxy.cutAll();
    const mark = svc.modelRecorder.requests.length;
    try {
      // Let ioredis notice the cut and reconnect into the black hole.
      await sleep(200);
      const outcomes = await hammer(4);
      expect((await call(svc.agent, '/readyz', { key: null })).status).toBe(503);
      const modelCalls = chatCalls(svc, mark);
      proxy.setTarget(redis.port);
      proxy.cutAll();
      const backMs = await recoveryMs();
      const bad = violations(outcomes);
      tally.tried += outcomes.length;
      tally.failures += bad.length + modelCalls;
      tally.figures.push(
        `black hole: ${outcomes.length} requests, ${outcomes.length - bad.length} x 503, model calls ${modelCalls}, ` +
          `slowest ${round(Math.max(...outcomes.map((o) => o.ms)), 0)} ms, recovered in ${round(backMs, 0)} ms`,
      );
      expect(bad).toEqual([]);
      expect(modelCalls).toBe(0);
    } finally {
      proxy.setTarget(redis.port);
    }
  });
});
