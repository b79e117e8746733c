import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';
import type { AgentRuntime } from '../runtime.ts';
import { requireTenant } from './auth-hook.ts';
import { deleteSessionSchema, getSessionSchema } from './schemas.ts';

/** Session ids are looked up under the caller's tenant only: another tenant's id is simply not found (404). */
export function registerSessionRoutes(app: FastifyInstance, rt: AgentRuntime): void {
  const onRequest = requireTenant(rt);
  app.get('/v1/sessions/:sessionId', { schema: getSessionSchema, onRequest }, async (req) => {
    const { sessionId } = req.params as { sessionId: string };
    const turns = await rt.store.getSession(requireTenant.of(req).name, sessionId);
    if (turns === null) throw notFound();
    return { sessionId, turns };
  });
  app.delete('/v1/sessions/:sessionId', { schema: deleteSessionSchema, onRequest }, async (req, reply) => {
    const { sessionId } = req.params as { sessionId: string };
    if (!(await rt.store.deleteSession(requireTenant.of(req).name, sessionId))) throw notFound();
    return reply.code(204).send();
  });
}

function notFound(): ApiError {
  return new ApiError(404, 'session_not_found', 'no such session');
}
