import type { Dispatcher } from 'undici';
import { unwatchAbort, watchAbort } from './abort-fanout.ts';
import type { AbortWatcher } from './abort-fanout.ts';
import { classifyStatus, classifyTransportError, describeError, parseRetryAfterSec } from './error-class.ts';
import { asObject, errorMessageOf } from './protocols/adapter.ts';
import type { ProtocolAdapter } from './protocols/adapter.ts';
import { SseParser } from './sse-parser.ts';
import { TurnRecorder } from './turn-recorder.ts';
import type { TurnResult } from './types.ts';

type Controller = Dispatcher.DispatchController;
type Headers = Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2];

export interface TurnContext {
  readonly now: () => number;
  readonly captureText: boolean;
  readonly requestTimeoutMs: number;
}

const MAX_ERROR_BODY_BYTES = 4096;
const MAX_JSON_BODY_BYTES = 8 * 1024 * 1024;
const REPLICA_HEADER = 'x-agentload-replica';

// Handlers are allocated per request, so timers and listeners get the handler itself rather than
// a closure (tsx's keepNames turns every per-instance arrow function into a defineProperty call).
function onDeadline(handler: TurnHandler): void {
  handler.interrupt('timeout', `turn did not finish within ${handler.requestTimeoutMs} ms`);
}

/**
 * One turn on the wire, as an undici dispatch handler: body chunks reach the SSE parser as they
 * arrive, with no stream objects in between. Settles exactly once, on the first of: the response
 * end, a transport error, the deadline, the caller's abort, a protocol violation.
 */
export class TurnHandler implements Dispatcher.DispatchHandler, AbortWatcher {
  private readonly ctx: TurnContext;
  readonly requestTimeoutMs: number;
  private readonly adapter: ProtocolAdapter;
  private readonly turn: TurnRecorder;
  private readonly resolve: (result: TurnResult) => void;
  private readonly signal: AbortSignal | undefined;
  private readonly timer: NodeJS.Timeout;
  private controller: Controller | null = null;
  private settled = false;
  private parser: SseParser | null = null;
  private body: Buffer[] | null = null;
  private bodyBytes = 0;
  private bodyLimitBytes = 0;
  private chunkAtMs = 0;
  abortPrev: AbortWatcher | null = null;
  abortNext: AbortWatcher | null = null;

  constructor(
    ctx: TurnContext,
    adapter: ProtocolAdapter,
    signal: AbortSignal | undefined,
    resolve: (r: TurnResult) => void,
  ) {
    this.ctx = ctx;
    this.requestTimeoutMs = ctx.requestTimeoutMs;
    this.adapter = adapter;
    this.resolve = resolve;
    this.turn = new TurnRecorder(ctx.captureText, ctx.now());
    this.timer = setTimeout(onDeadline, ctx.requestTimeoutMs, this);
    this.signal = signal;
    if (signal !== undefined) watchAbort(signal, this);
  }

  onRequestStart(controller: Controller): void {
    if (this.settled) {
      controller.abort(new Error('turn already settled'));
      return;
    }
    this.controller = controller;
    this.turn.sentAtMs = this.ctx.now();
  }

  onResponseStart(_controller: Controller, statusCode: number, headers: Headers): void {
    // 1xx informational responses precede the real one.
    if (this.settled || statusCode < 200) return;
    const turn = this.turn;
    turn.firstByteMs = this.ctx.now();
    turn.status = statusCode;
    const replica = headers[REPLICA_HEADER];
    turn.replica = typeof replica === 'string' ? replica : null;
    turn.retryAfterSec = parseRetryAfterSec(headers['retry-after'], Date.now);
    const ok = statusCode >= 200 && statusCode < 300;
    const contentType = headers['content-type'];
    if (ok && typeof contentType === 'string' && contentType.includes('text/event-stream')) {
      this.parser = new SseParser(this);
    } else {
      this.body = [];
      this.bodyLimitBytes = ok ? MAX_JSON_BODY_BYTES : MAX_ERROR_BODY_BYTES;
    }
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.settled) return;
    if (this.parser !== null) {
      this.chunkAtMs = this.ctx.now();
      this.parser.push(chunk);
      if (this.turn.errorClass === 'protocol') {
        this.turn.endMs = this.chunkAtMs;
        this.settle();
        controller.abort(new Error('protocol violation'));
      }
      return;
    }
    if (this.body === null || this.bodyBytes >= this.bodyLimitBytes) return;
    this.body.push(chunk);
    this.bodyBytes += chunk.length;
  }

  onResponseEnd(): void {
    if (this.settled) return;
    const turn = this.turn;
    turn.endMs = this.ctx.now();
    const errorClass = classifyStatus(turn.status);
    if (errorClass !== null) {
      turn.fail(errorClass, `HTTP ${turn.status}: ${this.errorBodyMessage()}`);
    } else if (this.parser !== null) {
      if (!turn.completed) turn.fail('stream_error', this.adapter.incompleteMessage);
    } else {
      this.finishJsonBody();
    }
    this.settle();
  }

  onResponseError(_controller: Controller, err: Error): void {
    if (this.settled) return;
    this.turn.endMs = this.ctx.now();
    this.turn.fail(classifyTransportError(err, this.turn.firstByteMs !== null), describeError(err));
    this.settle();
  }

  /** SseSink: one parsed event. */
  onSseEvent(eventType: string, data: string): void {
    this.adapter.onEvent(this.turn, eventType, data, this.chunkAtMs);
  }

  /** AbortWatcher: the caller's signal fired. */
  onAbort(): void {
    this.interrupt('aborted', 'aborted by the caller');
  }

  /** Ends the turn from outside the response: the deadline or the caller's abort. */
  interrupt(errorClass: 'timeout' | 'aborted', message: string): void {
    if (this.settled) return;
    this.turn.endMs = this.ctx.now();
    this.turn.fail(errorClass, message);
    this.settle();
    // A request still queued for a connection is aborted by onRequestStart when it gets one.
    this.controller?.abort(new Error(message));
  }

  private finishJsonBody(): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.concat(this.body ?? []).toString('utf8'));
    } catch {
      this.turn.fail('protocol', 'response is neither an event stream nor JSON');
      return;
    }
    this.adapter.onJsonBody(this.turn, parsed);
  }

  private errorBodyMessage(): string {
    const text = Buffer.concat(this.body ?? [])
      .toString('utf8')
      .slice(0, MAX_ERROR_BODY_BYTES);
    try {
      return errorMessageOf(asObject(JSON.parse(text)), text);
    } catch {
      return text;
    }
  }

  private settle(): void {
    this.settled = true;
    clearTimeout(this.timer);
    if (this.signal !== undefined) unwatchAbort(this.signal, this);
    this.parser = null;
    this.body = null;
    this.resolve(this.turn.result());
  }
}
