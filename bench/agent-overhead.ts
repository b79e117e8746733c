/**
 * What does the agent service add on top of the model server it calls?
 *
 * Both servers run as child processes through the CLI (`agentload model-server`, `agentload
 * agent`), so this process's client work is not counted against them. The same request (system
 * prompt + one user message, no tools, same max_tokens) goes either straight to the model
 * server's /v1/chat/completions or through the agent's /v1/sessions/{id}/turns (a fresh session
 * per request, so history does not grow). Blocks alternate direct/agent so drift hits both.
 *   TTFT: request sent -> first content chunk received.  E2E: request sent -> stream ended.
 * Added = agent percentile - direct percentile (percentiles do not subtract exactly; it is the
 * figure a user of the service sees).
 *
 *   node --import tsx bench/agent-overhead.ts
 *   BENCH_REQUESTS=400 BENCH_MAX_TOKENS=32 BENCH_PROFILE=llama-3.1-8b@h200 BENCH_STORE=redis node --import tsx bench/agent-overhead.ts
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { waitUntil } from '../harness/stack/readiness.ts';
import { redisProbe } from '../harness/stack/redis-server.ts';
import { Agent, request } from 'undici';
import { demoTenantKeys } from '../reference-service/agent/demo-config.ts';
import { percentile, sortedCopy } from './engine-bench-support.ts';

const profile = process.env.BENCH_PROFILE ?? 'llama-3.1-8b@h200';
const maxTokens = Number(process.env.BENCH_MAX_TOKENS ?? 32);
const requestsPerLevel = Number(process.env.BENCH_REQUESTS ?? 256);
const storeKind =
  process.env.BENCH_STORE ?? (spawnSync('redis-server', ['--version']).status === 0 ? 'redis' : 'memory');
const levels = [1, 64];
const systemPrompt = 'You are a helpful assistant. Use the tools when they help.';
const message = 'Summarise why p99 latency matters for interactive agents in two sentences.';
const children: ChildProcess[] = [];

interface Timing {
  ttftMs: number;
  e2eMs: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Spawns a process and resolves with the first stdout line that parses as JSON with event "listening". */
function launch(cmd: string, args: string[]): Promise<Record<string, unknown>> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const event = JSON.parse(line) as Record<string, unknown>;
        if (event.event === 'listening') resolve(event);
      } catch {
        // not a JSON line
      }
    });
  });
}

async function startStack(): Promise<{ modelUrl: string; agentUrl: string }> {
  let redisUrl: string | undefined;
  if (storeKind === 'redis') {
    const port = await freePort();
    children.push(
      spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      }),
    );
    redisUrl = `redis://127.0.0.1:${port}`;
    const ping = redisProbe('127.0.0.1', port);
    await waitUntil(async () => ((await ping().catch(() => false)) ? true : undefined), {
      description: `redis-server on port ${port}`,
      timeoutMs: 10_000,
      intervalMs: 20,
    });
  }
  const cli = ['bin/agentload.js'];
  const model = await launch(process.execPath, [
    ...cli,
    'model-server',
    '--port',
    '0',
    '--profile',
    profile,
    '--load-time-sec',
    '0',
    '--max-concurrent-requests',
    '1024',
  ]);
  const modelUrl = String(model.url);
  const agentArgs = [...cli, 'agent', '--port', '0', '--model-url', modelUrl, '--log-level', 'warn'];
  if (redisUrl) agentArgs.push('--redis-url', redisUrl);
  const agent = await launch(process.execPath, agentArgs);
  return { modelUrl, agentUrl: String(agent.url) };
}

const dispatcher = new Agent({ connections: 256, pipelining: 1, keepAliveTimeout: 30_000 });

/** One streamed request; TTFT at the first chunk carrying content. */
async function timed(url: string, headers: Record<string, string>, body: unknown): Promise<Timing> {
  const startMs = performance.now();
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    dispatcher,
  });
  if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${await res.body.text()}`);
  let ttftMs = -1;
  for await (const chunk of res.body) {
    if (ttftMs < 0 && (chunk as Buffer).includes('"content":"')) ttftMs = performance.now() - startMs;
  }
  return { ttftMs, e2eMs: performance.now() - startMs };
}

let sessionSeq = 0;
const targets = {
  direct: (urls: { modelUrl: string }) =>
    timed(
      `${urls.modelUrl}/v1/chat/completions`,
      {},
      {
        model: 'tgi',
        messages: [
          { role: 'system', content: systemPrompt },
          { role: 'user', content: message },
        ],
        max_tokens: maxTokens,
        stream: true,
        stream_options: { include_usage: true },
      },
    ),
  agent: (urls: { agentUrl: string }) =>
    timed(
      `${urls.agentUrl}/v1/sessions/bench-${++sessionSeq}/turns`,
      { authorization: `Bearer ${demoTenantKeys.acme}` },
      {
        message,
        max_tokens: maxTokens,
        stream: true,
      },
    ),
};

/** `count` requests with `concurrency` in flight at a time (closed loop). */
async function runBlock(send: () => Promise<Timing>, concurrency: number, count: number): Promise<Timing[]> {
  const out: Timing[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        out.push(await send());
      }
    }),
  );
  return out;
}

const fmt = (ms: number): string => ms.toFixed(2).padStart(8);

async function main(): Promise<void> {
  const urls = await startStack();
  // Warm-up: JIT, connection pools, Redis scripts.
  await runBlock(() => targets.direct(urls), 8, 32);
  await runBlock(() => targets.agent(urls), 8, 32);
  console.log(
    `agent overhead: profile ${profile}, max_tokens ${maxTokens}, store ${storeKind}, ${requestsPerLevel} requests per level and target`,
  );
  console.log(`cpus ${availableParallelism()}, load ${loadavg()[0]!.toFixed(2)}; ms; added = agent - direct`);
  console.log('conc  metric  pct    direct     agent     added');
  const summary: Record<string, unknown>[] = [];
  for (const concurrency of levels) {
    const results: Record<'direct' | 'agent', Timing[]> = { direct: [], agent: [] };
    const blocks = 4;
    const perBlock = Math.max(concurrency, Math.ceil(requestsPerLevel / blocks));
    for (let b = 0; b < blocks; b++) {
      for (const name of ['direct', 'agent'] as const) {
        results[name].push(...(await runBlock(() => targets[name](urls), concurrency, perBlock)));
      }
    }
    for (const metric of ['ttftMs', 'e2eMs'] as const) {
      for (const p of [50, 99]) {
        const direct = percentile(sortedCopy(results.direct.map((t) => t[metric])), p);
        const agent = percentile(sortedCopy(results.agent.map((t) => t[metric])), p);
        console.log(
          `${String(concurrency).padStart(4)}  ${metric.padEnd(6)}  p${p}  ${fmt(direct)}  ${fmt(agent)}  ${fmt(agent - direct)}`,
        );
        summary.push({ concurrency, metric, p, directMs: direct, agentMs: agent, addedMs: agent - direct });
      }
    }
  }
  console.log(
    JSON.stringify({ bench: 'agent-overhead', profile, maxTokens, store: storeKind, results: summary }),
  );
}

try {
  await main();
} finally {
  await dispatcher.close();
  for (const child of children) child.kill('SIGTERM');
}
