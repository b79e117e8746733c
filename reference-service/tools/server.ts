import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerAdminRoutes } from './admin.ts';
import type { ToolFaults } from './faults.ts';
import { findTool, toolSpecs } from './handlers/index.ts';
import type { LatencyModel } from './latency-model.ts';
import type { ToolsMetrics } from './metrics.ts';
import type { ToolsServiceOptions } from './options.ts';

export interface ToolsAppDeps {
  options: ToolsServiceOptions;
  faults: ToolFaults;
  latency: LatencyModel;
  metrics: ToolsMetrics;
}

export function errorBody(code: string, message: string, extra: Record<string, unknown> = {}) {
  return { error: { code, message, ...extra } };
}

/** Waits `ms`, or less when `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** Aborts when the client goes away before its response is written, or when the server closes. */
function requestSignal(reply: FastifyReply, serverSignal: AbortSignal): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return AbortSignal.any([controller.signal, serverSignal]);
}

type CallRequest = FastifyRequest<{ Params: { name: string } }>;

/** POST /tools/{name}: 404, 400, then the faults (hang, reset, error) around the modelled latency. */
function toolCallHandler(deps: ToolsAppDeps, closing: AbortSignal) {
  const { faults, latency, metrics } = deps;
  const names = Object.keys(toolSpecs).join(', ');
  return async (request: CallRequest, reply: FastifyReply) => {
    const { name } = request.params;
    const tool = findTool(name);
    if (tool === undefined) {
      return reply.code(404).send(errorBody('unknown_tool', `no tool named "${name}"; available: ${names}`));
    }
    const args: unknown = request.body ?? {};
    const outcome =
      typeof args === 'object' && args !== null && !Array.isArray(args)
        ? tool.call(args)
        : { ok: false as const, issues: ['(arguments): must be a JSON object'] };
    if (!outcome.ok) {
      metrics.calls.inc({ tool: name, outcome: 'bad_arguments' });
      const message = `${name}: invalid arguments: ${outcome.issues.join('; ')}`;
      return reply.code(400).send(errorBody('invalid_arguments', message, { issues: outcome.issues }));
    }
    const startMs = performance.now();
    metrics.inFlight.inc();
    try {
      const signal = requestSignal(reply, closing);
      if (faults.isHanging(name)) await faults.waitWhileHanging(name, signal);
      const action = signal.aborted ? 'none' : faults.decide(name);
      if (action !== 'reset') {
        await sleep(latency.drawMs(name, tool.latency) * faults.latencyMultiplierFor(name), signal);
      }
      if (action === 'reset' || signal.aborted) {
        metrics.calls.inc({ tool: name, outcome: action === 'reset' ? 'injected_reset' : 'aborted' });
        reply.hijack();
        if (!request.raw.socket.destroyed) request.raw.socket.resetAndDestroy();
        return reply;
      }
      metrics.durationSec.observe({ tool: name }, (performance.now() - startMs) / 1000);
      if (action === 'error') {
        metrics.calls.inc({ tool: name, outcome: 'injected_error' });
        const message = `${name}: injected failure (fault errorRate)`;
        return reply.code(500).send(errorBody('injected_fault', message));
      }
      metrics.calls.inc({ tool: name, outcome: 'ok' });
      return { result: outcome.result };
    } finally {
      metrics.inFlight.dec();
    }
  };
}

export function buildToolsApp(deps: ToolsAppDeps): FastifyInstance {
  const { metrics } = deps;
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 64 * 1024 });
  const closing = new AbortController();
  app.addHook('onClose', async () => closing.abort());
  const definitions = Object.values(toolSpecs).map((t) => t.definition);

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    void reply.code(status).send(errorBody(status === 500 ? 'internal' : 'bad_request', error.message));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody('not_found', `no route ${request.method} ${request.url}`));
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => {
    void reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/tools', async () => definitions);
  app.post('/tools/:name', toolCallHandler(deps, closing.signal));

  if (deps.options.adminToken !== undefined) registerAdminRoutes(app, deps.options.adminToken, deps.faults);
  return app;
}
