import type { ErrorClass, TurnResult } from './types.ts';

const MAX_MESSAGE_CHARS = 500;

/**
 * What one turn looked like so far. Protocol adapters report content tokens, usage and terminal
 * events into it; the HTTP handler stamps the transport times and the error class; result() builds
 * the TurnResult once.
 */
export class TurnRecorder {
  sentAtMs: number;
  firstByteMs: number | null = null;
  firstTokenMs: number | null = null;
  readonly tokenGapsMs: number[] = [];
  endMs = 0;
  status = 0;
  replica: string | null = null;
  retryAfterSec: number | null = null;
  degraded = false;
  finishReason: string | null = null;
  /** The protocol's terminal success event arrived (agent `done`, OpenAI `[DONE]`, TGI final event). */
  completed = false;
  errorClass: ErrorClass | null = null;
  errorMessage: string | null = null;

  private countedTokens = 0;
  private lastTokenMs = 0;
  private usageInputTokens: number | null = null;
  private usageOutputTokens: number | null = null;
  private readonly pieces: string[] | null;

  constructor(captureText: boolean, sentAtMs: number) {
    this.pieces = captureText ? [] : null;
    this.sentAtMs = sentAtMs;
  }

  /** One content chunk (a model token as streamed); empty text is not a token. */
  content(text: string, atMs: number): void {
    if (text.length === 0) return;
    if (this.countedTokens === 0) this.firstTokenMs = atMs;
    else this.tokenGapsMs.push(atMs - this.lastTokenMs);
    this.lastTokenMs = atMs;
    this.countedTokens++;
    if (this.pieces !== null) this.pieces.push(text);
  }

  /** Whole-body text of a non-streamed answer: no token timing is known. */
  wholeText(text: string): void {
    if (this.pieces !== null) this.pieces.push(text);
  }

  usage(inputTokens: unknown, outputTokens: unknown): void {
    if (isCount(inputTokens)) this.usageInputTokens = inputTokens;
    if (isCount(outputTokens)) this.usageOutputTokens = outputTokens;
  }

  /** First failure wins: later ones are consequences of it. */
  fail(errorClass: ErrorClass, message: string): void {
    if (this.errorClass !== null) return;
    this.errorClass = errorClass;
    this.errorMessage = message.length > MAX_MESSAGE_CHARS ? message.slice(0, MAX_MESSAGE_CHARS) : message;
  }

  result(): TurnResult {
    const fromUsage = this.usageOutputTokens !== null;
    return {
      sentAtMs: this.sentAtMs,
      firstByteMs: this.firstByteMs,
      firstTokenMs: this.firstTokenMs,
      tokenGapsMs: this.tokenGapsMs,
      endMs: this.endMs,
      inputTokens: this.usageInputTokens,
      outputTokens: fromUsage ? (this.usageOutputTokens as number) : this.countedTokens,
      tokenSource: fromUsage ? 'usage' : 'counted',
      status: this.status,
      errorClass: this.errorClass,
      degraded: this.degraded,
      replica: this.replica,
      text: this.pieces === null ? '' : this.pieces.join(''),
      retryAfterSec: this.retryAfterSec,
      errorMessage: this.errorMessage,
      finishReason: this.finishReason,
    };
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
