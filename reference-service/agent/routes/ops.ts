import type { FastifyInstance, FastifySchema } from 'fastify';
import { buildOpenApi, type CollectedRoute } from '../openapi.ts';
import type { AgentRuntime } from '../runtime.ts';
import { healthzSchema, metricsSchema, openapiSchema, readyzSchema } from './schemas.ts';

/**
 * Liveness never depends on Redis or the model (a dependency outage must not restart the pods);
 * readiness does, and fails as soon as shutdown starts so the balancer stops sending turns.
 */
export function registerOpsRoutes(
  app: FastifyInstance,
  rt: AgentRuntime,
  routes: readonly CollectedRoute[],
): void {
  app.get('/healthz', { schema: healthzSchema }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: readyzSchema }, async (_req, reply) => {
    const [storeOk, modelOk] = await Promise.all([
      rt.store.ping().then(
        () => true,
        () => false,
      ),
      rt.modelReachable(),
    ]);
    const checks = {
      store: storeOk ? 'ok' : 'unavailable',
      model: modelOk ? 'ok' : 'unavailable',
      breaker: rt.breaker.state,
      draining: rt.draining ? 'yes' : 'no',
    };
    const ready = storeOk && modelOk && !rt.draining;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });

  app.get('/metrics', { schema: metricsSchema as FastifySchema }, async (_req, reply) => {
    const text = await rt.metrics.registry.metrics();
    return reply.type(rt.metrics.registry.contentType).send(text);
  });

  let doc: unknown = null;
  app.get(
    '/openapi.json',
    { schema: openapiSchema as FastifySchema },
    async () => (doc ??= buildOpenApi(routes)),
  );
}
