import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Server-sent events written straight to the socket, framed as TGI (axum) frames them:
 * `data:<json>\n\n`, no event names, and a `:\n\n` keep-alive comment after 15 s without a write
 * (axum KeepAlive::default()), so a stalled (hung) stream stays open as it would against TGI.
 */

export const KEEP_ALIVE_MS = 15_000;

/** `data:` and the blank line around an event's JSON. */
const DATA_FRAME_BYTES = 'data:\n\n'.length;

export class SseStream {
  lastWriteMs: number;
  private ended = false;
  /**
   * The connection, when frames can go to it directly as HTTP chunks (`<hex size>\r\n<data>\r\n`),
   * skipping the ServerResponse layers (cork, nextTick uncork, framing): about half the per-token
   * CPU. Null when the response is not chunked or not yet on its socket (then res.write is used).
   */
  private direct: Socket | null = null;

  constructor(
    private readonly res: ServerResponse,
    private readonly registry: SseRegistry,
  ) {
    this.lastWriteMs = registry.nowMs();
  }

  /** 200 with the event-stream headers, flushed at once (TGI answers before running the request). */
  open(headers: OutgoingHttpHeaders): void {
    this.res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
    });
    this.res.flushHeaders();
    const socket = this.res.socket;
    if (socket && (this.res as { chunkedEncoding?: boolean }).chunkedEncoding === true) this.direct = socket;
    this.registry.add(this);
    this.res.once('close', () => this.registry.delete(this));
  }

  get closed(): boolean {
    return this.ended || this.res.destroyed;
  }

  /** One event; `json` is already serialized. */
  send(json: string): void {
    if (this.closed) return;
    // One string per event on the direct path: this runs once per token per stream.
    if (this.direct) {
      const size = Buffer.byteLength(json) + DATA_FRAME_BYTES;
      this.direct.write(`${size.toString(16)}\r\ndata:${json}\n\n\r\n`);
    } else {
      this.res.write(`data:${json}\n\n`);
    }
    this.lastWriteMs = this.registry.nowMs();
  }

  keepAlive(): void {
    if (this.closed) return;
    if (this.direct) this.direct.write('3\r\n:\n\n\r\n');
    else this.res.write(':\n\n');
    this.lastWriteMs = this.registry.nowMs();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.registry.delete(this);
    if (!this.res.destroyed) this.res.end();
  }
}

/** Open streams of one server, for keep-alives. */
export class SseRegistry {
  private readonly streams = new Set<SseStream>();
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly nowMs: () => number) {}

  add(stream: SseStream): void {
    this.streams.add(stream);
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), KEEP_ALIVE_MS / 3);
      this.timer.unref();
    }
  }

  delete(stream: SseStream): void {
    this.streams.delete(stream);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.streams.clear();
  }

  private sweep(): void {
    const now = this.nowMs();
    for (const s of this.streams) if (now - s.lastWriteMs >= KEEP_ALIVE_MS) s.keepAlive();
  }
}
