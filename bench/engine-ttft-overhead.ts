/**
 * TTFT measurement overhead: how much later than the server's write the client stamps the first
 * token (target: p99 < 1 ms). The server, a child process, reads CLOCK_MONOTONIC just before it
 * writes the first content token and sends that reading as the token's text; the client's `now`
 * reads the same CLOCK_MONOTONIC, so overhead = firstTokenMs - server write time, with no clock
 * offset to estimate. It covers the loopback hop, the event loop, undici and the SSE/JSON parse.
 * Peer: node:http stamping its first body chunk with no parsing at all (the floor).
 *
 *   node --import tsx bench/engine-ttft-overhead.ts     (about 15 s)
 */
import http from 'node:http';
import { createClient } from '../harness/engine/client/index.ts';
import {
  monotonicMs,
  nodeVersionLine,
  percentile,
  printTable,
  runFixedRate,
  sortedCopy,
  startServer,
} from './engine-bench-support.ts';

const SEQUENTIAL_STREAMS = 500;
const CONCURRENT_STREAMS = 64;
const CONCURRENT_TOTAL = 600;
/** Short streams one at a time; longer ones side by side, so other streams' tokens compete. */
const SEQUENTIAL_SERVER = { firstTokenDelayMs: 2, tokens: 3, tokenGapMs: 1 };
const CONCURRENT_SERVER = { firstTokenDelayMs: 3, tokens: 20, tokenGapMs: 10 };
const BODY = { model: 'bench', messages: [{ role: 'user', content: 'hi' }], max_tokens: 20, stream: true };

/** One stream's overhead in ms, or null when it failed. */
type Probe = () => Promise<number | null>;

function serverWriteMs(text: string): number {
  return Number(text.slice(0, text.indexOf('|')));
}

function agentloadProbe(url: string): { probe: Probe; close: () => Promise<void> } {
  const client = createClient({
    baseUrl: url,
    connections: CONCURRENT_STREAMS,
    now: monotonicMs,
    requestTimeoutMs: 10_000,
  });
  const probe: Probe = async () => {
    const r = await client.send({
      protocol: 'openai-chat',
      path: '/v1/chat/completions',
      headers: {},
      body: BODY,
      scheduledAtMs: monotonicMs(),
    });
    if (r.errorClass !== null || r.firstTokenMs === null) return null;
    return r.firstTokenMs - serverWriteMs(r.text);
  };
  return { probe, close: () => client.close() };
}

function nodeHttpProbe(url: string): { probe: Probe; close: () => Promise<void> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENT_STREAMS });
  const { hostname, port } = new URL(url);
  const body = JSON.stringify(BODY);
  const probe: Probe = () =>
    new Promise((resolve) => {
      let overheadMs: number | null = null;
      const req = http.request(
        {
          hostname,
          port,
          path: '/v1/chat/completions',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          res.on('data', (chunk: Buffer) => {
            if (overheadMs !== null) return;
            const atMs = monotonicMs();
            const text = chunk.toString('latin1');
            const start = text.indexOf('"content":"') + 11;
            overheadMs = atMs - Number(text.slice(start, text.indexOf('|', start)));
          });
          res.on('end', () => resolve(overheadMs));
        },
      );
      req.on('error', () => resolve(null));
      req.end(body);
    });
  return { probe, close: async () => agent.destroy() };
}

async function sequential(probe: Probe, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = await probe();
    if (v !== null) out.push(v);
  }
  return out;
}

/**
 * Streams started at a steady rate chosen so that CONCURRENT_STREAMS are open at once (Little's
 * law: rate = streams / stream duration); starting them all together would instead measure how
 * long one event loop takes to work through 64 simultaneous first tokens.
 */
async function concurrent(probe: Probe): Promise<number[]> {
  const streamSec =
    (CONCURRENT_SERVER.firstTokenDelayMs + CONCURRENT_SERVER.tokens * CONCURRENT_SERVER.tokenGapMs) / 1000;
  const ratePerSec = CONCURRENT_STREAMS / streamSec;
  const pending: Promise<number | null>[] = [];
  await runFixedRate({
    now: monotonicMs,
    ratePerSec,
    durationSec: CONCURRENT_TOTAL / ratePerSec,
    fire: () => void pending.push(probe()),
  });
  return (await Promise.all(pending)).filter((v): v is number => v !== null);
}

function row(client: string, load: string, values: number[], expected: number, peerP99: number) {
  const s = sortedCopy(values);
  const p99 = percentile(s, 99);
  return {
    client,
    load,
    streams: `${values.length}/${expected}`,
    'p50 ms': percentile(s, 50),
    'p90 ms': percentile(s, 90),
    'p99 ms': p99,
    'max ms': s[s.length - 1] as number,
    'p99 vs node:http': p99 / peerP99,
    'p99 < 1 ms': p99 < 1 ? 'yes' : 'NO',
  };
}

async function main(): Promise<void> {
  console.log(`engine-ttft-overhead: ${nodeVersionLine()}`);
  const seqServer = await startServer('ttft', SEQUENTIAL_SERVER);
  const conServer = await startServer('ttft', CONCURRENT_SERVER);
  const ours = agentloadProbe(seqServer.url);
  const peer = nodeHttpProbe(seqServer.url);
  const oursCon = agentloadProbe(conServer.url);
  const peerCon = nodeHttpProbe(conServer.url);
  try {
    await sequential(ours.probe, 100);
    await sequential(peer.probe, 100);
    const seqPeer = await sequential(peer.probe, SEQUENTIAL_STREAMS);
    const seqOurs = await sequential(ours.probe, SEQUENTIAL_STREAMS);
    const conPeer = await concurrent(peerCon.probe);
    const conOurs = await concurrent(oursCon.probe);
    const total = CONCURRENT_TOTAL;
    const seqLoad = `1 at a time, ${SEQUENTIAL_SERVER.tokens} tokens`;
    const conLoad = `~${CONCURRENT_STREAMS} open, ${CONCURRENT_SERVER.tokens} tokens / ${CONCURRENT_SERVER.tokenGapMs} ms`;
    const p99 = (v: number[]) => percentile(sortedCopy(v), 99);
    printTable('TTFT overhead: client first-token stamp minus server write time (ms)', [
      row('agentload client', seqLoad, seqOurs, SEQUENTIAL_STREAMS, p99(seqPeer)),
      row('node:http, no parsing', seqLoad, seqPeer, SEQUENTIAL_STREAMS, p99(seqPeer)),
      row('agentload client', conLoad, conOurs, total, p99(conPeer)),
      row('node:http, no parsing', conLoad, conPeer, total, p99(conPeer)),
    ]);
  } finally {
    for (const c of [ours, peer, oursCon, peerCon]) await c.close();
    await seqServer.stop();
    await conServer.stop();
  }
}

await main();
