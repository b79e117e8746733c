import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { mulberry32 } from '../../harness/engine/rng.ts';
import { createAuthenticator } from './auth.ts';
import type { AgentConfig } from './config.ts';
import { ApiError, errorBody } from './errors.ts';
import { createAgentLogger } from './logging.ts';
import { createAgentMetrics } from './metrics.ts';
import { ModelClient } from './model-client.ts';
import type { CollectedRoute } from './openapi.ts';
import { CircuitBreaker } from './resilience/breaker.ts';
import { InFlightLimiter } from './resilience/in-flight.ts';
import { logFailure, toApiError } from './routes/error-mapping.ts';
import { registerOpsRoutes } from './routes/ops.ts';
import { registerSessionRoutes } from './routes/sessions.ts';
import { registerTurnRoute } from './routes/turns.ts';
import { cachedModelProbe, type AgentRuntime } from './runtime.ts';
import type { StateStore } from './store/types.ts';
import { ToolsClient } from './tools-client.ts';

export interface AgentDeps {
  /** Parsed and frozen (parseAgentConfig). */
  config: AgentConfig;
  store: StateStore;
  /** Names this replica in `x-agentload-replica`, logs and metrics. Default 'agent-0'. */
  replicaId?: string;
  /** A pino logger; default: one built by createAgentLogger (redacting) writing to `logStream` or stderr. */
  logger?: Logger;
  logStream?: DestinationStream;
  logLevel?: string;
  /** Clock for the breaker (tests drive it by hand). */
  nowMs?: () => number;
  /** Seeds retry jitter. Default 1. */
  seed?: number;
  /** Also export process metrics (CPU, memory, event-loop lag). Default false (tests build many apps). */
  processMetrics?: boolean;
}

export interface AgentApp {
  app: FastifyInstance;
  runtime: AgentRuntime;
  /**
   * Graceful shutdown: readiness fails and new turns get 503 at once; turns in flight may finish
   * for `graceMs` (default config.timeouts.shutdownGraceMs), then are cut with an error event;
   * then the server closes. Does not close the store (its owner does).
   */
  shutdown(graceMs?: number): Promise<void>;
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildAgentApp(deps: AgentDeps): Promise<AgentApp> {
  const { config } = deps;
  const replicaId = deps.replicaId ?? 'agent-0';
  const logger =
    deps.logger ?? createAgentLogger({ replicaId, level: deps.logLevel, stream: deps.logStream });
  const runtime = createRuntime(deps, replicaId, logger);
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per failed turn is enough; per-request lines would cost more than the turn at 64 streams.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.caps.bodyLimitBytes,
    requestTimeout: 30_000,
    // close() runs only after the turns in flight have drained (shutdown below), so whatever
    // connections remain are idle or fresh and can be cut rather than waited for.
    forceCloseConnections: true,
    requestIdHeader: false,
    // Above the 128 characters the session-id schema allows, so the schema (400) decides, not the router.
    routerOptions: { maxParamLength: 256 },
    // Bad percent-encoding or an over-long id (Fastify: 400 / 414): answered by the router before
    // any hook, so here, as the protocol's 400 invalid_request (Fastify's own body has another
    // shape and no request id).
    frameworkErrors: (_error, req, reply) =>
      (reply as FastifyReply)
        .code(400)
        .headers({
          'x-request-id': req.id,
          'x-agentload-replica': replicaId,
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        })
        .send(
          errorBody(
            'invalid_request',
            'the URL is not valid: check the session id (1-128 of A-Z a-z 0-9 . _ : -)',
          ),
        ),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  // JSON only: any other body type is 415 (Fastify would otherwise parse text/plain).
  app.removeContentTypeParser('text/plain');
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route) => {
    routes.push({
      method: route.method,
      url: route.url,
      schema: route.schema as Record<string, unknown> | undefined,
    });
  });
  addCommonHooks(app, runtime);
  registerTurnRoute(app, runtime);
  registerSessionRoutes(app, runtime);
  registerOpsRoutes(app, runtime, routes);
  await app.ready();
  return {
    app,
    runtime,
    shutdown: (graceMs) => shutdown(app, runtime, graceMs ?? config.timeouts.shutdownGraceMs),
  };
}

function createRuntime(deps: AgentDeps, replicaId: string, logger: Logger): AgentRuntime {
  const { config } = deps;
  const metrics = createAgentMetrics({ replicaId, processMetrics: deps.processMetrics });
  const breaker = new CircuitBreaker({
    ...config.breaker,
    nowMs: deps.nowMs,
    onStateChange: (state) => {
      metrics.setBreakerState(state);
      logger.warn({ state }, 'model circuit breaker changed state');
    },
  });
  const model = new ModelClient(config.model.baseUrl, config.model.name, {
    firstTokenMs: config.timeouts.modelFirstTokenMs,
    idleMs: config.timeouts.modelIdleMs,
    totalMs: config.timeouts.modelTotalMs,
  });
  const tools = config.tools.baseUrl
    ? new ToolsClient({
        baseUrl: config.tools.baseUrl,
        timeoutMs: config.timeouts.toolMs,
        allow: config.tools.allow,
        resultMaxChars: config.caps.toolResultMaxChars,
      })
    : null;
  return {
    config,
    store: deps.store,
    replicaId,
    logger,
    metrics,
    breaker,
    inFlight: new InFlightLimiter(config.caps.maxInFlight),
    authenticate: createAuthenticator(config.tenants),
    shutdown: new AbortController(),
    draining: false,
    modelReachable: cachedModelProbe(config.model.baseUrl, config.timeouts.modelHealthMs),
    loop: {
      model,
      tools,
      breaker,
      retry: config.retry,
      random: mulberry32(deps.seed ?? 1),
      metrics,
      logger,
      maxToolIterations: config.caps.maxToolIterations,
      fallbackMessage: config.model.fallbackMessage,
    },
  };
}

function addCommonHooks(app: FastifyInstance, rt: AgentRuntime): void {
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('x-agentload-replica', rt.replicaId);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', 'no-store');
    reply.raw.once('close', () => {
      const route = req.routeOptions.url ?? 'unmatched';
      rt.metrics.requestDuration.observe(
        { method: req.method, route, status_code: String(reply.raw.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
  });
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const apiError = fastifyError(error) ?? toApiError(error, req.id, rt.shutdown.signal.aborted);
    // An ApiError is a deliberate answer (a failed turn logged it already, a shed one is not news).
    if (apiError.statusCode >= 500 && !(error instanceof ApiError)) logFailure(req, apiError.code, error);
    return reply
      .code(apiError.statusCode)
      .headers(apiError.headers)
      .send(errorBody(apiError.code, apiError.message));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );
}

/** Fastify's own errors (validation, body size, content type, bad JSON) in the protocol's error shape. */
function fastifyError(error: FastifyError): ApiError | null {
  if (error instanceof ApiError) return null;
  if (error.validation) return new ApiError(400, 'invalid_request', error.message);
  const status = error.statusCode ?? 500;
  if (status === 413) return new ApiError(413, 'payload_too_large', 'request body is too large');
  if (status === 415) return new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
  if (status >= 400 && status < 500) return new ApiError(status, 'invalid_request', error.message);
  return null;
}

async function shutdown(app: FastifyInstance, rt: AgentRuntime, graceMs: number): Promise<void> {
  rt.draining = true;
  const timer = setTimeout(() => rt.shutdown.abort(new Error('shutdown grace period over')), graceMs);
  await rt.inFlight.idle();
  clearTimeout(timer);
  await app.close();
}
