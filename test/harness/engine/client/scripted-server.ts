import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '../../../../harness/engine/client/index.ts';
import type {
  ClientOptions,
  Protocol,
  TurnClient,
  TurnRequest,
} from '../../../../harness/engine/client/index.ts';

/**
 * A string is written as is; a number waits that many ms; `{ clockMs }` sets the server's logical
 * clock (give it to the client as `now`, so a timestamp can never be earlier than the clock value
 * set before the write it measures); 'destroy' cuts the socket; 'hang' never ends.
 */
export type Step = string | number | { clockMs: number } | 'destroy' | 'hang';

export interface Script {
  /** Never answer, not even with headers. */
  silent?: boolean;
  status?: number;
  headers?: Record<string, string>;
  steps: Step[];
}

export interface ScriptedServer {
  url: string;
  /** JSON bodies received, in order. */
  bodies: unknown[];
  /** The logical clock the `{ clockMs }` steps set. */
  now: () => number;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Most requests open at once. */
  maxConcurrent(): number;
  close(): Promise<void>;
}

/** Routes by request path; an unknown path answers 404. */
export async function startScriptedServer(routes: Record<string, Script>): Promise<ScriptedServer> {
  const bodies: unknown[] = [];
  const clock = { ms: 0 };
  let connections = 0;
  let open = 0;
  let maxOpen = 0;
  const server = createServer((req, res) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.on('close', () => open--);
    void handle(routes, bodies, clock, req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    now: () => clock.ms,
    connections: () => connections,
    maxConcurrent: () => maxOpen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  routes: Record<string, Script>,
  bodies: unknown[],
  clock: { ms: number },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  bodies.push(text.length > 0 ? JSON.parse(text) : null);
  const script = routes[req.url ?? ''];
  if (script === undefined) {
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"error":{"code":"not_found","message":"no route"}}');
    return;
  }
  if (script.silent === true) return;
  res.writeHead(script.status ?? 200, { 'content-type': 'text/event-stream', ...script.headers });
  res.flushHeaders();
  for (const step of script.steps) {
    if (typeof step === 'number') await sleep(step);
    else if (step === 'destroy') return void res.socket?.destroy();
    else if (step === 'hang') return;
    else if (typeof step === 'object') clock.ms = step.clockMs;
    else res.write(step);
  }
  res.end();
}

/** `data: <json>\n\n`, with an optional `event:` line. */
export function sse(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${payload}\n\n`;
}

export function chatChunk(content: string | null, extra: Record<string, unknown> = {}): unknown {
  const delta = content === null ? { role: 'assistant', content: '' } : { content };
  return {
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: null }],
    ...extra,
  };
}

/** A request for `path` with the fields tests rarely vary filled in. */
export function turnRequest(
  protocol: Protocol,
  path: string,
  body: unknown = { message: 'hi', stream: true },
): TurnRequest {
  return {
    protocol,
    path,
    headers: { authorization: 'Bearer test' },
    body,
    scheduledAtMs: performance.now(),
  };
}

export function testClient(url: string, overrides: Partial<ClientOptions> = {}): TurnClient {
  return createClient({
    baseUrl: url,
    connections: 4,
    now: () => performance.now(),
    requestTimeoutMs: 5_000,
    ...overrides,
  });
}
