/**
 * Child-process servers for the engine benchmarks (not a benchmark itself). Forked by
 * engine-bench-support.ts as `engine-bench-server.ts <kind> <json options>`; reports
 * `{ type: 'listening', port }` over IPC and serves on 127.0.0.1 until killed.
 *   trivial  every request gets the same tiny OpenAI-style stream (content-length, no chunking)
 *   ttft     SSE; writes the first content token `firstTokenDelayMs` after the headers, its content
 *            being the CLOCK_MONOTONIC ms read just before the write, then `tokens - 1` more
 *   hold     SSE; writes one token, then holds the stream open until the parent sends 'finish'
 * Every kind counts request arrivals per 10 ms window: the parent sends 'arrivals-reset', later
 * 'arrivals', and gets `{ type: 'arrivals', ...ArrivalPattern }` back (how evenly a generator paced).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monotonicMs } from './engine-bench-support.ts';

const TRIVIAL_BODY =
  'data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":null}]}\n\n' +
  'data: [DONE]\n\n';

const chunk = (content: string): string =>
  `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":null}]}\n\n`;

function drain(req: IncomingMessage, then: () => void): void {
  req.on('data', () => undefined);
  req.on('end', then);
}

function trivial(req: IncomingMessage, res: ServerResponse): void {
  drain(req, () => {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'content-length': Buffer.byteLength(TRIVIAL_BODY),
    });
    res.end(TRIVIAL_BODY);
  });
}

function ttft(options: { firstTokenDelayMs: number; tokens: number; tokenGapMs: number }) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    drain(req, () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      setTimeout(() => {
        res.write(chunk(`${monotonicMs()}|`));
        let left = options.tokens - 1;
        const next = (): void => {
          if (left-- > 0) {
            res.write(chunk('.'));
            setTimeout(next, options.tokenGapMs);
          } else {
            res.end('data: [DONE]\n\n');
          }
        };
        setTimeout(next, options.tokenGapMs);
      }, options.firstTokenDelayMs);
    });
  };
}

function hold() {
  const open = new Set<ServerResponse>();
  process.on('message', (msg) => {
    if (msg === 'count') process.send?.({ type: 'count', open: open.size });
    if (msg === 'finish') {
      for (const res of open) res.end('data: [DONE]\n\n');
      open.clear();
    }
  });
  return (req: IncomingMessage, res: ServerResponse): void => {
    drain(req, () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('first'));
      open.add(res);
      res.on('close', () => open.delete(res));
    });
  };
}

/** How requests arrived over 10 ms windows, from the first arrival to the last. */
export interface ArrivalPattern {
  requests: number;
  windows: number;
  /** Windows with no arrival, percent: 0 for even pacing at 2,000 req/s (20 per window). */
  emptyWindowsPct: number;
  maxPerWindow: number;
}

const WINDOW_MS = 10;

function arrivalCounter(): { arrived(): void } {
  let counts = new Map<number, number>();
  process.on('message', (msg) => {
    if (msg === 'arrivals-reset') counts = new Map();
    if (msg !== 'arrivals') return;
    const keys = [...counts.keys()];
    const windows = keys.length === 0 ? 0 : Math.max(...keys) - Math.min(...keys) + 1;
    const requests = [...counts.values()].reduce((a, b) => a + b, 0);
    const pattern: ArrivalPattern = {
      requests,
      windows,
      emptyWindowsPct: windows === 0 ? 0 : (100 * (windows - counts.size)) / windows,
      maxPerWindow: Math.max(0, ...counts.values()),
    };
    process.send?.({ type: 'arrivals', ...pattern });
  });
  return {
    arrived() {
      const w = Math.floor(performance.now() / WINDOW_MS);
      counts.set(w, (counts.get(w) ?? 0) + 1);
    },
  };
}

function main(): void {
  const kind = process.argv[2];
  const options = JSON.parse(process.argv[3] ?? '{}') as Record<string, number>;
  const handlers = {
    trivial: () => trivial,
    ttft: () => ttft(options as { firstTokenDelayMs: number; tokens: number; tokenGapMs: number }),
    hold,
  };
  const make = handlers[kind as keyof typeof handlers];
  if (make === undefined)
    throw new Error(`unknown server kind ${kind}; use ${Object.keys(handlers).join(', ')}`);
  const handle = make();
  const arrivals = arrivalCounter();
  const server = createServer((req, res) => {
    arrivals.arrived();
    handle(req, res);
  });
  // Longer than any bench run, so no keep-alive connection is closed under a generator's feet.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  server.requestTimeout = 0;
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port });
  });
  process.on('disconnect', () => process.exit(0));
}

main();
