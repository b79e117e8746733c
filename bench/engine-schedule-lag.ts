/**
 * Schedule lag at a fixed arrival rate of 2,000 req/s against a trivial server in a child process
 * (target: p99 < 2 ms). Two lags per request, both from its due time:
 *   dispatch lag  when the request reached client.send()
 *   send lag      TurnResult.sentAtMs, when undici began writing it to a socket
 * Two drivers: the engine's constant-arrival-rate executor (harness/engine/executors: a
 * clock.sleepUntil per wake that sends everything due by then, a VU per iteration, one abort
 * signal shared by all of them), and the bench's own minimal loop (setTimeout(floor(due - now)),
 * then every request that has come due). A last row
 * runs the bench loop with nothing to send: the timer floor under the machine's current load,
 * which no generator on this event loop can beat.
 *
 *   node --import tsx bench/engine-schedule-lag.ts     (about 20 s)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createRealClock } from '../harness/engine/clock.ts';
import { createClient } from '../harness/engine/client/index.ts';
import type { TurnRequest, TurnResult } from '../harness/engine/client/index.ts';
import {
  nodeVersionLine,
  percentile,
  printTable,
  runConstantArrivalRate,
  runFixedRate,
  sortedCopy,
  startServer,
} from './engine-bench-support.ts';

const RATE_PER_SEC = 2_000;
const DURATION_SEC = 5;
const CONNECTIONS = 50;
const TARGET_P99_MS = 2;
const BODY = { model: 'bench', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1, stream: true };

interface Lags {
  dispatch: number[];
  send: number[];
  errors: number;
  /** Due requests the driver did not send (the executor drops them when all maxVUs are busy). */
  dropped: number;
}

/** Drives `send` at RATE_PER_SEC; `now` is the clock scheduled times are in. Resolves to drops. */
type Driver = (
  now: () => number,
  send: (scheduledAtMs: number, signal?: AbortSignal) => Promise<void>,
  durationSec: number,
) => Promise<number>;

const executorDriver = (clock: ReturnType<typeof createRealClock>): Driver => {
  return (_now, send, durationSec) =>
    runConstantArrivalRate({
      clock,
      ratePerSec: RATE_PER_SEC,
      durationSec,
      maxVUs: 1_000,
      iterate: (ctx) => send(ctx.scheduledAtMs, ctx.signal),
    }).then((report) => report.dropped.no_vu + report.dropped.late + report.dropped.max_duration);
};

const benchLoopDriver: Driver = (now, send, durationSec) =>
  runFixedRate({ now, ratePerSec: RATE_PER_SEC, durationSec, fire: (at) => void send(at) }).then(() => 0);

async function measure(
  baseUrl: string,
  driver: Driver,
  now: () => number,
  durationSec: number,
): Promise<Lags> {
  const client = createClient({
    baseUrl,
    connections: CONNECTIONS,
    now,
    requestTimeoutMs: 10_000,
    captureText: false,
  });
  const lags: Lags = { dispatch: [], send: [], errors: 0, dropped: 0 };
  const request: Omit<TurnRequest, 'scheduledAtMs'> = {
    protocol: 'openai-chat',
    path: '/v1/chat/completions',
    headers: {},
    body: BODY,
  };
  const pending: Promise<TurnResult>[] = [];
  lags.dropped = await driver(
    now,
    async (scheduledAtMs, signal) => {
      lags.dispatch.push(now() - scheduledAtMs);
      const sent = client.send({ ...request, scheduledAtMs, ...(signal ? { signal } : {}) });
      pending.push(sent);
      const r = await sent;
      lags.send.push(r.sentAtMs - scheduledAtMs);
      if (r.errorClass !== null) lags.errors++;
    },
    durationSec,
  );
  await Promise.all(pending);
  await client.close();
  return lags;
}

function lagRow(label: string, values: number[], m: Lags, loopDelayP99Ms: number) {
  const s = sortedCopy(values);
  const p99 = percentile(s, 99);
  return {
    loop: label,
    sent: values.length,
    dropped: m.dropped,
    errors: m.errors,
    'p50 ms': percentile(s, 50),
    'p90 ms': percentile(s, 90),
    'p99 ms': p99,
    'p99.9 ms': percentile(s, 99.9),
    'max ms': s[s.length - 1] as number,
    'event-loop delay p99 ms': loopDelayP99Ms,
    [`p99 < ${TARGET_P99_MS} ms`]: p99 < TARGET_P99_MS ? 'yes' : 'NO',
  };
}

async function main(): Promise<void> {
  console.log(
    `engine-schedule-lag: ${nodeVersionLine()}; ${RATE_PER_SEC} req/s for ${DURATION_SEC} s per driver`,
  );
  const server = await startServer('trivial');
  try {
    const rows = [];
    const clock = createRealClock();
    const drivers: [string, Driver, () => number][] = [
      ['constant-arrival-rate executor', executorDriver(clock), () => clock.now()],
      ['bench loop', benchLoopDriver, () => performance.now()],
    ];
    for (const [label, driver, now] of drivers) {
      await measure(server.url, driver, now, 1);
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const m = await measure(server.url, driver, now, DURATION_SEC);
      delay.disable();
      const loopDelayP99Ms = delay.percentile(99) / 1e6;
      rows.push(lagRow(`${label}: dispatch lag`, m.dispatch, m, loopDelayP99Ms));
      rows.push(lagRow(`${label}: send lag`, m.send, m, loopDelayP99Ms));
    }
    // The floor under the machine's current load: the same timer loop with nothing to send.
    const idle: Lags = { dispatch: [], send: [], errors: 0, dropped: 0 };
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const t = (): number => performance.now();
    await runFixedRate({
      now: t,
      ratePerSec: RATE_PER_SEC,
      durationSec: DURATION_SEC,
      fire: (at) => void idle.dispatch.push(t() - at),
    });
    delay.disable();
    rows.push(lagRow('bench loop, no sends (timer floor)', idle.dispatch, idle, delay.percentile(99) / 1e6));
    printTable('Schedule lag (ms after the due time)', rows);
  } finally {
    await server.stop();
  }
}

await main();
