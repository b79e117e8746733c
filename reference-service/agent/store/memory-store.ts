import { admitResult, refill, type StoredBucket } from './token-bucket.ts';
import type {
  AdmitResult,
  BucketLimits,
  IdempotencyBegin,
  IdempotencyRef,
  NewTurn,
  StateStore,
  StateStoreOptions,
  TurnRecord,
} from './types.ts';

interface Session {
  turns: TurnRecord[];
  lastMs: number;
}

type IdemEntry =
  | { state: 'pending'; fingerprint: string; expiresAtMs: number }
  | { state: 'done'; fingerprint: string; expiresAtMs: number; sessionId: string; record: TurnRecord };

/**
 * One-process state store with the Redis store's semantics. JavaScript runs each method's
 * synchronous body without interleaving, which gives the atomicity the Lua scripts give in Redis.
 */
export class MemoryStateStore implements StateStore {
  readonly kind = 'memory' as const;
  private readonly buckets = new Map<string, StoredBucket>();
  private readonly sessions = new Map<string, Map<string, Session>>();
  private readonly idempotency = new Map<string, IdemEntry>();
  private readonly sessionTtlMs: number;
  private readonly nowMs: () => number;
  private beginsSinceSweep = 0;

  constructor(options: StateStoreOptions & { nowMs?: () => number }) {
    this.sessionTtlMs = options.sessionTtlSec * 1000;
    this.nowMs = options.nowMs ?? Date.now;
  }

  async ping(): Promise<void> {}

  async admit(tenant: string, limits: BucketLimits, tokens: number): Promise<AdmitResult> {
    const now = this.nowMs();
    const reqKey = `${tenant}:req`;
    const tokKey = `${tenant}:tok`;
    let reqUnits = refill(this.buckets.get(reqKey), limits.requestsPerMin, now);
    let tokUnits = refill(this.buckets.get(tokKey), limits.tokensPerMin, now);
    const allowed = reqUnits >= 1 && tokUnits >= tokens;
    if (allowed) {
      reqUnits -= 1;
      tokUnits -= tokens;
    }
    this.buckets.set(reqKey, { units: reqUnits, atMs: now });
    this.buckets.set(tokKey, { units: tokUnits, atMs: now });
    return admitResult(allowed, reqUnits, tokUnits, limits, tokens);
  }

  async settleTokens(tenant: string, limits: BucketLimits, deltaTokens: number): Promise<void> {
    const now = this.nowMs();
    const key = `${tenant}:tok`;
    const cap = limits.tokensPerMin;
    const units = Math.max(-cap, Math.min(cap, refill(this.buckets.get(key), cap, now) + deltaTokens));
    this.buckets.set(key, { units, atMs: now });
  }

  async beginIdempotent(
    tenant: string,
    ref: IdempotencyRef,
    pendingTtlSec: number,
  ): Promise<IdempotencyBegin> {
    const id = `${tenant}\0${ref.key}`;
    const now = this.nowMs();
    this.sweepIdempotency(now);
    const entry = this.idempotency.get(id);
    if (entry && entry.expiresAtMs > now) {
      if (entry.fingerprint !== ref.fingerprint) return { kind: 'mismatch' };
      if (entry.state === 'pending') return { kind: 'in_flight' };
      return { kind: 'replay', sessionId: entry.sessionId, record: structuredClone(entry.record) };
    }
    this.idempotency.set(id, {
      state: 'pending',
      fingerprint: ref.fingerprint,
      expiresAtMs: now + pendingTtlSec * 1000,
    });
    return { kind: 'new' };
  }

  async releaseIdempotent(tenant: string, key: string, fingerprint: string): Promise<void> {
    const id = `${tenant}\0${key}`;
    const entry = this.idempotency.get(id);
    if (entry?.state === 'pending' && entry.fingerprint === fingerprint) this.idempotency.delete(id);
  }

  async reserveSession(tenant: string, sessionId: string, maxSessions: number): Promise<boolean> {
    const now = this.nowMs();
    const tenantSessions = this.tenantSessions(tenant);
    for (const [id, s] of tenantSessions) if (s.lastMs + this.sessionTtlMs <= now) tenantSessions.delete(id);
    const existing = tenantSessions.get(sessionId);
    if (existing) {
      existing.lastMs = now;
      return true;
    }
    if (tenantSessions.size >= maxSessions) return false;
    tenantSessions.set(sessionId, { turns: [], lastMs: now });
    return true;
  }

  async appendTurn(
    tenant: string,
    sessionId: string,
    turn: NewTurn,
    idem?: IdempotencyRef,
  ): Promise<TurnRecord> {
    const now = this.nowMs();
    let session = this.live(tenant, sessionId);
    if (!session) {
      session = { turns: [], lastMs: now };
      this.tenantSessions(tenant).set(sessionId, session);
    }
    const record: TurnRecord = { turn: session.turns.length + 1, ...structuredClone(turn) };
    session.turns.push(record);
    session.lastMs = now;
    if (idem) {
      this.idempotency.set(`${tenant}\0${idem.key}`, {
        state: 'done',
        fingerprint: idem.fingerprint,
        expiresAtMs: now + idem.ttlSec * 1000,
        sessionId,
        record: structuredClone(record),
      });
    }
    return structuredClone(record);
  }

  async recentTurns(tenant: string, sessionId: string, maxTurns: number): Promise<TurnRecord[]> {
    return structuredClone(this.live(tenant, sessionId)?.turns.slice(-maxTurns) ?? []);
  }

  async getSession(tenant: string, sessionId: string): Promise<TurnRecord[] | null> {
    const session = this.live(tenant, sessionId);
    return session ? structuredClone(session.turns) : null;
  }

  async deleteSession(tenant: string, sessionId: string): Promise<boolean> {
    const existed = this.live(tenant, sessionId) !== undefined;
    this.tenantSessions(tenant).delete(sessionId);
    return existed;
  }

  async close(): Promise<void> {}

  private tenantSessions(tenant: string): Map<string, Session> {
    let map = this.sessions.get(tenant);
    if (!map) {
      map = new Map();
      this.sessions.set(tenant, map);
    }
    return map;
  }

  private live(tenant: string, sessionId: string): Session | undefined {
    const session = this.sessions.get(tenant)?.get(sessionId);
    return session && session.lastMs + this.sessionTtlMs > this.nowMs() ? session : undefined;
  }

  /** Drops expired idempotency records now and then, so memory stays bounded by the TTL. */
  private sweepIdempotency(now: number): void {
    if (++this.beginsSinceSweep < 1000) return;
    this.beginsSinceSweep = 0;
    for (const [id, entry] of this.idempotency) if (entry.expiresAtMs <= now) this.idempotency.delete(id);
  }
}
