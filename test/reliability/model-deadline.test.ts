/**
 * R5 Model latency and hang.
 * Done: the model server hangs (accepts requests, never sends a token) while 10 turns (6 JSON, 4
 *   streams) arrive; then it stalls in the middle of a streamed answer.
 * Must hold: every turn ends within its deadline (attempts x first-token timeout + backoff, with a
 *   generous margin for a loaded machine) as a degraded answer (fallback text, `degraded: true`),
 *   never hanging; a stall after tokens were sent ends the stream with `event: error` + `[DONE]`
 *   after the idle timeout, and the turn is not stored; afterwards no model call is left open
 *   (recorder), the agent's in-flight gauge is 0, and its connections to the model are back to
 *   the baseline once the pool's idle timeout has passed (within 10 s).
 * Figure: slowest turn vs the deadline, model calls and sockets left open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, parseSse } from '../reference-service/agent/helpers/agent-stack.ts';
import { caseFigure, round } from '../support/audit-figures.ts';
import { metricValue, startServiceOnRedis, waitFor, type RedisService } from '../support/service.ts';

const firstTokenMs = 400;
const maxAttempts = 2;
const maxDelayMs = 50;
const deadlineMs = maxAttempts * firstTokenMs + maxDelayMs;
const marginMs = 4_000;

let svc: RedisService;

beforeAll(async () => {
  svc = await startServiceOnRedis({
    tune: (raw) => {
      raw.timeouts = { modelFirstTokenMs: firstTokenMs, modelIdleMs: 400, modelTotalMs: 10_000 };
      raw.retry = { maxAttempts, baseDelayMs: 10, maxDelayMs };
      // Keep the breaker out of this case (R6 covers it): judge only after 1000 calls.
      raw.breaker = { minVolume: 1_000 };
    },
  });
});

afterAll(async () => {
  await svc?.close();
});

describe('R5 model latency and hang', () => {
  const tally = caseFigure('R5 model latency and hang');

  it('answers every turn degraded within its deadline while the model hangs, leaving nothing open', async () => {
    // Warm the agent's connection pool, then take the baseline.
    await (
      await call(svc.agent, '/v1/sessions/warm/turns', { body: { message: 'hi', max_tokens: 2 } })
    ).text();
    const baselineSockets = svc.modelRecorder.openSockets();
    svc.model.faults.setHang(true);
    let outcomes: { ms: number; degraded: boolean; complete: boolean }[];
    try {
      outcomes = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const stream = i >= 6;
          const startMs = performance.now();
          const res = await call(svc.agent, `/v1/sessions/hang-${i}/turns`, {
            body: { message: 'are you there?', max_tokens: 8, stream },
          });
          const text = await res.text();
          const ms = performance.now() - startMs;
          if (!stream) {
            const body = JSON.parse(text) as { degraded?: boolean };
            return { ms, degraded: res.status === 200 && body.degraded === true, complete: true };
          }
          const events = parseSse(text);
          const done = events.find((e) => e.event === 'done');
          return {
            ms,
            degraded: done !== undefined && (JSON.parse(done.data) as { degraded: boolean }).degraded,
            complete: events.at(-1)?.data === '[DONE]',
          };
        }),
      );
    } finally {
      svc.model.faults.setHang(false);
    }
    const endMs = performance.now();
    await waitFor(() => svc.modelRecorder.active() === 0, 5_000, 'model calls to close');
    // The gauge drops just after the answer (the token settle comes last): give it a moment.
    await waitFor(async () => (await metricValue(svc.agent, 'agent_in_flight_requests')) === 0, 5_000).catch(
      () => undefined,
    );
    const inFlight = await metricValue(svc.agent, 'agent_in_flight_requests');
    const socketsAtEnd = svc.modelRecorder.openSockets();
    // Aborted calls leave idle keep-alive sockets behind until the pool's idle timeout (4 s).
    await waitFor(() => svc.modelRecorder.openSockets() <= baselineSockets, 10_000, 'sockets to close');
    const socketsBackMs = performance.now() - endMs;
    const slowestMs = Math.max(...outcomes.map((o) => o.ms));
    const late = outcomes.filter((o) => o.ms > deadlineMs + marginMs || !o.degraded || !o.complete);
    tally.tried += outcomes.length;
    tally.failures += late.length + inFlight;
    tally.figures.push(
      `hang: ${outcomes.length} turns degraded, slowest ${round(slowestMs, 0)} ms (deadline ${deadlineMs} ms), ` +
        `open model calls after 0, agent in-flight ${inFlight}, sockets ${socketsAtEnd} -> ${baselineSockets} ` +
        `(baseline) after ${round(socketsBackMs / 1000, 1)} s`,
    );
    expect(late).toEqual([]);
    expect(inFlight).toBe(0);
  });

  it('cuts a stream that stalls after its first tokens with an error event, and does not store it', async () => {
    svc.model.faults.setLatencyMultiplier(20);
    const startMs = performance.now();
    let events: ReturnType<typeof parseSse>;
    try {
      const res = await call(svc.agent, '/v1/sessions/stall/turns', {
        body: { message: 'tell me a story', max_tokens: 48, stream: true },
      });
      expect(res.headers.get('content-type')).toMatch(/event-stream/);
      const rest = res.text();
      svc.model.faults.setHang(true);
      events = parseSse(await rest);
    } finally {
      svc.model.faults.reset();
    }
    const ms = performance.now() - startMs;
    const error = events.find((e) => e.event === 'error');
    const history = (await (await call(svc.agent, '/v1/sessions/stall')).json()) as { turns: unknown[] };
    await waitFor(() => svc.modelRecorder.active() === 0, 5_000, 'model calls to close');
    const ok =
      error !== undefined &&
      !events.some((e) => e.event === 'done') &&
      events.at(-1)?.data === '[DONE]' &&
      history.turns.length === 0;
    tally.tried++;
    if (!ok) tally.failures++;
    tally.figures.push(`mid-stream stall: ended after ${round(ms, 0)} ms with event: error, turn not stored`);
    expect(JSON.parse(error!.data)).toMatchObject({ error: { code: 'model_stream_broken' } });
    expect(ok).toBe(true);
  });
});
