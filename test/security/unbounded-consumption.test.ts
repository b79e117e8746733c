/**
 * S7 Unbounded consumption and denial of wallet (OWASP API4, LLM10).
 * Done: a model that asks for a tool on every call (a loop the tool results would never end);
 *   turns with no, maximal and excessive max_tokens; 40 new sessions at once by a tenant capped at
 *   10, across two replicas; a conversation of 8 turns with history capped at 3 turns.
 * Must hold: model calls per turn <= maxToolIterations + 1 and tool calls <= maxToolIterations,
 *   the last call offers no tools and the turn ends with an explicit finishReason; every model
 *   call's max_tokens <= caps.maxTokens (the default when absent; above the cap is 400 before any
 *   call); exactly 10 sessions are created (the rest 409 `session_limit_reached`, atomically across
 *   replicas); the prompt sent to the model never holds more than historyMaxTurns past turns.
 * Figure: model and tool calls per looping turn, largest max_tokens sent, sessions created of
 *   40, largest prompt in messages.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../reference-service/agent/auth.ts';
import type { RunningAgent } from '../../reference-service/agent/start.ts';
import { call } from '../reference-service/agent/helpers/agent-stack.ts';
import { startFakeModel, type FakeModel } from '../reference-service/agent/helpers/fake-model.ts';
import { caseFigure } from '../support/audit-figures.ts';
import { startServiceOnRedis, type RedisService } from '../support/service.ts';

const maxToolIterations = 4;
const maxTokens = 64;
const defaultMaxTokens = 16;
const historyMaxTurns = 3;
const cappedKey = 'capped-tenant-key-01';
const maxSessions = 10;

let probe: Redis;
let fake: FakeModel;
let svc: RedisService;
let second: RunningAgent;

beforeAll(async () => {
  fake = await startFakeModel();
  svc = await startServiceOnRedis({
    modelUrl: fake.url,
    withTools: true,
    tune: (raw) => {
      raw.caps = {
        maxToolIterations,
        maxTokens,
        defaultMaxTokens,
        historyMaxTurns,
        historyTokenBudget: 10_000,
      };
      raw.tenants.push({
        name: 'capped',
        keyHashes: [hashApiKey(cappedKey)],
        limits: { requestsPerMin: 1_000, tokensPerMin: 1_000_000 },
        maxSessions,
      });
    },
  });
  probe = new Redis(svc.redis.url);
  second = await svc.addReplica('agent-1');
});

afterAll(async () => {
  probe?.disconnect();
  await svc?.close();
  await fake?.close();
});

interface ChatBody {
  max_tokens?: number;
  tools?: unknown[];
  messages: unknown[];
}

const chatBodies = (requestId: string): ChatBody[] =>
  svc.modelRecorder
    .byRequestId(requestId)
    .filter((r) => r.path.startsWith('/v1/chat'))
    .map((r) => JSON.parse(r.body) as ChatBody);

describe('S7 unbounded consumption', () => {
  const tally = caseFigure('S7 unbounded consumption');

  it('caps the tool loop: at most maxToolIterations tool rounds, then one call without tools', async () => {
    fake.mode = 'always-tool';
    fake.toolName = 'get_weather';
    try {
      const res = await call(svc.agent, '/v1/sessions/loop/turns', {
        body: { message: 'What is the weather in Lisbon?' },
        headers: { 'x-request-id': 'loop-1' },
      });
      const body = (await res.json()) as { toolSteps: unknown[]; finishReason: string };
      const calls = chatBodies('loop-1');
      tally.tried++;
      if (calls.length > maxToolIterations + 1 || body.toolSteps.length > maxToolIterations) tally.failures++;
      tally.figures.push(
        `looping model: ${calls.length} model calls and ${body.toolSteps.length} tool calls per turn ` +
          `(cap ${maxToolIterations + 1} / ${maxToolIterations}), finishReason ${body.finishReason}`,
      );
      expect(res.status).toBe(200);
      expect(calls).toHaveLength(maxToolIterations + 1);
      expect(body.toolSteps).toHaveLength(maxToolIterations);
      expect(calls.slice(0, -1).every((c) => (c.tools?.length ?? 0) > 0)).toBe(true);
      expect(calls.at(-1)!.tools ?? []).toEqual([]);
      expect(body.finishReason).toBe('stop');
    } finally {
      fake.mode = 'ok';
    }
  });

  it('sends no model call a max_tokens above the cap, and refuses a larger request before calling', async () => {
    const cases: [string, number | undefined, number][] = [
      ['mt-default', undefined, 200],
      ['mt-max', maxTokens, 200],
      ['mt-over', maxTokens + 1, 400],
      ['mt-huge', 1_000_000, 400],
    ];
    let largest = 0;
    for (const [id, value, status] of cases) {
      const res = await call(svc.agent, `/v1/sessions/${id}/turns`, {
        body: value === undefined ? { message: 'hi' } : { message: 'hi', max_tokens: value },
        headers: { 'x-request-id': id },
      });
      await res.text();
      const sent = chatBodies(id).map((b) => b.max_tokens ?? Infinity);
      largest = Math.max(largest, ...sent);
      tally.tried++;
      if (res.status !== status || sent.some((m) => m > maxTokens)) tally.failures++;
      expect(res.status).toBe(status);
      if (status === 400) expect(sent).toEqual([]);
    }
    expect(chatBodies('mt-default').map((b) => b.max_tokens)).toEqual([defaultMaxTokens]);
    tally.figures.push(
      `largest max_tokens sent ${largest} (cap ${maxTokens}, default ${defaultMaxTokens}); above the cap: 400, no call`,
    );
    expect(largest).toBe(maxTokens);
  });

  it('creates exactly the session cap when 40 new sessions arrive at once on two replicas', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const agent = i % 2 ? second : svc.agent;
        const res = await call(agent, `/v1/sessions/cap-${i}/turns`, {
          key: cappedKey,
          body: { message: 'hi', max_tokens: 2 },
        });
        const body = (await res.json()) as { error?: { code: string } };
        return { status: res.status, code: body.error?.code };
      }),
    );
    const created = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 409 && r.code === 'session_limit_reached').length;
    const inRedis = await probe.zcard('{al:capped}:sessions');
    tally.tried += results.length;
    tally.failures += Math.abs(created - maxSessions) + (created + refused === results.length ? 0 : 1);
    tally.figures.push(
      `40 concurrent new sessions, cap ${maxSessions}: ${created} created, ${refused} x 409, ${inRedis} in Redis`,
    );
    expect(created).toBe(maxSessions);
    expect(refused).toBe(results.length - maxSessions);
    expect(inRedis).toBe(maxSessions);
  });

  it('sends the model at most historyMaxTurns past turns however long the conversation grows', async () => {
    let largest = 0;
    for (let i = 0; i < 8; i++) {
      const id = `hist-${i}`;
      await (
        await call(svc.agent, '/v1/sessions/history/turns', {
          body: { message: `turn ${i}` },
          headers: { 'x-request-id': id },
        })
      ).text();
      largest = Math.max(largest, ...chatBodies(id).map((b) => b.messages.length));
    }
    const bound = 1 + 2 * historyMaxTurns + 1;
    tally.tried += 8;
    if (largest > bound) tally.failures++;
    tally.figures.push(
      `8-turn conversation: largest prompt ${largest} messages (bound ${bound}: system + ${historyMaxTurns} turns + new)`,
    );
    expect(largest).toBe(bound);
  });
});
