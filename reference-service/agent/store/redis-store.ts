import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { scripts, type ScriptName } from './redis-scripts.ts';
import { admitResult } from './token-bucket.ts';
import {
  StoreUnavailableError,
  type AdmitResult,
  type BucketLimits,
  type IdempotencyBegin,
  type IdempotencyRef,
  type NewTurn,
  type StateStore,
  type StateStoreOptions,
  type TurnRecord,
} from './types.ts';

export interface RedisStoreOptions extends StateStoreOptions {
  url: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** Called on connection errors (ioredis emits them while it reconnects); default: ignore. */
  onError?: (error: Error) => void;
}

/**
 * Redis-backed state. Failing fast is the point: no offline queue (commands sent while
 * disconnected fail at once), short connect/command timeouts and one retry, so a Redis outage
 * becomes a quick 503 rather than a hang. ioredis keeps reconnecting in the background.
 */
export class RedisStateStore implements StateStore {
  readonly kind = 'redis' as const;
  readonly redis: Redis;
  private readonly sessionTtlSec: number;

  constructor(options: RedisStoreOptions) {
    this.sessionTtlSec = options.sessionTtlSec;
    this.redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      connectTimeout: options.connectTimeoutMs,
      commandTimeout: options.commandTimeoutMs,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
    });
    this.redis.on('error', (error: Error) => options.onError?.(error));
    for (const [name, script] of Object.entries(scripts)) {
      this.redis.defineCommand(name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
    }
  }

  /** Starts connecting; resolves either way (the service starts while Redis is down and reports not-ready). */
  async connect(): Promise<void> {
    await this.redis.connect().catch(() => undefined);
  }

  async ping(): Promise<void> {
    await this.guard(() => this.redis.ping());
  }

  async admit(tenant: string, limits: BucketLimits, tokens: number): Promise<AdmitResult> {
    const [allowed, reqUnits, tokUnits] = (await this.run(
      'alAdmit',
      [key(tenant, 'rl:req'), key(tenant, 'rl:tok')],
      [limits.requestsPerMin, limits.tokensPerMin, tokens],
    )) as [number, string, string];
    return admitResult(allowed === 1, Number(reqUnits), Number(tokUnits), limits, tokens);
  }

  async settleTokens(tenant: string, limits: BucketLimits, deltaTokens: number): Promise<void> {
    await this.run('alSettle', [key(tenant, 'rl:tok')], [limits.tokensPerMin, deltaTokens]);
  }

  async beginIdempotent(
    tenant: string,
    ref: IdempotencyRef,
    pendingTtlSec: number,
  ): Promise<IdempotencyBegin> {
    const reply = (await this.run(
      'alIdemBegin',
      [idemKey(tenant, ref.key)],
      [ref.fingerprint, pendingTtlSec],
    )) as string[];
    const kind = reply[0];
    if (kind === 'replay') return { kind, sessionId: reply[1]!, record: JSON.parse(reply[2]!) as TurnRecord };
    if (kind === 'new' || kind === 'in_flight' || kind === 'mismatch') return { kind };
    throw new StoreUnavailableError(`unexpected idempotency reply ${JSON.stringify(reply)}`);
  }

  async releaseIdempotent(tenant: string, idempotencyKey: string, fingerprint: string): Promise<void> {
    await this.run('alIdemRelease', [idemKey(tenant, idempotencyKey)], [fingerprint]);
  }

  async reserveSession(tenant: string, sessionId: string, maxSessions: number): Promise<boolean> {
    return (
      (await this.run(
        'alReserve',
        [key(tenant, 'sessions')],
        [sessionId, maxSessions, this.sessionTtlSec],
      )) === 1
    );
  }

  async appendTurn(
    tenant: string,
    sessionId: string,
    turn: NewTurn,
    idem?: IdempotencyRef,
  ): Promise<TurnRecord> {
    const keys = [
      turnsKey(tenant, sessionId),
      key(tenant, 'sessions'),
      idem ? idemKey(tenant, idem.key) : key(tenant, 'i:-'),
    ];
    const args = [
      sessionId,
      this.sessionTtlSec,
      JSON.stringify(turn),
      idem?.fingerprint ?? '',
      idem?.ttlSec ?? 0,
    ];
    return JSON.parse((await this.run('alAppend', keys, args)) as string) as TurnRecord;
  }

  async recentTurns(tenant: string, sessionId: string, maxTurns: number): Promise<TurnRecord[]> {
    const rows = await this.guard(() => this.redis.lrange(turnsKey(tenant, sessionId), -maxTurns, -1));
    return rows.map((r) => JSON.parse(r) as TurnRecord);
  }

  async getSession(tenant: string, sessionId: string): Promise<TurnRecord[] | null> {
    const rows = (await this.run(
      'alGetSession',
      [key(tenant, 'sessions'), turnsKey(tenant, sessionId)],
      [sessionId, this.sessionTtlSec],
    )) as string[] | null;
    return rows === null ? null : rows.map((r) => JSON.parse(r) as TurnRecord);
  }

  async deleteSession(tenant: string, sessionId: string): Promise<boolean> {
    return (
      (await this.run('alDelete', [key(tenant, 'sessions'), turnsKey(tenant, sessionId)], [sessionId])) === 1
    );
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private run(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    const fn = (this.redis as unknown as Record<ScriptName, (...a: (string | number)[]) => Promise<unknown>>)[
      name
    ];
    return this.guard(() => fn.call(this.redis, ...keys, ...args));
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new StoreUnavailableError(`redis: ${(error as Error).message}`, { cause: error });
    }
  }
}

function key(tenant: string, suffix: string): string {
  return `{al:${tenant}}:${suffix}`;
}

function turnsKey(tenant: string, sessionId: string): string {
  return key(tenant, `s:${sessionId}`);
}

/** Client keys are hashed: any bytes are safe, and the key text itself is never stored. */
function idemKey(tenant: string, idempotencyKey: string): string {
  return key(tenant, `i:${createHash('sha256').update(idempotencyKey).digest('hex')}`);
}
