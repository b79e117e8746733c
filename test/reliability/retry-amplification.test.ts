/**
 * R7 Retry amplification bounded, with jitter.
 * Done: (a) 24 turns at once against a model server that admits 2 requests at a time and answers
 *   the rest 429 (TGI's --max-concurrent-requests, no Retry-After); (b) 20 turns at once whose first
 *   model call is answered 429 with `Retry-After: 1` (injected by the recorder).
 * Must hold: model calls per turn <= retry.maxAttempts (3), so total calls <= 3 x turns; retries
 *   after a bare 429 are spread by full jitter (the spread of first-retry delays is at least 15% of
 *   the backoff window; a synchronised herd has none); no retry comes earlier than Retry-After.
 * Figure: the AWS backoff simulator's two measures (total calls per turn, completion time), the
 *   retry spread, and the shortest wait after Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../reference-service/agent/helpers/agent-stack.ts';
import type { RecordedRequest } from '../support/http-recorder.ts';
import { caseFigure, round } from '../support/audit-figures.ts';
import { startServiceOnRedis, type RedisService } from '../support/service.ts';

const maxAttempts = 3;
const baseDelayMs = 400;

let svc: RedisService;

beforeAll(async () => {
  svc = await startServiceOnRedis({
    modelMaxConcurrentRequests: 2,
    tune: (raw) => {
      raw.retry = { maxAttempts, baseDelayMs, maxDelayMs: 2_000, maxRetryAfterMs: 5_000 };
      raw.breaker = { minVolume: 1_000 };
    },
  });
});

afterAll(async () => {
  await svc?.close();
});

/** Sends `n` turns at once, each with its own request id; returns the ids and the wall time. */
async function burst(
  prefix: string,
  n: number,
): Promise<{ ids: string[]; wallMs: number; statuses: number[] }> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const startMs = performance.now();
  const statuses = await Promise.all(
    ids.map(async (id) => {
      const res = await call(svc.agent, `/v1/sessions/${id}/turns`, {
        body: { message: 'hello there', max_tokens: 8 },
        headers: { 'x-request-id': id },
      });
      await res.arrayBuffer();
      return res.status;
    }),
  );
  return { ids, wallMs: performance.now() - startMs, statuses };
}

function attempts(id: string): RecordedRequest[] {
  return svc.modelRecorder.byRequestId(id).filter((r) => r.path.startsWith('/v1/chat'));
}

function stdDev(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

describe('R7 retry amplification', () => {
  const tally = caseFigure('R7 retry amplification and jitter');

  it('bounds model calls per turn and spreads the retries of a 429 storm with jitter', async () => {
    svc.model.faults.setLatencyMultiplier(10);
    let result: Awaited<ReturnType<typeof burst>>;
    try {
      result = await burst('storm', 24);
    } finally {
      svc.model.faults.reset();
    }
    const perTurn = result.ids.map((id) => attempts(id));
    const total = perTurn.reduce((n, a) => n + a.length, 0);
    const overCap = perTurn.filter((a) => a.length > maxAttempts).length;
    const firstRetryDelays = perTurn.filter((a) => a.length >= 2).map((a) => a[1]!.atMs - a[0]!.atMs);
    const spreadMs = stdDev(firstRetryDelays);
    tally.tried += result.ids.length;
    tally.failures += overCap + result.statuses.filter((s) => s !== 200).length;
    tally.figures.push(
      `429 storm: ${result.ids.length} turns made ${total} model calls (${round(total / result.ids.length, 2)} per turn, ` +
        `cap ${maxAttempts}), completed in ${round(result.wallMs, 0)} ms, ${firstRetryDelays.length} retried, ` +
        `first-retry delay spread (sd) ${round(spreadMs, 0)} ms of a ${baseDelayMs} ms window`,
    );
    expect(overCap).toBe(0);
    expect(total).toBeLessThanOrEqual(maxAttempts * result.ids.length);
    expect(result.statuses.every((s) => s === 200)).toBe(true);
    // Enough retries to judge the spread (2 admitted at a time: most of 24 are refused at first).
    expect(firstRetryDelays.length).toBeGreaterThanOrEqual(10);
    expect(spreadMs).toBeGreaterThanOrEqual(0.15 * baseDelayMs);
  });

  it('never retries earlier than the Retry-After the model asked for', async () => {
    const refused = new Set<string>();
    svc.modelRecorder.intercept = (req) => {
      if (!req.path.startsWith('/v1/chat') || req.requestId === null || refused.has(req.requestId))
        return null;
      refused.add(req.requestId);
      return { status: 429, headers: { 'retry-after': '1' }, body: '{"error":"busy"}' };
    };
    let result: Awaited<ReturnType<typeof burst>>;
    try {
      result = await burst('polite', 20);
    } finally {
      svc.modelRecorder.intercept = null;
    }
    const perTurn = result.ids.map((id) => attempts(id));
    const waits = perTurn.filter((a) => a.length >= 2).map((a) => a[1]!.atMs - a[0]!.atMs);
    const early = waits.filter((w) => w < 1_000).length;
    const overCap = perTurn.filter((a) => a.length > maxAttempts).length;
    tally.tried += result.ids.length;
    tally.failures += early + overCap;
    tally.figures.push(
      `Retry-After 1 s: ${waits.length} retries, shortest wait ${round(Math.min(...waits), 0)} ms, ` +
        `${early} early, retry spread (sd) ${round(stdDev(waits), 0)} ms`,
    );
    expect(waits.length).toBe(result.ids.length);
    expect(early).toBe(0);
    expect(overCap).toBe(0);
    // Jitter rides on top of Retry-After, so the clients do not all come back in the same instant.
    expect(stdDev(waits)).toBeGreaterThanOrEqual(0.15 * baseDelayMs);
  });
});
