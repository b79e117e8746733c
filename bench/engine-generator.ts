/**
 * The load generator's own cost: CPU ms per 1,000 requests at a fixed arrival rate, and the most
 * requests/s it sustains closed-loop, against a trivial node:http server in a child process, side
 * by side with autocannon and wrk at equal connections. Every generator runs in its own child
 * process and only that process's CPU is counted (process.cpuUsage inside the node workers, from
 * the first to the last request after a warm-up; cutime/cstime of the shell that waited for wrk).
 *
 * The fixed-rate agentload figures come twice: driven by the engine's constant-arrival-rate
 * executor (what a run costs, less metrics) and by the bench's minimal loop (the client alone).
 * More fixed-rate rows bound what pacing itself costs here: undici's Pool with a no-op handler
 * on the same loop, a Node client with no HTTP library (raw node:net, pre-built request), and a
 * native C client that paces (engine-paced-peer.c, compiled with `cc` at start; skipped with a
 * message where no compiler is installed). A second fixed rate (20,000 req/s), where one wake-up
 * serves many requests, shows per-request work apart from the cost of sleeping.
 *
 *   node --import tsx bench/engine-generator.ts     (about 2 min)
 */
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Pool } from 'undici';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRealClock } from '../harness/engine/clock.ts';
import { createClient } from '../harness/engine/client/index.ts';
import type { TurnRequest } from '../harness/engine/client/index.ts';
import {
  cpuMsSince,
  forkTs,
  nodeVersionLine,
  printTable,
  processCpuMs,
  runConstantArrivalRate,
  runFixedRate,
  startServer,
  statCpuMs,
} from './engine-bench-support.ts';
import type { ServerChild } from './engine-bench-support.ts';
import type { ArrivalPattern } from './engine-bench-server.ts';

const CONNECTIONS = 50;
const RATE_PER_SEC = 2_000;
/**
 * A second fixed rate, high enough that wake-ups are shared by many requests (about 20 per timer
 * wake), so the table shows per-request work rather than the cost of sleeping.
 */
const HIGH_RATE_PER_SEC = 20_000;
const DURATION_SEC = 5;
const WARMUP_SEC = 1;
const PATH = '/v1/chat/completions';
/** The body our client sends (include_usage filled in), so every tool sends the same bytes. */
const BODY = {
  model: 'bench',
  messages: [{ role: 'user', content: 'hello' }],
  max_tokens: 1,
  stream: true,
  stream_options: { include_usage: true },
};
const HEADERS = { 'content-type': 'application/json', authorization: 'Bearer bench' };

type Tool =
  'agentload' | 'agentload-executor' | 'node-http' | 'autocannon' | 'timer-wake' | 'undici' | 'raw-net';
type Mode = 'rate' | 'max' | 'burst';
interface WorkerConfig {
  tool: Tool;
  mode: Mode;
  url: string;
  /** The fixed arrival rate of 'rate' and 'burst' modes. */
  ratePerSec: number;
}
interface Measured {
  requests: number;
  errors: number;
  /** Due but never sent: the executor drops a request when all maxVUs are busy. */
  dropped?: number;
  cpuMs: number;
  wallSec: number;
  /** Voluntary context switches: how often the generator went to sleep and was woken. */
  sleeps?: number;
}

interface AutocannonResult {
  requests: { total: number };
  errors: number;
  non2xx: number;
  timeouts: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

async function agentloadWorker(cfg: WorkerConfig, durationSec: number): Promise<Measured> {
  const now = (): number => performance.now();
  const client = createClient({
    baseUrl: cfg.url,
    connections: CONNECTIONS,
    now,
    requestTimeoutMs: 10_000,
    captureText: false,
  });
  const request = (scheduledAtMs: number): TurnRequest => ({
    protocol: 'openai-chat',
    path: PATH,
    headers: HEADERS,
    body: BODY,
    scheduledAtMs,
  });
  const ok = (r: { errorClass: string | null }): boolean => r.errorClass === null;
  const once = (scheduledAtMs: number): Promise<boolean> => client.send(request(scheduledAtMs)).then(ok);
  const measured =
    cfg.mode === 'burst'
      ? await burstRequests(cfg, durationSec, () => once(now()))
      : await driveRequests(cfg, durationSec, once);
  await client.close();
  return measured;
}

/**
 * autocannon's overallRate pattern: each connection sends its quota for the second back to back,
 * then waits for the next second. Not a fixed arrival rate; the same wake-ups as the peer.
 */
async function burstRequests(
  cfg: WorkerConfig,
  durationSec: number,
  once: () => Promise<boolean>,
): Promise<Measured> {
  let requests = 0;
  let errors = 0;
  const now = (): number => performance.now();
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const quota = cfg.ratePerSec / CONNECTIONS;
  for (let second = 0; second < durationSec; second++) {
    const loop = async (): Promise<void> => {
      for (let i = 0; i < quota; i++) {
        const ok = await once();
        requests++;
        if (!ok) errors++;
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, loop));
    const nextMs = t0 + (second + 1) * 1000;
    if (now() < nextMs) await new Promise((r) => setTimeout(r, nextMs - now()));
  }
  return { requests, errors, cpuMs: cpuMsSince(cpu0), wallSec: (now() - t0) / 1000 };
}

/** The engine's constant-arrival-rate executor driving the client, as a run does (minus metrics). */
async function executorWorker(cfg: WorkerConfig, durationSec: number): Promise<Measured> {
  const clock = createRealClock();
  const client = createClient({
    baseUrl: cfg.url,
    connections: CONNECTIONS,
    now: () => clock.now(),
    requestTimeoutMs: 10_000,
    captureText: false,
  });
  let requests = 0;
  let errors = 0;
  const cpu0 = process.cpuUsage();
  const t0 = clock.now();
  const report = await runConstantArrivalRate({
    clock,
    ratePerSec: cfg.ratePerSec,
    durationSec,
    maxVUs: 1_000,
    iterate: async (ctx) => {
      const r = await client.send({
        protocol: 'openai-chat',
        path: PATH,
        headers: HEADERS,
        body: BODY,
        ...ctx,
      });
      requests++;
      if (r.errorClass !== null) errors++;
    },
  });
  const dropped = report.dropped.no_vu + report.dropped.late + report.dropped.max_duration;
  const measured = { requests, errors, dropped, cpuMs: cpuMsSince(cpu0), wallSec: (clock.now() - t0) / 1000 };
  await client.close();
  return measured;
}

/** node:http with a keep-alive agent on the same pacing: what the pacing alone costs Node. */
async function nodeHttpWorker(cfg: WorkerConfig, durationSec: number): Promise<Measured> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const body = JSON.stringify(BODY);
  const { hostname, port } = new URL(cfg.url);
  const once = (): Promise<boolean> =>
    new Promise((resolve) => {
      const req = http.request(
        { hostname, port, path: PATH, method: 'POST', agent, headers: HEADERS },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode === 200));
        },
      );
      req.on('error', () => resolve(false));
      req.end(body);
    });
  const measured = await driveRequests(cfg, durationSec, once);
  agent.destroy();
  return measured;
}

async function autocannonWorker(cfg: WorkerConfig, durationSec: number): Promise<Measured> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await autocannon({
    url: cfg.url + PATH,
    connections: CONNECTIONS,
    duration: durationSec,
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify(BODY),
    // Its correction records ceil(1/rate) = 1 ms intervals (a unit slip) and inflates counts.
    ...(cfg.mode === 'rate' ? { overallRate: cfg.ratePerSec, ignoreCoordinatedOmission: true } : {}),
  });
  return {
    requests: r.requests.total,
    errors: r.errors + r.non2xx + r.timeouts,
    cpuMs: cpuMsSince(cpu0),
    wallSec: (performance.now() - t0) / 1000,
  };
}

/**
 * The floor of a client on undici: Pool.dispatch of the same request with a handler that does
 * nothing (no SSE parsing, no timestamps, no per-turn timer), closed loop or on the bench's pacing.
 */
async function undiciWorker(cfg: WorkerConfig, durationSec: number): Promise<Measured> {
  const pool = new Pool(cfg.url, { connections: CONNECTIONS, pipelining: 1 });
  const body = JSON.stringify(BODY);
  const once = (): Promise<boolean> =>
    new Promise((resolve) => {
      let status = 0;
      pool.dispatch(
        { path: PATH, method: 'POST', headers: HEADERS, body },
        {
          onRequestStart: () => undefined,
          onResponseStart: (_c, statusCode) => void (status = statusCode),
          onResponseData: () => undefined,
          onResponseEnd: () => resolve(status === 200),
          onResponseError: () => resolve(false),
        },
      );
    });
  const measured = await driveRequests(cfg, durationSec, once);
  await pool.close();
  return measured;
}

/**
 * Sends `once(scheduledAtMs)` at the config's fixed rate (mode 'rate') or closed loop on every
 * connection (mode 'max', scheduled = now) for `durationSec`; counts requests, failed ones (once()
 * resolving false) and CPU.
 */
async function driveRequests(
  cfg: WorkerConfig,
  durationSec: number,
  once: (scheduledAtMs: number) => Promise<boolean>,
): Promise<Measured> {
  let requests = 0;
  let errors = 0;
  const count = (ok: boolean): void => {
    requests++;
    if (!ok) errors++;
  };
  const now = (): number => performance.now();
  const cpu0 = process.cpuUsage();
  const t0 = now();
  if (cfg.mode === 'rate') {
    const inFlight: Promise<void>[] = [];
    const fire = (at: number): void => void inFlight.push(once(at).then(count));
    await runFixedRate({ now, ratePerSec: cfg.ratePerSec, durationSec, fire });
    await Promise.all(inFlight);
  } else {
    const endMs = t0 + durationSec * 1000;
    const loop = async (): Promise<void> => {
      while (now() < endMs) count(await once(now()));
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  }
  return { requests, errors, cpuMs: cpuMsSince(cpu0), wallSec: (now() - t0) / 1000 };
}

/**
 * A Node client below undici: `node:net` sockets, one pre-built request buffer written per request
 * (as autocannon and the C peer do), Content-Length responses read with no HTTP parser or SSE
 * parsing. Not a usable client (no chunked bodies, no errors beyond the status digit); it shows
 * what Node itself costs per request when no HTTP library runs, on the same pacing as our client.
 */
async function rawNetWorker(cfg: WorkerConfig, durationSec: number): Promise<Measured> {
  const { hostname, port } = new URL(cfg.url);
  const body = JSON.stringify(BODY);
  const head = Object.entries({
    host: `${hostname}:${port}`,
    ...HEADERS,
    'content-length': Buffer.byteLength(body),
  })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const requestBytes = Buffer.from(`POST ${PATH} HTTP/1.1\r\n${head}\r\n${body}`);
  const idle: RawConnection[] = [];
  const waiting: ((c: RawConnection) => void)[] = [];
  const release = (c: RawConnection): void => {
    const next = waiting.shift();
    if (next === undefined) idle.push(c);
    else next(c);
  };
  const sockets = await Promise.all(
    Array.from({ length: CONNECTIONS }, () => RawConnection.open(hostname, Number(port), release)),
  );
  idle.push(...sockets);
  const once = async (): Promise<boolean> => {
    const c = idle.pop() ?? (await new Promise<RawConnection>((resolve) => waiting.push(resolve)));
    return c.send(requestBytes);
  };
  const measured = await driveRequests(cfg, durationSec, once);
  for (const c of sockets) c.socket.destroy();
  return measured;
}

/** One keep-alive socket of rawNetWorker: one request at a time, Content-Length responses only. */
class RawConnection {
  private pending: Buffer | null = null;
  private bodyStart = -1;
  private bodyBytes = 0;
  private settle: ((ok: boolean) => void) | null = null;

  private constructor(
    readonly socket: Socket,
    private readonly release: (c: RawConnection) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.finish(false));
    socket.on('close', () => this.finish(false));
  }

  static open(host: string, port: number, release: (c: RawConnection) => void): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new RawConnection(socket, release)));
      socket.setNoDelay(true);
      socket.once('error', reject);
    });
  }

  /** Writes the request; resolves with whether the response was a 2xx. */
  send(request: Buffer): Promise<boolean> {
    return new Promise((resolve) => {
      this.settle = resolve;
      this.socket.write(request);
    });
  }

  private onData(chunk: Buffer): void {
    const data = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.bodyStart < 0) {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) {
        this.pending = data;
        return;
      }
      this.bodyStart = end + 4;
      const length = /\r\ncontent-length: *(\d+)/i.exec(data.toString('latin1', 0, end));
      this.bodyBytes = length === null ? 0 : Number(length[1]);
    }
    if (data.length - this.bodyStart < this.bodyBytes) {
      this.pending = data;
      return;
    }
    this.pending = null;
    this.bodyStart = -1;
    // A whole response, whatever its status, leaves the socket reusable.
    this.finish(data[9] === 0x32, true); // "HTTP/1.1 2xx"
  }

  private finish(ok: boolean, reusable = false): void {
    const settle = this.settle;
    if (settle === null) return;
    this.settle = null;
    if (reusable) this.release(this);
    settle(ok);
  }
}

/**
 * What one sleep and wake-up costs an otherwise idle Node process here: a bare setTimeout(1) loop
 * (`requests` = wakes). Evenly paced sending pays about one per request at 2,000 req/s.
 */
async function timerWakeWorker(_cfg: WorkerConfig, durationSec: number): Promise<Measured> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const endMs = t0 + durationSec * 1000;
  let wakes = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      wakes++;
      if (performance.now() >= endMs) resolve();
      else setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
  });
  return { requests: wakes, errors: 0, cpuMs: cpuMsSince(cpu0), wallSec: (performance.now() - t0) / 1000 };
}

async function worker(cfg: WorkerConfig): Promise<void> {
  const workers: Record<Tool, (cfg: WorkerConfig, durationSec: number) => Promise<Measured>> = {
    agentload: agentloadWorker,
    'agentload-executor': executorWorker,
    'node-http': nodeHttpWorker,
    autocannon: autocannonWorker,
    'timer-wake': timerWakeWorker,
    undici: undiciWorker,
    'raw-net': rawNetWorker,
  };
  const run = workers[cfg.tool];
  await run(cfg, WARMUP_SEC);
  // The parent starts the server's CPU and arrival counts here, so the warm-up is in neither.
  const go = new Promise((resolve) => process.once('message', resolve));
  process.send?.({ type: 'warm' });
  await go;
  const switches0 = process.resourceUsage().voluntaryContextSwitches;
  const measured = await run(cfg, DURATION_SEC);
  const sleeps = process.resourceUsage().voluntaryContextSwitches - switches0;
  process.send?.({ type: 'result', ...measured, sleeps });
  process.disconnect?.();
}

type ServerMeasured = Measured & { serverCpuMs: number; arrivals?: ArrivalPattern };

/**
 * Starts counting the server's CPU and request arrivals; the returned function stops and reads
 * them. Started after a generator's warm-up, so the server's figures cover the measured run only.
 */
function serverWindow(server: ServerChild): () => Promise<Pick<ServerMeasured, 'serverCpuMs' | 'arrivals'>> {
  const pid = server.process.pid as number;
  server.process.send('arrivals-reset');
  const cpu0 = processCpuMs(pid);
  return async () => {
    const serverCpuMs = processCpuMs(pid) - cpu0;
    const arrivals = server.next<ArrivalPattern>('arrivals');
    server.process.send('arrivals');
    return { serverCpuMs, arrivals: await arrivals };
  };
}

async function measureWorker(cfg: WorkerConfig, server: ServerChild): Promise<ServerMeasured> {
  const child = forkTs('./engine-generator.ts', ['worker', JSON.stringify(cfg)]);
  await child.next('warm');
  const stop = serverWindow(server);
  child.process.send('go');
  const result = await child.next<Measured>('result');
  const serverFigures = await stop();
  await child.stop();
  return { ...result, ...serverFigures };
}

function measureWrk(url: string, serverPid: number): ServerMeasured | string {
  if (spawnSync('wrk', ['--version']).error !== undefined) {
    return 'wrk not installed (apt-get install -y wrk); skipped';
  }
  const dir = mkdtempSync(join(tmpdir(), 'agentload-wrk-'));
  const script = join(dir, 'post.lua');
  const headerLines = Object.entries(HEADERS).map(([k, v]) => `wrk.headers["${k}"] = "${v}"`);
  writeFileSync(
    script,
    [`wrk.method = "POST"`, `wrk.body = '${JSON.stringify(BODY)}'`, ...headerLines].join('\n'),
  );
  const serverCpu0 = processCpuMs(serverPid);
  // The shell's cutime/cstime, read after `wrk` was waited for, is wrk's CPU and nothing else's.
  const shell = `wrk -t1 -c${CONNECTIONS} -d${DURATION_SEC}s -s ${script} ${url}${PATH}; read -r s < /proc/$$/stat; echo "STAT $s"`;
  const out = spawnSync('bash', ['-c', shell], { encoding: 'utf8' });
  const serverCpuMs = processCpuMs(serverPid) - serverCpu0;
  rmSync(dir, { recursive: true, force: true });
  const total = /(\d+) requests in ([\d.]+)s/.exec(out.stdout);
  const stat = /STAT (.*)/.exec(out.stdout);
  if (total === null || stat === null) return `wrk output not understood: ${out.stdout}${out.stderr}`;
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out.stdout);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    out.stdout,
  );
  const socketErrorCount =
    socketErrors === null ? 0 : socketErrors.slice(1).reduce((a, b) => a + Number(b), 0);
  return {
    requests: Number(total[1]),
    errors: Number(errors?.[1] ?? 0) + socketErrorCount,
    cpuMs: statCpuMs(stat[1] as string, 'children'),
    wallSec: Number(total[2]),
    serverCpuMs,
  };
}

const PACED_PEER_SOURCE = fileURLToPath(new URL('./engine-paced-peer.c', import.meta.url));
const PACED_PEER_WARM = 'warm\n';

/** The native paced peer at the bench's rate and connections; a string says why it was skipped. */
async function measurePacedPeer(
  server: ServerChild,
): Promise<(ServerMeasured & { lagP99Ms: number }) | string> {
  const dir = mkdtempSync(join(tmpdir(), 'agentload-paced-peer-'));
  try {
    const binary = join(dir, 'paced-peer');
    const built = spawnSync('cc', ['-O2', '-o', binary, PACED_PEER_SOURCE], { encoding: 'utf8' });
    if (built.error !== undefined) return 'native paced peer skipped: no C compiler (apt-get install -y gcc)';
    if (built.status !== 0) return `native paced peer did not compile: ${built.stderr}`;
    const { port } = new URL(server.url);
    const headers = Object.entries(HEADERS)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    const args = [
      port,
      PATH,
      RATE_PER_SEC,
      DURATION_SEC,
      WARMUP_SEC,
      CONNECTIONS,
      headers,
      JSON.stringify(BODY),
    ];
    const child = spawn(binary, args.map(String), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let stop: ReturnType<typeof serverWindow> | undefined;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // The peer prints `warm` after its warm-up and waits for a byte on stdin to go on.
      if (stop === undefined && stdout.startsWith(PACED_PEER_WARM)) {
        stop = serverWindow(server);
        child.stdin.end('g');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined); // EPIPE when the peer died first; its exit code says why
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const serverFigures = await stop?.();
    if (code !== 0 || serverFigures === undefined) {
      return `native paced peer failed (exit ${code}): ${stderr}`;
    }
    const measured = JSON.parse(stdout.slice(PACED_PEER_WARM.length)) as Measured & { lagP99Ms: number };
    return { ...measured, ...serverFigures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function row(label: string, m: ServerMeasured, peer: Measured | undefined) {
  const cpuPer1k = (m.cpuMs / m.requests) * 1000;
  const peerCpuPer1k = peer === undefined ? NaN : (peer.cpuMs / peer.requests) * 1000;
  const ratePerSec = m.requests / m.wallSec;
  return {
    generator: label,
    requests: m.requests,
    dropped: m.dropped ?? 0,
    errors: m.errors,
    'req/s': ratePerSec,
    'gen CPU ms/1k req': cpuPer1k,
    'gen CPU %': (m.cpuMs / (m.wallSec * 1000)) * 100,
    'server CPU %': (m.serverCpuMs / (m.wallSec * 1000)) * 100,
    'CPU/1k vs autocannon': cpuPer1k / peerCpuPer1k,
    'req/s vs autocannon': peer === undefined ? NaN : ratePerSec / (peer.requests / peer.wallSec),
    'sleeps/req': m.sleeps === undefined ? NaN : m.sleeps / m.requests,
  };
}

/** The fixed-rate table adds how the requests reached the server: evenly, or in bursts. */
function rateRow(label: string, m: ServerMeasured, peer: Measured | undefined) {
  return {
    ...row(label, m, peer),
    'max req/10ms': m.arrivals?.maxPerWindow ?? NaN,
    'empty 10ms %': m.arrivals?.emptyWindowsPct ?? NaN,
  };
}

async function parent(): Promise<void> {
  console.log(`engine-generator: ${nodeVersionLine()}; ${CONNECTIONS} connections; POST ${PATH} (SSE body)`);
  const server = await startServer('trivial');
  const pid = server.process.pid as number;
  try {
    const url = server.url;
    const measure = (tool: Tool, mode: Mode, ratePerSec = RATE_PER_SEC): Promise<ServerMeasured> =>
      measureWorker({ tool, mode, url, ratePerSec }, server);
    const rate: Record<string, ServerMeasured> = {};
    const max: Record<string, ServerMeasured> = {};
    const high: Record<string, ServerMeasured> = {};
    for (const tool of ['agentload-executor', 'agentload', 'node-http', 'raw-net', 'autocannon'] as const) {
      rate[tool] = await measure(tool, 'rate');
    }
    const undiciRate = await measure('undici', 'rate');
    const paced = await measurePacedPeer(server);
    const burst = await measure('agentload', 'burst');
    for (const tool of ['agentload-executor', 'agentload', 'raw-net', 'autocannon'] as const) {
      high[tool] = await measure(tool, 'rate', HIGH_RATE_PER_SEC);
    }
    for (const tool of ['agentload', 'undici', 'raw-net', 'autocannon'] as const) {
      max[tool] = await measure(tool, 'max');
    }
    const wake = await measure('timer-wake', 'rate');
    const wrk = measureWrk(server.url, pid);
    const peerRate = rate['autocannon'];
    const peerMax = max['autocannon'];
    printTable(
      `Fixed arrival rate ${RATE_PER_SEC} req/s for ${DURATION_SEC} s (wrk has no rate mode; wrk2 is not packaged)`,
      [
        rateRow('agentload executor + client', rate['agentload-executor']!, peerRate),
        rateRow('agentload client, bench loop', rate['agentload']!, peerRate),
        rateRow('node:http, bench loop', rate['node-http']!, peerRate),
        rateRow('undici Pool, no-op handler, bench loop', undiciRate, peerRate),
        rateRow('raw node:net, no HTTP library, bench loop', rate['raw-net']!, peerRate),
        ...(typeof paced === 'string'
          ? []
          : [rateRow('native C, paced (engine-paced-peer.c)', paced, peerRate)]),
        rateRow("agentload client, autocannon's bursts", burst, peerRate),
        rateRow('autocannon (overallRate)', peerRate!, peerRate),
      ],
    );
    console.log(
      typeof paced === 'string'
        ? paced
        : `The native paced peer sent each request at its due time: lag p99 ${paced.lagP99Ms.toFixed(3)} ms, ${paced.dropped ?? 0} dropped.`,
    );
    const wakeUs = (wake.cpuMs / wake.requests) * 1000;
    console.log(
      'Pacing differs: the agentload rows and node:http send each request at its own due time (t0 + i/rate);' +
        " autocannon sends each connection's per-second quota back to back, then idles until the next" +
        ' second (max req/10ms and empty 10ms % are counted by the server), so its requests share' +
        ' wake-ups and syscalls: cheaper per request, but bursts, not a fixed arrival rate.\n' +
        `sleeps/req: voluntary context switches per request. One sleep and wake of an idle Node process` +
        ` costs ${wakeUs.toFixed(1)} us CPU here (bare setTimeout(1) loop, ${wake.requests} wakes), so even` +
        ` pacing at ${RATE_PER_SEC} req/s (0.5 ms apart, one sleep per request) costs about` +
        ` ${wakeUs.toFixed(0)} ms per 1k requests in wake-ups before any request work.`,
    );
    const per1k = (m: Measured): number => (m.cpuMs / m.requests) * 1000;
    const ours = per1k(rate['agentload-executor']!);
    const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
    console.log(
      `\nTarget, as issue 4 states it: executor + client CPU/1k <= autocannon's: ` +
        `${verdict(ours <= per1k(peerRate!))} (${(ours / per1k(peerRate!)).toFixed(2)}x).`,
    );
    if (typeof paced !== 'string') {
      console.log(
        `Against a generator that paces (proposed): <= 2x the native paced peer: ` +
          `${verdict(ours <= 2 * per1k(paced))} (${(ours / per1k(paced)).toFixed(2)}x); client alone <= 1.2x ` +
          `undici's no-op floor on the same loop: ${verdict(per1k(rate['agentload']!) <= 1.2 * per1k(undiciRate))} ` +
          `(${(per1k(rate['agentload']!) / per1k(undiciRate)).toFixed(2)}x).`,
      );
    }
    const peerHigh = high['autocannon'];
    printTable(`Fixed arrival rate ${HIGH_RATE_PER_SEC} req/s for ${DURATION_SEC} s`, [
      rateRow('agentload executor + client', high['agentload-executor']!, peerHigh),
      rateRow('agentload client, bench loop', high['agentload']!, peerHigh),
      rateRow('raw node:net, no HTTP library, bench loop', high['raw-net']!, peerHigh),
      rateRow('autocannon (overallRate)', peerHigh!, peerHigh),
    ]);
    const oursHigh = per1k(high['agentload-executor']!);
    console.log(
      `At ${HIGH_RATE_PER_SEC} req/s wake-ups are shared (sleeps/req above), so CPU/1k is per-request work.\n` +
        `Target at this rate: executor + client CPU/1k <= autocannon's: ${verdict(oursHigh <= per1k(peerHigh!))} ` +
        `(${(oursHigh / per1k(peerHigh!)).toFixed(2)}x); raw node:net on the same pacing: ` +
        `${(per1k(high['raw-net']!) / per1k(peerHigh!)).toFixed(2)}x autocannon, ` +
        `${(per1k(rate['raw-net']!) / per1k(peerRate!)).toFixed(2)}x at ${RATE_PER_SEC} req/s.`,
    );
    const maxRows = [
      row('agentload client', max['agentload']!, peerMax),
      row('undici Pool, no-op handler', max['undici']!, peerMax),
      row('raw node:net, no HTTP library', max['raw-net']!, peerMax),
      row('autocannon', peerMax!, peerMax),
    ];
    if (typeof wrk === 'string') console.log(wrk);
    else maxRows.push(row('wrk -t1', wrk, peerMax));
    printTable(`Closed loop, as fast as possible, ${DURATION_SEC} s`, maxRows);
    console.log(
      '\nOne core each for server and generator on a 2-core machine: when server CPU is near 100 %,' +
        ' req/s is the server\'s ceiling and "gen CPU ms/1k req" is the figure to compare.',
    );
  } finally {
    await server.stop();
  }
}

if (process.argv[2] === 'worker') await worker(JSON.parse(process.argv[3] as string) as WorkerConfig);
else await parent();
