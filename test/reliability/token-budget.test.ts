/**
 * R2 Tokens-per-minute debited before the model call.
 * Done: a tenant with 600 tokens/min sends 8 concurrent turns, each charged its prompt estimate
 *   plus max_tokens at admission (179 tokens), more than the bucket holds; then one turn whose
 *   bucket is read from Redis once it settled.
 * Must hold: a turn the bucket cannot cover gets 429 before any model call (the recorder in front
 *   of the model sees no request with its request id); the admitted charges fit the bucket; after
 *   the turn the bucket holds capacity minus the model's reported usage (the unused part of the
 *   charge is refunded), up to the refill over the turn's duration.
 * Figure: admitted / rejected, model calls made by rejected turns, settle error in tokens.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../reference-service/agent/auth.ts';
import { call } from '../reference-service/agent/helpers/agent-stack.ts';
import { caseFigure, round } from '../support/audit-figures.ts';
import { startServiceOnRedis, waitFor, type RedisService } from '../support/service.ts';

const capacityTokens = 600;
const burstKey = 'tpm-burst-key-0001';
const settleKey = 'tpm-settle-key-001';
const systemPrompt = 'You are a helpful assistant.';
const message = 'Explain capacity planning. '.repeat(16).slice(0, 400);
const maxTokens = 64;
// estimateTokens: ceil(chars / 4) for the system prompt and the message; no history on a new session.
const chargeTokens = Math.ceil(systemPrompt.length / 4) + Math.ceil(message.length / 4) + maxTokens;

let svc: RedisService;
let probe: Redis;

beforeAll(async () => {
  svc = await startServiceOnRedis({
    tune: (raw) => {
      raw.model.systemPrompt = systemPrompt;
      raw.caps = { maxTokens, defaultMaxTokens: 16, maxMessageChars: 400, historyTokenBudget: 100 };
      for (const [name, key] of [
        ['burst', burstKey],
        ['settle', settleKey],
      ] as const) {
        raw.tenants.push({
          name,
          keyHashes: [hashApiKey(key)],
          limits: { requestsPerMin: 1_000, tokensPerMin: capacityTokens },
        });
      }
    },
  });
  probe = new Redis(svc.redis.url);
});

afterAll(async () => {
  probe?.disconnect();
  await svc?.close();
});

describe('R2 tokens-per-minute debited before the model call', () => {
  const tally = caseFigure('R2 tokens-per-minute before the model call');

  it('rejects with 429, before any model call, the turns whose charge the bucket cannot cover', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `tpm-burst-${i}`);
    const responses = await Promise.all(
      ids.map((id) =>
        call(svc.agent, `/v1/sessions/${id}/turns`, {
          key: burstKey,
          body: { message, max_tokens: maxTokens },
          headers: { 'x-request-id': id },
        }),
      ),
    );
    await Promise.all(responses.map((r) => r.text()));
    const admitted = ids.filter((_, i) => responses[i]!.status === 200);
    const rejected = ids.filter((_, i) => responses[i]!.status === 429);
    const rejectedWithModelCall = rejected.filter((id) => svc.modelRecorder.byRequestId(id).length > 0);
    const admittedWithoutCall = admitted.filter((id) => svc.modelRecorder.byRequestId(id).length === 0);
    tally.tried += ids.length;
    tally.failures += rejectedWithModelCall.length + admittedWithoutCall.length;
    tally.figures.push(
      `${ids.length} concurrent turns charged ${chargeTokens} tokens each against ${capacityTokens}/min: ` +
        `${admitted.length} admitted, ${rejected.length} x 429, model calls by rejected turns ${rejectedWithModelCall.length}`,
    );
    expect(admitted.length + rejected.length).toBe(ids.length);
    // Integer bucket arithmetic: floor(600 / 179) = 3; the refill over the burst (10 tokens/s) adds none.
    expect(admitted.length).toBe(Math.floor(capacityTokens / chargeTokens));
    expect(rejectedWithModelCall).toEqual([]);
    expect(admittedWithoutCall).toEqual([]);
    for (const res of responses.filter((r) => r.status === 429)) {
      expect(Number(res.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(chargeTokens);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(res.headers.get('ratelimit-limit')).toBe(String(capacityTokens));
    }
  });

  it('settles the bucket to the usage the model reported once the turn is over', async () => {
    const startMs = performance.now();
    const res = await call(svc.agent, '/v1/sessions/tpm-settle/turns', {
      key: settleKey,
      body: { message, max_tokens: maxTokens },
    });
    const body = (await res.json()) as { usage: { total_tokens: number } };
    // The settle runs after the answer is sent; the turn leaves the in-flight count once it ran.
    await waitFor(() => svc.agent.runtime.inFlight.current === 0, 5_000, 'the turn to settle');
    const elapsedMs = performance.now() - startMs;
    expect(res.status).toBe(200);
    // Admission had taken the full charge; the header shows it before the refund.
    expect(Number(res.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThanOrEqual(
      capacityTokens - chargeTokens + 1,
    );
    const units = Number(await probe.hget('{al:settle}:rl:tok', 'u'));
    const expected = Math.min(capacityTokens, capacityTokens - body.usage.total_tokens);
    const refillTokens = (capacityTokens / 60_000) * elapsedMs;
    const errorTokens = Math.abs(units - expected);
    tally.tried++;
    if (errorTokens > refillTokens + 1) tally.failures++;
    tally.figures.push(
      `settle: charged ${chargeTokens}, used ${body.usage.total_tokens}, bucket ${round(units)} vs ${expected} expected ` +
        `(error ${round(errorTokens, 2)} tokens, refill allowance ${round(refillTokens, 2)})`,
    );
    expect(body.usage.total_tokens).toBeLessThan(chargeTokens);
    expect(errorTokens).toBeLessThanOrEqual(refillTokens + 1);
  });
});
