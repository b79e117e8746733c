import Fastify, { type FastifyInstance } from 'fastify';

export interface FakeAgent {
  url: string;
  app: FastifyInstance;
  /** Turns stored per session (user messages). */
  sessions: Map<string, string[]>;
  close(): Promise<void>;
}

/**
 * A minimal agent speaking docs/agent-protocol.md: streamed turns (a few content chunks, then
 * `done` and [DONE]) and GET /v1/sessions/{id}. `forget(n)` makes it acknowledge the n-th turn
 * without storing it, to prove the ledger notices.
 */
export async function startFakeAgent(
  options: { tokenDelayMs?: number; forgetTurn?: number } = {},
): Promise<FakeAgent> {
  const app = Fastify();
  const sessions = new Map<string, string[]>();
  let turnCount = 0;
  app.post<{ Params: { id: string }; Body: { message: string; max_tokens?: number } }>(
    '/v1/sessions/:id/turns',
    async (req, reply) => {
      if (req.headers.authorization !== 'Bearer key-1')
        return reply.code(401).send({ error: { code: 'unauthorized', message: 'no' } });
      turnCount++;
      const turns = sessions.get(req.params.id) ?? [];
      if (turnCount !== options.forgetTurn) turns.push(req.body.message);
      sessions.set(req.params.id, turns);
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'x-agentload-replica': 'agent-0' });
      const tokens = Math.min(4, req.body.max_tokens ?? 4);
      for (let i = 0; i < tokens; i++) {
        await new Promise((r) => setTimeout(r, options.tokenDelayMs ?? 5));
        const chunk = {
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta: { content: ` w${i}` }, finish_reason: null }],
        };
        reply.raw.write(`data: ${JSON.stringify(chunk)}\n\n`);
      }
      const done = {
        object: 'agent.turn',
        sessionId: req.params.id,
        turn: turns.length,
        usage: { prompt_tokens: 10, completion_tokens: tokens, total_tokens: 10 + tokens },
        toolSteps: [],
        degraded: false,
        finishReason: 'stop',
      };
      reply.raw.write(`event: done\ndata: ${JSON.stringify(done)}\n\ndata: [DONE]\n\n`);
      reply.raw.end();
      return reply;
    },
  );
  app.get<{ Params: { id: string } }>('/v1/sessions/:id', async (req, reply) => {
    const turns = sessions.get(req.params.id);
    if (!turns) return reply.code(404).send({ error: { code: 'not_found', message: 'no session' } });
    return {
      sessionId: req.params.id,
      turns: turns.map((user, i) => ({ turn: i + 1, user, assistant: 'x', degraded: false, at: '' })),
    };
  });
  app.get('/metrics', async (_req, reply) => reply.type('text/plain').send('agent_in_flight_requests 2\n'));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, app, sessions, close: () => app.close() };
}
