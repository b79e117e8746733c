import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../reference-service/agent/auth.ts';
import { parseAgentConfig } from '../../../reference-service/agent/config.ts';
import { demoAgentConfig } from '../../../reference-service/agent/demo-config.ts';
import { startAgent, type RunningAgent } from '../../../reference-service/agent/start.ts';
import {
  call,
  captureLogs,
  modelRequestCount,
  startAgentStack,
  type AgentStack,
} from './helpers/agent-stack.ts';
import { startTestRedis, type TestRedis } from '../../support/redis-process.ts';

let redis: TestRedis;
let stack: AgentStack;
let second: RunningAgent;

const requestsKey = 'rl-requests-key-01';
const tokensKey = 'rl-tokens-key-0001';

function tune(raw: ReturnType<typeof demoAgentConfig>): void {
  raw.caps = { maxTokens: 64, defaultMaxTokens: 16, maxMessageChars: 400, historyTokenBudget: 100 };
  raw.tenants.push(
    {
      name: 'tight',
      keyHashes: [hashApiKey(requestsKey)],
      limits: { requestsPerMin: 2, tokensPerMin: 100_000 },
    },
    {
      name: 'thrifty',
      keyHashes: [hashApiKey(tokensKey)],
      limits: { requestsPerMin: 1_000, tokensPerMin: 300 },
    },
  );
}

beforeAll(async () => {
  redis = await startTestRedis();
  stack = await startAgentStack({ redisUrl: redis.url, tune });
  // A second replica on the same Redis: limits hold across replicas.
  const raw = demoAgentConfig({ modelUrl: stack.model.url, redisUrl: redis.url });
  tune(raw);
  second = await startAgent({
    config: parseAgentConfig(raw),
    replicaId: 'agent-two',
    logStream: captureLogs().stream,
  });
});

afterAll(async () => {
  await second?.close(1_000);
  await stack?.close();
  await redis?.stop();
});

describe('per-tenant rate limits (Redis, Lua)', () => {
  it('admits exactly the request quota across two replicas and rejects the rest with 429 and headers', async () => {
    const before = await modelRequestCount(stack.model);
    const agents = [stack.agent, second, stack.agent, second, stack.agent, second];
    const responses = await Promise.all(
      agents.map((agent, i) =>
        call(agent, `/v1/sessions/rl-${i}/turns`, {
          key: requestsKey,
          body: { message: 'hi', max_tokens: 2 },
        }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429, 429, 429]);
    expect((await modelRequestCount(stack.model)) - before).toBe(2);
    const rejected = responses.find((r) => r.status === 429)!;
    const retryAfterSec = Number(rejected.headers.get('retry-after'));
    // 2 per minute: one request comes back every 30 s.
    expect(retryAfterSec).toBeGreaterThanOrEqual(1);
    expect(retryAfterSec).toBeLessThanOrEqual(30);
    expect(rejected.headers.get('ratelimit-reset')).toBe(String(retryAfterSec));
    expect(rejected.headers.get('ratelimit-limit')).toBe('2');
    expect(rejected.headers.get('ratelimit-remaining')).toBe('0');
    expect(rejected.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(rejected.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(rejected.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
    expect(await rejected.json()).toMatchObject({ error: { code: 'rate_limited' } });
    const admitted = responses.find((r) => r.status === 200)!;
    expect(admitted.headers.get('x-ratelimit-limit-requests')).toBe('2');
    const metrics = await (await call(stack.agent, '/metrics', { key: null })).text();
    expect(metrics).toMatch(/agent_rate_limit_rejections_total\{dimension="requests"[^}]*\} [1-4]/);
  });

  it('charges prompt plus max_tokens at admission, rejecting a turn the token bucket cannot cover', async () => {
    stack.model.faults.setLatencyMultiplier(30);
    try {
      const message =
        'Please explain how capacity planning for language model serving works in practice. '.repeat(4);
      const abandon = new AbortController();
      const first = call(stack.agent, '/v1/sessions/tok-1/turns', {
        key: tokensKey,
        body: { message, max_tokens: 64 },
        signal: abandon.signal,
      }).catch(() => null);
      const deadline = Date.now() + 5_000;
      while (stack.model.inFlightRequests() === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
      const before = await modelRequestCount(stack.model);
      const rejected = await call(stack.agent, '/v1/sessions/tok-2/turns', {
        key: tokensKey,
        body: { message, max_tokens: 64 },
      });
      expect(rejected.status).toBe(429);
      expect(await modelRequestCount(stack.model)).toBe(before);
      expect(rejected.headers.get('ratelimit-limit')).toBe('300');
      expect(Number(rejected.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(300 - 64);
      expect(Number(rejected.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      abandon.abort();
      await first;
    } finally {
      stack.model.faults.reset();
    }
  });
});
