/**
 * A client-side ledger of acknowledged turns, for outage cases: workers send turns (one session
 * each, one turn at a time) with an Idempotency-Key per logical turn, retry that key until it is
 * answered 200, and write down every acknowledged turn. Comparing the ledger with the sessions
 * afterwards counts acknowledged turns the store lost, and turns stored twice.
 */
export interface LedgerEntry {
  session: string;
  user: string;
  turn: number;
  assistant: string;
  ackedAtMs: number;
}

export interface LedgerLoad {
  readonly entries: LedgerEntry[];
  /** Non-200 answers (or network errors) seen while retrying, by status or error name. */
  readonly retries: Map<string, number>;
  /** Stops after the turns in flight; resolves when every worker has returned. */
  stop(): Promise<void>;
}

export interface LedgerOptions {
  baseUrl: string;
  apiKey: string;
  sessions: string[];
  maxTokens?: number;
}

export function startLedgerLoad(options: LedgerOptions): LedgerLoad {
  const entries: LedgerEntry[] = [];
  const retries = new Map<string, number>();
  let stopping = false;
  const count = (what: string): void => void retries.set(what, (retries.get(what) ?? 0) + 1);
  const worker = async (session: string): Promise<void> => {
    for (let n = 0; !stopping; n++) {
      const user = `ledger ${session} #${n}`;
      while (!stopping) {
        try {
          const res = await fetch(`${options.baseUrl}/v1/sessions/${session}/turns`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${options.apiKey}`,
              'content-type': 'application/json',
              'idempotency-key': `${session}-${n}`,
            },
            body: JSON.stringify({ message: user, max_tokens: options.maxTokens ?? 4 }),
            signal: AbortSignal.timeout(15_000),
          });
          const body = (await res.json()) as { turn?: number; message?: { content: string } };
          if (res.status === 200) {
            entries.push({
              session,
              user,
              turn: body.turn!,
              assistant: body.message!.content,
              ackedAtMs: performance.now(),
            });
            break;
          }
          count(String(res.status));
        } catch (error) {
          count((error as Error).name);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const running = Promise.all(options.sessions.map(worker));
  return {
    entries,
    retries,
    stop: async () => {
      stopping = true;
      await running;
    },
  };
}

export interface LedgerAudit {
  acknowledged: number;
  /** Acknowledged turns missing from their session. */
  lost: LedgerEntry[];
  /** User messages stored more than once (a retried turn stored twice). */
  duplicates: number;
}

/** Compares the ledger with each session's stored turns (read through `turnsOf`). */
export async function auditLedger(
  entries: readonly LedgerEntry[],
  turnsOf: (session: string) => Promise<{ user: string; assistant: string }[]>,
): Promise<LedgerAudit> {
  const sessions = [...new Set(entries.map((e) => e.session))];
  const stored = new Map<string, { user: string; assistant: string }[]>();
  for (const s of sessions) stored.set(s, await turnsOf(s));
  const lost = entries.filter(
    (e) => !stored.get(e.session)!.some((t) => t.user === e.user && t.assistant === e.assistant),
  );
  let duplicates = 0;
  for (const turns of stored.values()) {
    const users = turns.map((t) => t.user);
    duplicates += users.length - new Set(users).size;
  }
  return { acknowledged: entries.length, lost, duplicates };
}

/** GET /v1/sessions/{id} turns, [] when the session is gone. */
export async function sessionTurns(
  baseUrl: string,
  apiKey: string,
  session: string,
): Promise<{ user: string; assistant: string }[]> {
  const res = await fetch(`${baseUrl}/v1/sessions/${session}`, {
    headers: { authorization: `Bearer ${apiKey}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status === 404) return [];
  if (res.status !== 200) throw new Error(`GET session ${session}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { turns: { user: string; assistant: string }[] }).turns;
}
