/**
 * Client memory per 1,000 concurrent SSE streams, up to 5,000 held open at once. A `hold` server
 * (child process) writes one token per stream and keeps it open; each client runs in its own
 * child process with --expose-gc, and its memory is read after two full GCs at each level.
 * Peer: node:http with a keep-alive agent, reading the same streams without parsing them.
 * Each process needs one descriptor per stream: `ulimit -n` must exceed 5,000 plus slack
 * (raise it with `ulimit -n 16384` in the shell first if it does not).
 *
 *   node --import tsx bench/engine-streams-memory.ts     (about 20 s)
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '../harness/engine/client/index.ts';
import type { TurnResult } from '../harness/engine/client/index.ts';
import { forkTs, nodeVersionLine, printTable, startServer } from './engine-bench-support.ts';
import type { ServerChild } from './engine-bench-support.ts';

const LEVELS = [1_000, 2_500, 5_000];
const OPEN_BATCH = 250;
const OPEN_BATCH_GAP_MS = 40;
const ESTABLISH_TIMEOUT_MS = 20_000;
const BODY = { model: 'bench', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, stream: true };

type Kind = 'agentload' | 'node-http';
type Command = { cmd: 'open'; total: number } | { cmd: 'measure' } | { cmd: 'collect' };
interface Memory {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
}

/** Opens streams on command; each kind keeps its own notion of "a stream". */
interface StreamOpener {
  open(): Promise<boolean>;
}

function agentloadOpener(url: string): StreamOpener {
  const client = createClient({
    baseUrl: url,
    connections: LEVELS[LEVELS.length - 1] as number,
    now: () => performance.now(),
    requestTimeoutMs: 120_000,
  });
  return {
    open: () =>
      client
        .send({
          protocol: 'openai-chat',
          path: '/v1/chat/completions',
          headers: {},
          body: BODY,
          scheduledAtMs: 0,
        })
        .then((r: TurnResult) => r.errorClass === null),
  };
}

function nodeHttpOpener(url: string): StreamOpener {
  const agent = new http.Agent({ keepAlive: true, maxSockets: LEVELS[LEVELS.length - 1] as number });
  const { hostname, port } = new URL(url);
  const body = JSON.stringify(BODY);
  return {
    open: () =>
      new Promise((resolve) => {
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
            res.on('data', () => undefined);
            res.on('end', () => resolve(res.statusCode === 200));
          },
        );
        req.on('error', () => resolve(false));
        req.end(body);
      }),
  };
}

function memoryNow(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external };
}

async function worker(kind: Kind, url: string): Promise<void> {
  const opener = kind === 'agentload' ? agentloadOpener(url) : nodeHttpOpener(url);
  const streams: Promise<boolean>[] = [];
  process.on('message', (msg: Command) => {
    void (async () => {
      if (msg.cmd === 'open') {
        while (streams.length < msg.total) {
          const batch = Math.min(OPEN_BATCH, msg.total - streams.length);
          for (let i = 0; i < batch; i++) streams.push(opener.open());
          await sleep(OPEN_BATCH_GAP_MS);
        }
        process.send?.({ type: 'opened' });
      } else if (msg.cmd === 'measure') {
        await sleep(200);
        process.send?.({ type: 'memory', ...memoryNow() });
      } else {
        const ok = (await Promise.all(streams)).filter(Boolean).length;
        process.send?.({ type: 'done', ok, total: streams.length });
      }
    })();
  });
  process.send?.({ type: 'ready' });
}

async function waitForOpen(server: ServerChild, count: number): Promise<void> {
  const deadline = performance.now() + ESTABLISH_TIMEOUT_MS;
  for (;;) {
    server.process.send('count');
    const { open } = await server.next<{ open: number }>('count');
    if (open >= count) return;
    if (performance.now() > deadline) throw new Error(`only ${open} of ${count} streams open after 20 s`);
    await sleep(100);
  }
}

async function measureKind(kind: Kind, server: ServerChild): Promise<Record<string, string | number>[]> {
  const child = forkTs('./engine-streams-memory.ts', ['worker', kind, server.url], ['--expose-gc']);
  await child.next('ready');
  const ask = async <T>(cmd: Command, reply: string): Promise<T> => {
    child.process.send(cmd);
    return child.next<T>(reply);
  };
  try {
    const base = await ask<Memory>({ cmd: 'measure' }, 'memory');
    const rows: Record<string, string | number>[] = [];
    let previous = { level: 0, memory: base };
    for (const level of LEVELS) {
      await ask({ cmd: 'open', total: level }, 'opened');
      await waitForOpen(server, level);
      const m = await ask<Memory>({ cmd: 'measure' }, 'memory');
      const per1k = (bytes: number, from: number, streams: number) =>
        (bytes - from) / (streams / 1000) / 2 ** 20;
      rows.push({
        client: kind,
        'open streams': level,
        'RSS MiB': m.rssBytes / 2 ** 20,
        'heap used MiB': m.heapUsedBytes / 2 ** 20,
        'RSS MiB / 1k streams': per1k(m.rssBytes, base.rssBytes, level),
        'heap+external MiB / 1k': per1k(
          m.heapUsedBytes + m.externalBytes,
          base.heapUsedBytes + base.externalBytes,
          level,
        ),
        'marginal RSS MiB / 1k': per1k(m.rssBytes, previous.memory.rssBytes, level - previous.level),
      });
      previous = { level, memory: m };
    }
    server.process.send('finish');
    const done = await ask<{ ok: number; total: number }>({ cmd: 'collect' }, 'done');
    for (const r of rows) r['completed OK'] = `${done.ok}/${done.total}`;
    return rows;
  } finally {
    await child.stop();
  }
}

async function main(): Promise<void> {
  console.log(`engine-streams-memory: ${nodeVersionLine()}; levels ${LEVELS.join(', ')} streams`);
  const server = await startServer('hold');
  try {
    const rows = [...(await measureKind('agentload', server)), ...(await measureKind('node-http', server))];
    printTable(
      'Client memory with N SSE streams held open (after 2 full GCs; baseline = same process before any stream)',
      rows,
    );
  } finally {
    await server.stop();
  }
}

if (process.argv[2] === 'worker') await worker(process.argv[3] as Kind, process.argv[4] as string);
else await main();
