import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';

/**
 * An HTTP server that records every request and either forwards it to an upstream (a transparent
 * proxy, streaming the answer back) or answers it itself. In front of the model server it counts
 * model calls per `x-request-id` and injects failures (Toxiproxy's role); with no upstream it is a
 * sinkhole that counts hits on an "internal" address.
 */
export interface RecordedRequest {
  seq: number;
  /** performance.now() when the request headers arrived. */
  atMs: number;
  method: string;
  path: string;
  requestId: string | null;
  headers: IncomingHttpHeaders;
  body: string;
  /** Status sent back; 0 while in progress, or when the connection was cut. */
  status: number;
}

/** An answer given instead of forwarding; 'reset' destroys the connection without one. */
export type Intercept = { status: number; headers?: Record<string, string>; body?: string } | 'reset';

export interface HttpRecorder {
  url: string;
  port: number;
  readonly requests: RecordedRequest[];
  /** Consulted for every request; return null to forward (or answer `fallback` without upstream). */
  intercept: ((req: RecordedRequest) => Intercept | null) | null;
  /** Requests whose response has not finished yet. */
  active(): number;
  openSockets(): number;
  byRequestId(id: string): RecordedRequest[];
  /** Requests that arrived after `seq` (take `requests.length` as a mark first). */
  since(mark: number): RecordedRequest[];
  close(): Promise<void>;
}

export interface HttpRecorderOptions {
  /** Base URL to forward to; absent: answer `fallback` (a sinkhole). */
  upstream?: string;
  fallback?: Exclude<Intercept, 'reset'>;
}

export async function startHttpRecorder(options: HttpRecorderOptions = {}): Promise<HttpRecorder> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let activeCount = 0;
  const upstream = options.upstream ? new URL(options.upstream) : null;
  const fallback = options.fallback ?? { status: 200, body: 'sinkhole' };

  const recorder: HttpRecorder = {
    url: '',
    port: 0,
    requests,
    intercept: null,
    active: () => activeCount,
    openSockets: () => sockets.size,
    byRequestId: (id) => requests.filter((r) => r.requestId === id),
    since: (mark) => requests.slice(mark),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const rid = req.headers['x-request-id'];
    const record: RecordedRequest = {
      seq: requests.length,
      atMs: performance.now(),
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      requestId: typeof rid === 'string' ? rid : null,
      headers: req.headers,
      body,
      status: 0,
    };
    requests.push(record);
    activeCount++;
    let counted = true;
    const done = (): void => {
      if (counted) activeCount--;
      counted = false;
    };
    res.once('close', done);
    res.once('finish', () => {
      record.status = res.statusCode;
      done();
    });
    const answer = recorder.intercept?.(record) ?? (upstream ? null : fallback);
    if (answer === 'reset') return void req.socket.destroy();
    if (answer !== null) {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      return void res.end(answer.body ?? '{}');
    }
    forward(upstream!, req, res, body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  recorder.port = typeof address === 'object' && address ? address.port : 0;
  recorder.url = `http://127.0.0.1:${recorder.port}`;
  return recorder;
}

/** Streams the upstream's answer back; an upstream failure cuts the client's connection, as the real failure would. */
function forward(upstream: URL, req: IncomingMessage, res: ServerResponse, body: string): void {
  const headers = { ...req.headers, host: upstream.host };
  delete headers['content-length'];
  const out = httpRequest(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      up.once('error', () => res.destroy());
    },
  );
  out.once('error', () => res.destroy());
  // The client went away (the agent aborted its call): abort the upstream call too.
  res.once('close', () => {
    if (!res.writableFinished) out.destroy();
  });
  out.end(body);
}
