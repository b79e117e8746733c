/**
 * Where the agent keeps state: conversation turns, rate-limit buckets, idempotency records.
 * Two implementations behave the same (one shared test suite runs against both): Redis (Lua
 * scripts, atomic across replicas) and memory (one process, used when no redis-server exists).
 * Every key lives under its tenant, so one tenant can never read another's state.
 */

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ToolStep {
  name: string;
  ok: boolean;
  durationMs: number;
}

export type FinishReason = 'stop' | 'length' | 'error';

/** One acknowledged turn as stored. `turn` is assigned by the store, 1-based, per session. */
export interface TurnRecord {
  turn: number;
  user: string;
  assistant: string;
  degraded: boolean;
  /** ISO 8601 time the turn was stored. */
  at: string;
  usage: Usage;
  toolSteps: ToolStep[];
  finishReason: FinishReason;
}

export type NewTurn = Omit<TurnRecord, 'turn'>;

export interface BucketLimits {
  requestsPerMin: number;
  tokensPerMin: number;
}

/** A token bucket's state after an admission attempt. Token counts may be fractional or negative. */
export interface BucketState {
  remaining: number;
  capacity: number;
  /** Refill rate, units per ms. */
  ratePerMs: number;
  /** 0 when the unit could be taken; otherwise how long until it can, ms. */
  waitMs: number;
}

export interface AdmitResult {
  allowed: boolean;
  requests: BucketState;
  tokens: BucketState;
}

export type IdempotencyBegin =
  | { kind: 'new' }
  | { kind: 'in_flight' }
  | { kind: 'mismatch' }
  | { kind: 'replay'; sessionId: string; record: TurnRecord };

export interface IdempotencyRef {
  key: string;
  fingerprint: string;
  ttlSec: number;
}

export interface StateStoreOptions {
  /** A session idle this long is gone (its turns expire with it). */
  sessionTtlSec: number;
}

export interface StateStore {
  readonly kind: 'redis' | 'memory';
  ping(): Promise<void>;
  /** Charges 1 request and `tokens` tokens only when both buckets hold enough, atomically. */
  admit(tenant: string, limits: BucketLimits, tokens: number): Promise<AdmitResult>;
  /** Returns (delta > 0) or further charges (delta < 0) tokens once the actual usage is known. */
  settleTokens(tenant: string, limits: BucketLimits, deltaTokens: number): Promise<void>;
  /** Claims an idempotency key for this request, or says why it cannot (replay, in flight, other body). */
  beginIdempotent(tenant: string, ref: IdempotencyRef, pendingTtlSec: number): Promise<IdempotencyBegin>;
  /** Frees a claimed key whose turn failed, so the client may retry it. */
  releaseIdempotent(tenant: string, key: string, fingerprint: string): Promise<void>;
  /** Registers the session (counting against the tenant's cap) unless it exists; false when the cap is reached. */
  reserveSession(tenant: string, sessionId: string, maxSessions: number): Promise<boolean>;
  /** Appends the turn and, when given, completes the idempotency record, in one atomic step. */
  appendTurn(
    tenant: string,
    sessionId: string,
    turn: NewTurn,
    idempotency?: IdempotencyRef,
  ): Promise<TurnRecord>;
  /** The newest `maxTurns` turns, oldest first; empty when the session does not exist. */
  recentTurns(tenant: string, sessionId: string, maxTurns: number): Promise<TurnRecord[]>;
  /** Every stored turn, or null when the session does not exist (or belongs to another tenant). */
  getSession(tenant: string, sessionId: string): Promise<TurnRecord[] | null>;
  /** False when there was no such session. */
  deleteSession(tenant: string, sessionId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The store could not be reached or did not answer in time: callers answer 503. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
