/**
 * Child-process servers for the engine benchmarks (not a benchmark itself). Forked by
 * engine-bench-support.ts as `engine-bench-server.ts <kind> <json options>`; reports
 * `{ type: 'listening', port }` over IPC and serves on 127.0.0.1 until killed.
 *   trivial  every request gets the same tiny OpenAI-style stream (content-length, no chunking)
 *   ttft     SSE; writes the first content token `firstTokenDelayMs` after the headers, its content
 *            being the CLOCK_MONOTONIC ms read just before the write, then `tokens - 1` more
 *   hold     SSE; writes one token, then holds the stream open until the parent sends 'finish'
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
  const server = createServer(make());
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
