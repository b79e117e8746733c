import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, keys, modelRequestCount, startAgentStack, type AgentStack } from './helpers/agent-stack.ts';
import { metricValue } from '../../support/service.ts';
import { startTestRedis, type TestRedis } from '../../support/redis-process.ts';

let redis: TestRedis;
let stack: AgentStack;
const clock = { nowMs: 1_000_000 };

beforeAll(async () => {
  redis = await startTestRedis();
  stack = await startAgentStack({
    redisUrl: redis.url,
    nowMs: () => clock.nowMs,
    tune: (raw) => {
      raw.timeouts = {
        modelFirstTokenMs: 300,
        modelIdleMs: 300,
        modelTotalMs: 5_000,
        redisCommandMs: 200,
        redisConnectMs: 200,
      };
      raw.retry = { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 };
      raw.breaker = { minVolume: 3, failureThresholdPct: 50, windowMs: 60_000, openMs: 30_000 };
    },
  });
});

afterAll(async () => {
  await stack?.close();
  await redis?.stop();
});

interface TurnJson {
  degraded: boolean;
  message: { content: string };
}

describe('when the model server hangs', () => {
  it('answers a degraded turn once the first-token timeout has expired on every attempt', async () => {
    stack.model.faults.setHang(true);
    try {
      const startMs = performance.now();
      const res = await call(stack.agent, '/v1/sessions/hang-1/turns', {
        body: { message: 'are you there? mail me at jane.doe@example.com' },
      });
      const elapsedMs = performance.now() - startMs;
      expect(res.status).toBe(200);
      const body = (await res.json()) as TurnJson;
      expect(body.degraded).toBe(true);
      expect(body.message.content).toMatch(/temporarily unavailable/);
      // Two attempts, each cut at the 300 ms first-token timeout; far below the 5 s total timeout.
      expect(elapsedMs).toBeGreaterThanOrEqual(600);
      expect(elapsedMs).toBeLessThan(5_000);
      const history = (await (await call(stack.agent, '/v1/sessions/hang-1')).json()) as {
        turns: { degraded: boolean }[];
      };
      expect(history.turns).toEqual([expect.objectContaining({ degraded: true })]);
    } finally {
      stack.model.faults.setHang(false);
    }
  });
});

describe('when the model server is down', () => {
  it('degrades at once, opens the breaker, and closes it through one probe when the model returns', async () => {
    // The hang test left 2 failures in the window; one more failed call reaches minVolume 3.
    stack.model.faults.crash();
    const first = (await (
      await call(stack.agent, '/v1/sessions/down-1/turns', { body: { message: 'hello' } })
    ).json()) as TurnJson;
    expect(first.degraded).toBe(true);
    expect(await metricValue(stack.agent, 'agent_model_breaker_state{state="open"')).toBe(1);
    expect(await metricValue(stack.agent, 'agent_breaker_open')).toBe(1);

    const shortCircuits = await metricValue(stack.agent, 'agent_model_calls_total{outcome="breaker_open"');
    const streamed = await call(stack.agent, '/v1/sessions/down-1/turns', {
      body: { message: 'still there?', stream: true },
    });
    const text = await streamed.text();
    expect(text).toContain('temporarily unavailable');
    expect(text).toContain('"degraded":true');
    expect(await metricValue(stack.agent, 'agent_model_calls_total{outcome="breaker_open"')).toBe(
      shortCircuits + 1,
    );

    await stack.model.faults.restart({ loadTimeSec: 0 });
    const callsBefore = await modelRequestCount(stack.model);
    // Still open: no call reaches the recovered model until openMs has passed.
    const stillOpen = (await (
      await call(stack.agent, '/v1/sessions/down-1/turns', { body: { message: 'now?' } })
    ).json()) as TurnJson;
    expect(stillOpen.degraded).toBe(true);
    expect(await modelRequestCount(stack.model)).toBe(callsBefore);

    clock.nowMs += 30_000;
    const probe = (await (
      await call(stack.agent, '/v1/sessions/down-1/turns', { body: { message: 'and now?', max_tokens: 4 } })
    ).json()) as TurnJson;
    expect(probe.degraded).toBe(false);
    expect(await metricValue(stack.agent, 'agent_model_breaker_state{state="closed"')).toBe(1);
    expect(await modelRequestCount(stack.model)).toBe(callsBefore + 1);
  });
});

describe('when Redis is down', () => {
  it('answers 503 quickly, stays live but not ready, and recovers when Redis returns', async () => {
    await redis.kill();
    try {
      for (const [path, body] of [
        ['/v1/sessions/r-1/turns', { message: 'hi' }],
        ['/v1/sessions/r-1', undefined],
      ] as const) {
        const startMs = performance.now();
        const res = await call(stack.agent, path, { body, key: keys.globex });
        expect(performance.now() - startMs).toBeLessThan(3_000);
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('1');
        expect(await res.json()).toMatchObject({ error: { code: 'store_unavailable' } });
      }
      expect((await call(stack.agent, '/healthz', { key: null })).status).toBe(200);
      const ready = await call(stack.agent, '/readyz', { key: null });
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { store: 'unavailable' } });
    } finally {
      await redis.restart();
    }
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (
        await call(stack.agent, '/v1/sessions/r-2/turns', { body: { message: 'back?', max_tokens: 2 } })
      ).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });
});

describe('logs', () => {
  it('carry request ids of the outage turns but no API key, authorization header or e-mail address', async () => {
    const logs = stack.logs.text();
    expect(logs).toContain('model call failed');
    expect(logs).toContain('"code":"store_unavailable"');
    for (const secret of [keys.acme, keys.globex, 'Bearer al_', 'jane.doe', 'example.com']) {
      expect(logs).not.toContain(secret);
    }
  });
});
