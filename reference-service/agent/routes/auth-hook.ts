import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TenantConfig } from '../config.ts';
import { ApiError } from '../errors.ts';
import type { AgentRuntime } from '../runtime.ts';

const tenants = new WeakMap<FastifyRequest, TenantConfig>();

/**
 * onRequest hook for tenant routes: runs before the body is read, so an unauthenticated client
 * costs neither parsing nor quota. The draining check lives here too: while the replica shuts
 * down, new work is refused with 503 and `connection: close`.
 */
export function requireTenant(rt: AgentRuntime) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (rt.draining) {
      rt.metrics.shed.inc({ reason: 'draining' });
      reply.header('connection', 'close');
      throw new ApiError(503, 'shutting_down', 'this replica is shutting down; retry on another', {
        'retry-after': '1',
      });
    }
    const tenant = rt.authenticate(req.headers.authorization);
    if (!tenant) {
      throw new ApiError(401, 'unauthorized', 'send a valid API key as "Authorization: Bearer <key>"', {
        'www-authenticate': 'Bearer',
      });
    }
    tenants.set(req, tenant);
  };
}

/** The tenant the hook authenticated; throws if the route forgot the hook. */
requireTenant.of = (req: FastifyRequest): TenantConfig => {
  const tenant = tenants.get(req);
  if (!tenant) throw new Error('route is missing the requireTenant hook');
  return tenant;
};
