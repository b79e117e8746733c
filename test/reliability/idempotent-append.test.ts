/**
 * R8 Idempotent turn append.
 * Done: two agent replicas share Redis. One turn with an Idempotency-Key is sent, then replayed 5
 *   times alternating replicas; 20 copies of another keyed turn are sent at once to both replicas
 *   while the model is slow; the key is reused with a different body and another session; a turn
 *   whose model call is rejected is retried with its key.
 * Must hold: a replay returns the stored answer (`idempotent-replayed: true`, same JSON) with
 *   exactly one model call and one stored turn (Redis list length 1); concurrent copies get 409
 *   while the first runs (or the replay once it is stored), never a second model call; another
 *   body or session with the key gets 422; a failed turn frees its key, so the retry runs.
 * Figure: requests sent, model calls, stored turns, 409s and 422s.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAgent } from '../../reference-service/agent/start.ts';
import { call } from '../reference-service/agent/helpers/agent-stack.ts';
import { caseFigure } from '../support/audit-figures.ts';
import { chatCalls, startServiceOnRedis, type RedisService } from '../support/service.ts';

let probe: Redis;
let svc: RedisService;
let replicas: RunningAgent[];

beforeAll(async () => {
  svc = await startServiceOnRedis();
  probe = new Redis(svc.redis.url);
  replicas = [svc.agent, await svc.addReplica('agent-1')];
});

afterAll(async () => {
  probe?.disconnect();
  await svc?.close();
});

function keyed(agent: RunningAgent, session: string, key: string, message: string): Promise<Response> {
  return call(agent, `/v1/sessions/${session}/turns`, {
    body: { message, max_tokens: 12 },
    headers: { 'idempotency-key': key },
  });
}

const storedTurns = (session: string): Promise<number> => probe.llen(`{al:acme}:s:${session}`);

describe('R8 idempotent turn append across replicas', () => {
  const tally = caseFigure('R8 idempotent turn append');

  it('replays a stored turn on either replica with one model call and one stored turn', async () => {
    const mark = svc.modelRecorder.requests.length;
    const first = await keyed(replicas[0]!, 'idem-seq', 'key-seq', 'What is idempotency?');
    const firstBody = await first.json();
    const replays = [];
    for (let i = 0; i < 5; i++) {
      const res = await keyed(replicas[(i + 1) % 2]!, 'idem-seq', 'key-seq', 'What is idempotency?');
      replays.push({
        replayed: res.headers.get('idempotent-replayed'),
        body: await res.json(),
        status: res.status,
      });
    }
    const calls = chatCalls(svc, mark);
    const stored = await storedTurns('idem-seq');
    tally.tried += 6;
    tally.failures += Math.abs(calls - 1) + Math.abs(stored - 1);
    tally.figures.push(`sequential: 6 requests, ${calls} model call, ${stored} stored turn`);
    expect(first.status).toBe(200);
    for (const r of replays) expect(r).toEqual({ replayed: 'true', body: firstBody, status: 200 });
    expect(calls).toBe(1);
    expect(stored).toBe(1);
  });

  it('runs one of 20 concurrent copies and answers the others 409 or the replay', async () => {
    svc.model.faults.setLatencyMultiplier(20);
    const mark = svc.modelRecorder.requests.length;
    let results: { status: number; code: string | undefined; replayed: boolean }[];
    try {
      results = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const res = await keyed(replicas[i % 2]!, 'idem-conc', 'key-conc', 'Say something slowly');
          const body = (await res.json()) as { error?: { code: string } };
          return {
            status: res.status,
            code: body.error?.code,
            replayed: res.headers.has('idempotent-replayed'),
          };
        }),
      );
    } finally {
      svc.model.faults.reset();
    }
    const calls = chatCalls(svc, mark);
    const stored = await storedTurns('idem-conc');
    const executed = results.filter((r) => r.status === 200 && !r.replayed).length;
    const conflicts = results.filter((r) => r.status === 409 && r.code === 'idempotency_in_flight').length;
    const replayed = results.filter((r) => r.status === 200 && r.replayed).length;
    tally.tried += results.length;
    tally.failures += Math.abs(calls - 1) + Math.abs(stored - 1) + Math.abs(executed - 1);
    tally.figures.push(
      `concurrent: 20 requests on 2 replicas, ${calls} model call, ${stored} stored turn, ${executed} executed, ` +
        `${conflicts} x 409, ${replayed} replayed`,
    );
    expect(executed).toBe(1);
    expect(conflicts + replayed).toBe(19);
    expect(conflicts).toBeGreaterThan(0);
    expect(calls).toBe(1);
    expect(stored).toBe(1);
  });

  it('answers 422 when the key comes back with another body or another session', async () => {
    await (await keyed(replicas[0]!, 'idem-diff', 'key-diff', 'first words')).text();
    const mark = svc.modelRecorder.requests.length;
    const otherBody = await keyed(replicas[1]!, 'idem-diff', 'key-diff', 'other words');
    const otherSession = await keyed(replicas[0]!, 'idem-elsewhere', 'key-diff', 'first words');
    const statuses = [otherBody.status, otherSession.status];
    const codes = [await otherBody.json(), await otherSession.json()].map(
      (b) => (b as { error: { code: string } }).error.code,
    );
    tally.tried += 2;
    tally.failures += statuses.filter((s) => s !== 422).length + chatCalls(svc, mark);
    tally.figures.push(`mismatch: ${statuses.filter((s) => s === 422).length} of 2 x 422`);
    expect(statuses).toEqual([422, 422]);
    expect(codes).toEqual(['idempotency_mismatch', 'idempotency_mismatch']);
    expect(chatCalls(svc, mark)).toBe(0);
  });

  it('frees the key of a turn that failed, so its retry runs', async () => {
    svc.modelRecorder.intercept = (req) => (req.path.startsWith('/v1/chat') ? { status: 400 } : null);
    let failed: Response;
    try {
      failed = await keyed(replicas[0]!, 'idem-fail', 'key-fail', 'will fail first');
    } finally {
      svc.modelRecorder.intercept = null;
    }
    expect(failed.status).toBe(502);
    const retry = await keyed(replicas[1]!, 'idem-fail', 'key-fail', 'will fail first');
    tally.tried += 2;
    if (retry.status !== 200) tally.failures++;
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(await storedTurns('idem-fail')).toBe(1);
  });
});
