import { request } from 'undici';
import type { Tenant } from '../stack/types.ts';

/**
 * The client's ledger of acknowledged turns (docs/agent-protocol.md: a turn is acknowledged once
 * the final `done` event or a 200 JSON body arrived, and must then be in the session's history).
 * After the run, audit() reads GET /v1/sessions/{id} for every session with an acknowledged turn and
 * counts acknowledged user messages missing from the stored history: turns_lost, expected 0.
 * Matching is by message text as a multiset, so a turn stored twice does not hide one lost.
 */
export interface LedgerAudit {
  sessions: number;
  acknowledged: number;
  lost: number;
  /** Sessions whose history could not be read (5xx, network) after retries: their turns are unproven. */
  unverifiedSessions: number;
  /** Up to 20 sessions that lost turns or could not be read, for the log. */
  problems: { sessionId: string; expected: number; found: number | null; detail: string }[];
}

export interface AuditOptions {
  baseUrl: string;
  /** Sessions read at once. */
  concurrency?: number;
  timeoutMs?: number;
  attempts?: number;
  /** Waits between attempts; injected so tests need not sleep. */
  pause?: (ms: number) => Promise<void>;
}

interface Entry {
  tenant: Tenant;
  messages: string[];
}

export class SessionLedger {
  private readonly sessions = new Map<string, Entry>();
  private count = 0;

  acknowledge(sessionId: string, tenant: Tenant, userMessage: string): void {
    let entry = this.sessions.get(sessionId);
    if (!entry) {
      entry = { tenant, messages: [] };
      this.sessions.set(sessionId, entry);
    }
    entry.messages.push(userMessage);
    this.count++;
  }

  get acknowledged(): number {
    return this.count;
  }

  /** Lost turns, or null when some session could not be read (the claim "nothing lost" is then unproven). */
  static turnsLost(audit: LedgerAudit): number | null {
    return audit.unverifiedSessions > 0 ? null : audit.lost;
  }

  async audit(options: AuditOptions): Promise<LedgerAudit> {
    const result: LedgerAudit = {
      sessions: this.sessions.size,
      acknowledged: this.count,
      lost: 0,
      unverifiedSessions: 0,
      problems: [],
    };
    const queue = [...this.sessions.entries()];
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [sessionId, entry] = next;
        const stored = await readHistory(sessionId, entry.tenant, options);
        const problem = (found: number | null, detail: string) => {
          if (result.problems.length < 20) {
            result.problems.push({ sessionId, expected: entry.messages.length, found, detail });
          }
        };
        if (stored.kind === 'unreadable') {
          result.unverifiedSessions++;
          problem(null, stored.detail);
          continue;
        }
        const missing = missingMessages(entry.messages, stored.kind === 'absent' ? [] : stored.userMessages);
        if (missing > 0) {
          result.lost += missing;
          problem(
            entry.messages.length - missing,
            stored.kind === 'absent' ? 'session not found (404)' : `${missing} acknowledged turn(s) missing`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
    return result;
  }
}

/** Acknowledged messages not matched one-to-one by a stored one. */
export function missingMessages(acknowledged: readonly string[], stored: readonly string[]): number {
  const left = new Map<string, number>();
  for (const m of stored) left.set(m, (left.get(m) ?? 0) + 1);
  let missing = 0;
  for (const m of acknowledged) {
    const n = left.get(m) ?? 0;
    if (n > 0) left.set(m, n - 1);
    else missing++;
  }
  return missing;
}

type History =
  { kind: 'found'; userMessages: string[] } | { kind: 'absent' } | { kind: 'unreadable'; detail: string };

async function readHistory(sessionId: string, tenant: Tenant, options: AuditOptions): Promise<History> {
  const attempts = options.attempts ?? 3;
  const timeoutMs = options.timeoutMs ?? 5000;
  const pause = options.pause ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  const url = `${options.baseUrl.replace(/\/+$/, '')}/v1/sessions/${encodeURIComponent(sessionId)}`;
  let detail = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await request(url, {
        method: 'GET',
        headers: { authorization: `Bearer ${tenant.apiKey}` },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.body.text();
      if (res.statusCode === 404) return { kind: 'absent' };
      if (res.statusCode === 200) return parseHistory(text);
      detail = `GET ${url} answered ${res.statusCode}`;
    } catch (error) {
      detail = `GET ${url} failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (attempt < attempts) await pause(500 * attempt);
  }
  return { kind: 'unreadable', detail };
}

function parseHistory(text: string): History {
  try {
    const body = JSON.parse(text) as { turns?: { user?: unknown }[] };
    if (!Array.isArray(body.turns)) return { kind: 'unreadable', detail: 'history has no `turns` array' };
    return { kind: 'found', userMessages: body.turns.map((t) => (typeof t.user === 'string' ? t.user : '')) };
  } catch {
    return { kind: 'unreadable', detail: 'history is not JSON' };
  }
}
