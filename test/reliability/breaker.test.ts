/**
 * R6 Circuit breaker: open, half-open, close.
 * Done: the model fails 60% of calls (503 injected by the recorder in front of it) until the
 *   breaker opens; 20 turns arrive while it is open; the (injected) clock passes openMs and 10
 *   turns arrive at once while the model is healthy but slow; then the same with a probe that fails.
 * Must hold: the breaker opens once the window holds minVolume calls with >= 50% failures; while
 *   open no call reaches the model and turns get the fallback at once (200, `degraded: true`: the
 *   documented policy, rather than a 503); in half-open exactly one probe goes out and its success
 *   closes the breaker (its failure reopens it, again with no further calls).
 * Figure: calls until open, model calls while open, probes sent, open-state answer latency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../reference-service/agent/helpers/agent-stack.ts';
import { quantile, caseFigure, round } from '../support/audit-figures.ts';
import { chatCalls, metricValue, startServiceOnRedis, type RedisService } from '../support/service.ts';

const openMs = 30_000;
const minVolume = 5;
const clock = { nowMs: 1_000_000 };

let svc: RedisService;

beforeAll(async () => {
  svc = await startServiceOnRedis({
    nowMs: () => clock.nowMs,
    tune: (raw) => {
      raw.retry = { maxAttempts: 1 };
      raw.breaker = { windowMs: 60_000, minVolume, failureThresholdPct: 50, openMs };
    },
  });
});

afterAll(async () => {
  await svc?.close();
});

interface Turn {
  status: number;
  degraded: boolean;
  ms: number;
}

async function turn(session: string): Promise<Turn> {
  const startMs = performance.now();
  const res = await call(svc.agent, `/v1/sessions/${session}/turns`, {
    body: { message: 'hello', max_tokens: 4 },
  });
  const body = (await res.json()) as { degraded?: boolean };
  return { status: res.status, degraded: body.degraded === true, ms: performance.now() - startMs };
}

const state = async (name: string): Promise<number> =>
  metricValue(svc.agent, `agent_model_breaker_state{state="${name}"`);

/** Injects 503 on 3 of every 5 model calls (60%) until `stop` is called. */
function failSixtyPercent(): void {
  let k = 0;
  svc.modelRecorder.intercept = (req) =>
    req.path.startsWith('/v1/chat') && k++ % 5 < 3 ? { status: 503, body: '{"error":"injected"}' } : null;
}

/** Sends turns one by one until the breaker opens; returns the model calls it took. */
async function driveOpen(prefix: string): Promise<number> {
  const mark = svc.modelRecorder.requests.length;
  for (let i = 0; i < 4 * minVolume && (await state('open')) !== 1; i++) await turn(`${prefix}-${i}`);
  return chatCalls(svc, mark);
}

describe('R6 circuit breaker', () => {
  const tally = caseFigure('R6 breaker open/half-open/close');

  it('opens on a 60% failure rate and then sends nothing to the model, answering the fallback at once', async () => {
    failSixtyPercent();
    const callsToOpen = await driveOpen('flaky');
    expect(await state('open')).toBe(1);
    svc.modelRecorder.intercept = null;
    const mark = svc.modelRecorder.requests.length;
    const whileOpen = await Promise.all(Array.from({ length: 20 }, (_, i) => turn(`open-${i}`)));
    const callsWhileOpen = chatCalls(svc, mark);
    const notFallback = whileOpen.filter((t) => t.status !== 200 || !t.degraded).length;
    tally.tried += callsToOpen + whileOpen.length;
    tally.failures += callsWhileOpen + notFallback;
    tally.figures.push(
      `opened after ${callsToOpen} calls (min volume ${minVolume}); while open ${callsWhileOpen} model calls for ` +
        `${whileOpen.length} turns, p99 ${round(
          quantile(
            whileOpen.map((t) => t.ms),
            0.99,
          ),
          0,
        )} ms`,
    );
    expect(callsToOpen).toBeGreaterThanOrEqual(minVolume);
    expect(callsToOpen).toBeLessThanOrEqual(2 * minVolume);
    expect(callsWhileOpen).toBe(0);
    expect(notFallback).toBe(0);
  });

  it('lets exactly one probe through after openMs and closes when it succeeds', async () => {
    clock.nowMs += openMs;
    svc.model.faults.setLatencyMultiplier(20);
    const mark = svc.modelRecorder.requests.length;
    let turns: Turn[];
    try {
      turns = await Promise.all(Array.from({ length: 10 }, (_, i) => turn(`probe-${i}`)));
    } finally {
      svc.model.faults.reset();
    }
    const probes = chatCalls(svc, mark);
    const answered = turns.filter((t) => !t.degraded).length;
    tally.tried += turns.length;
    tally.failures += Math.abs(probes - 1);
    expect(probes).toBe(1);
    expect(answered).toBe(1);
    expect(await state('closed')).toBe(1);
    const after = svc.modelRecorder.requests.length;
    const next = await turn('closed-1');
    expect(next.degraded).toBe(false);
    expect(chatCalls(svc, after)).toBe(1);
    tally.figures.push(`half-open: ${probes} probe for ${turns.length} concurrent turns, closed after it`);
  });

  it('reopens when the probe fails, and again calls nothing until the next probe', async () => {
    failSixtyPercent();
    await driveOpen('flaky-2');
    expect(await state('open')).toBe(1);
    clock.nowMs += openMs;
    svc.modelRecorder.intercept = (req) => (req.path.startsWith('/v1/chat') ? { status: 503 } : null);
    const mark = svc.modelRecorder.requests.length;
    const probe = await turn('probe-fail');
    expect(probe.degraded).toBe(true);
    expect(await state('open')).toBe(1);
    svc.modelRecorder.intercept = null;
    const after = await Promise.all(Array.from({ length: 5 }, (_, i) => turn(`reopened-${i}`)));
    const calls = chatCalls(svc, mark);
    tally.tried += 1 + after.length;
    tally.failures += Math.abs(calls - 1);
    tally.figures.push(`failed probe reopened it: ${calls} model call for ${1 + after.length} turns`);
    expect(calls).toBe(1);
    expect(after.every((t) => t.degraded)).toBe(true);
  });
});
