/** Small client for the agent's turn protocol (docs/agent-protocol.md), for the stack tests. */
export interface TurnReply {
  status: number;
  replica: string | null;
  body: Record<string, unknown>;
}

function headers(apiKey: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...extra };
}

export async function sendTurn(
  baseUrl: string,
  apiKey: string,
  sessionId: string,
  message: string,
  options: { maxTokens?: number; idempotencyKey?: string; timeoutMs?: number } = {},
): Promise<TurnReply> {
  const response = await fetch(`${baseUrl}/v1/sessions/${sessionId}/turns`, {
    method: 'POST',
    headers: headers(apiKey, options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
    body: JSON.stringify({ message, max_tokens: options.maxTokens ?? 16 }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: response.status, replica: response.headers.get('x-agentload-replica'), body };
}

export interface StreamOutcome {
  status: number;
  replica: string | null;
  /** The `done` event arrived: the turn is acknowledged. */
  done: boolean;
  /** The stream broke (connection reset) or sent an error event. */
  error: string | null;
  contentChunks: number;
  finishedAtMs: number;
}

/** A streaming turn; `firstToken` resolves when the first content chunk arrives. */
export function streamTurn(
  baseUrl: string,
  apiKey: string,
  sessionId: string,
  message: string,
  maxTokens = 64,
): { firstToken: Promise<{ replica: string | null }>; outcome: Promise<StreamOutcome> } {
  let markFirst: (v: { replica: string | null }) => void = () => {};
  let failFirst: (e: unknown) => void = () => {};
  const firstToken = new Promise<{ replica: string | null }>((resolve, reject) => {
    markFirst = resolve;
    failFirst = reject;
  });
  const outcome = (async (): Promise<StreamOutcome> => {
    const result: StreamOutcome = {
      status: 0,
      replica: null,
      done: false,
      error: null,
      contentChunks: 0,
      finishedAtMs: 0,
    };
    try {
      const response = await fetch(`${baseUrl}/v1/sessions/${sessionId}/turns`, {
        method: 'POST',
        headers: headers(apiKey),
        body: JSON.stringify({ message, max_tokens: maxTokens, stream: true }),
        signal: AbortSignal.timeout(60_000),
      });
      result.status = response.status;
      result.replica = response.headers.get('x-agentload-replica');
      if (response.status !== 200 || response.body === null) {
        result.error = `status ${response.status}: ${await response.text()}`;
        failFirst(new Error(result.error));
        return result;
      }
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (event.startsWith('event: done')) result.done = true;
          else if (event.startsWith('event: error')) result.error = event;
          else if (event.includes('chat.completion.chunk')) {
            result.contentChunks += 1;
            if (result.contentChunks === 1) markFirst({ replica: result.replica });
          }
        }
      }
    } catch (error) {
      result.error = (error as Error).message;
      failFirst(error);
    }
    if (result.contentChunks === 0) failFirst(new Error(result.error ?? 'the stream ended without content'));
    result.finishedAtMs = Date.now();
    return result;
  })();
  firstToken.catch(() => undefined);
  return { firstToken, outcome };
}

export async function getSession(
  baseUrl: string,
  apiKey: string,
  sessionId: string,
): Promise<{ status: number; turns: { turn: number; user: string; assistant: string }[] }> {
  const response = await fetch(`${baseUrl}/v1/sessions/${sessionId}`, {
    headers: { authorization: `Bearer ${apiKey}` },
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { turns?: { turn: number; user: string; assistant: string }[] };
  return { status: response.status, turns: body.turns ?? [] };
}

/** Sets a model server's faults through its admin API (e.g. latencyMultiplier to keep streams long). */
export async function setModelFaults(
  modelUrl: string,
  adminToken: string,
  patch: Record<string, unknown>,
): Promise<void> {
  const response = await fetch(`${modelUrl}/admin/faults`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  });
  if (response.status !== 200) throw new Error(`model faults: ${response.status} ${await response.text()}`);
}

/** Server status in HAProxy's stats CSV (`UP`, `DOWN`, `MAINT`, `no check`...), by backend/server. */
export async function haproxyServerStatus(statsUrl: string): Promise<Record<string, string>> {
  const csv = await (await fetch(`${statsUrl};csv`)).text();
  const statuses: Record<string, string> = {};
  for (const line of csv.split('\n')) {
    const fields = line.split(',');
    if (fields.length < 18 || line.startsWith('#')) continue;
    const [backend, server] = fields;
    if (server === 'FRONTEND' || server === 'BACKEND') continue;
    statuses[`${backend}/${server}`] = fields[17]!;
  }
  return statuses;
}
