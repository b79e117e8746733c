import type { ServerResponse } from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';

/**
 * Server-sent events on a raw response. Headers go out with the first event, not before, so
 * until something is written the turn can still answer with a plain JSON error status (and a
 * failed model call can still be retried). Output per turn is bounded by max_tokens, so writes
 * are not paced by `drain`.
 */
export class SseWriter {
  private startedFlag = false;
  private endedFlag = false;

  constructor(
    private readonly raw: ServerResponse,
    private readonly headers: () => OutgoingHttpHeaders,
  ) {}

  get started(): boolean {
    return this.startedFlag;
  }

  get writable(): boolean {
    return !this.endedFlag && !this.raw.destroyed && !this.raw.writableEnded;
  }

  event(data: unknown, name?: string): void {
    if (!this.writable) return;
    this.start();
    const payload = typeof data === 'string' ? data : JSON.stringify(data);
    this.raw.write(`${name ? `event: ${name}\n` : ''}data: ${payload}\n\n`);
  }

  /** Ends the stream with `data: [DONE]`. */
  finish(): void {
    this.event('[DONE]');
    this.end();
  }

  /** Answers with a JSON error instead; only possible before the first event. */
  jsonError(statusCode: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
    if (this.startedFlag || !this.writable) return;
    this.raw.writeHead(statusCode, {
      ...this.headers(),
      ...extraHeaders,
      'content-type': 'application/json; charset=utf-8',
    });
    this.raw.end(JSON.stringify(body));
    this.endedFlag = true;
  }

  end(): void {
    if (this.endedFlag) return;
    this.endedFlag = true;
    if (!this.raw.destroyed) this.raw.end();
  }

  private start(): void {
    if (this.startedFlag) return;
    this.startedFlag = true;
    this.raw.writeHead(200, {
      ...this.headers(),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
  }
}
