/**
 * R9 Overload shedding.
 * Done: a replica with an in-flight cap of 4 and a slow model gets waves of 4 streaming turns (its
 *   capacity), then waves of 8 (twice its capacity).
 * Must hold: at 2x the excess is shed at once with 503 `overloaded` + `Retry-After: 1` (answered
 *   before the first admitted turn of its wave finished: shed, not queued), every admitted turn
 *   completes (`done` + `[DONE]`), each wave still completes at least the capacity (goodput held),
 *   and turns in progress never exceed the cap.
 * Figure: admitted / shed per wave, goodput at 2x vs 1x, event-loop delay p99 (printed only).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, parseSse } from '../reference-service/agent/helpers/agent-stack.ts';
import { recordFigure, round } from '../support/audit-figures.ts';
import { startServiceOnRedis, waitFor, type RedisService } from '../support/service.ts';

const maxInFlight = 4;
const waves = 3;

let svc: RedisService;

beforeAll(async () => {
  svc = await startServiceOnRedis({
    modelLatencyMultiplier: 10,
    tune: (raw) => {
      raw.caps = { maxInFlight };
    },
  });
});

afterAll(async () => {
  await svc?.close();
});

interface Outcome {
  status: number;
  completed: boolean;
  shedOk: boolean;
  /** When the status line arrived, and when the body ended (performance.now()). */
  answeredAtMs: number;
  finishedAtMs: number;
}

async function streamTurn(session: string): Promise<Outcome> {
  const res = await call(svc.agent, `/v1/sessions/${session}/turns`, {
    body: { message: 'Tell me about queues', max_tokens: 16, stream: true },
  });
  const answeredAtMs = performance.now();
  const text = await res.text();
  const finishedAtMs = performance.now();
  if (res.status !== 200) {
    const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    return {
      status: res.status,
      completed: false,
      shedOk: res.status === 503 && code === 'overloaded' && res.headers.get('retry-after') === '1',
      answeredAtMs,
      finishedAtMs,
    };
  }
  const events = parseSse(text);
  const completed = events.some((e) => e.event === 'done') && events.at(-1)?.data === '[DONE]';
  return { status: 200, completed, shedOk: false, answeredAtMs, finishedAtMs };
}

async function runWaves(size: number, prefix: string): Promise<{ outcomes: Outcome[][]; wallMs: number }> {
  const outcomes: Outcome[][] = [];
  const startMs = performance.now();
  for (let w = 0; w < waves; w++) {
    // A slot is freed just after the client saw [DONE] (the token settle comes last): start each
    // wave on an idle replica, so a wave offers exactly its size against the full capacity.
    await waitFor(
      () => svc.agent.runtime.inFlight.current === 0,
      5_000,
      'the previous wave to release its slots',
    );
    outcomes.push(
      await Promise.all(Array.from({ length: size }, (_, i) => streamTurn(`${prefix}-${w}-${i}`))),
    );
  }
  return { outcomes, wallMs: performance.now() - startMs };
}

describe('R9 overload shedding', () => {
  it('sheds the excess of twice its capacity with 503 at once and completes every admitted turn', async () => {
    let maxSeen = 0;
    const sampler = setInterval(() => (maxSeen = Math.max(maxSeen, svc.agent.runtime.inFlight.current)), 2);
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    let oneX: Awaited<ReturnType<typeof runWaves>>;
    let twoX: Awaited<ReturnType<typeof runWaves>>;
    try {
      oneX = await runWaves(maxInFlight, 'one');
      loopDelay.enable();
      twoX = await runWaves(2 * maxInFlight, 'two');
      loopDelay.disable();
    } finally {
      clearInterval(sampler);
    }
    const all = [...oneX.outcomes.flat(), ...twoX.outcomes.flat()];
    const admitted = all.filter((o) => o.status === 200);
    const shed = all.filter((o) => o.status !== 200);
    const incomplete = admitted.filter((o) => !o.completed).length;
    const badShed = shed.filter((o) => !o.shedOk).length;
    // Shed, not queued: each 503 came back before the first admitted turn of its wave had finished.
    const queued = [...oneX.outcomes, ...twoX.outcomes]
      .map((wave) => {
        const firstDoneMs = Math.min(...wave.filter((o) => o.status === 200).map((o) => o.finishedAtMs));
        return wave.filter((o) => o.status !== 200 && o.answeredAtMs >= firstDoneMs).length;
      })
      .reduce((a, b) => a + b, 0);
    const lowWaves = twoX.outcomes.filter((w) => w.filter((o) => o.completed).length < maxInFlight).length;
    const goodput = (r: typeof oneX) =>
      r.outcomes.flat().filter((o) => o.completed).length / (r.wallMs / 1000);
    recordFigure({
      caseId: 'R9 overload shedding',
      tried: all.length,
      failures: incomplete + badShed + queued + lowWaves + Math.max(0, maxSeen - maxInFlight),
      figure:
        `2x load: ${twoX.outcomes.flat().filter((o) => o.status === 200).length} admitted, ${shed.length} x 503 overloaded ` +
        `(${queued} answered only after an admitted turn finished), ${incomplete} admitted turns incomplete, max in flight ${maxSeen}/${maxInFlight}; ` +
        `goodput ${round(goodput(twoX), 2)}/s at 2x vs ${round(goodput(oneX), 2)}/s at 1x ` +
        `(${round((100 * goodput(twoX)) / goodput(oneX), 0)}%), event-loop delay p99 ${round(loopDelay.percentile(99) / 1e6, 1)} ms`,
    });
    expect(oneX.outcomes.flat().every((o) => o.status === 200 && o.completed)).toBe(true);
    expect(shed.length).toBeGreaterThan(0);
    expect(badShed).toBe(0);
    expect(queued).toBe(0);
    expect(incomplete).toBe(0);
    expect(lowWaves).toBe(0);
    expect(maxSeen).toBeLessThanOrEqual(maxInFlight);
  });
});
