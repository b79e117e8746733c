import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestPath, sendEmpty, sendJson } from './http-io.ts';
import { handleAdmin } from './routes/admin.ts';
import { handleChat } from './routes/chat.ts';
import { handleCompletions } from './routes/completions.ts';
import type { RouteContext, RouteHandler } from './routes/context.ts';
import { handleGenerate, handleGenerateStream } from './routes/generate.ts';
import { handleHealth, handleInfo, handleMetrics, handleModels, handleTokenize } from './routes/info.ts';

/** TGI's routes (router/src/server.rs) plus, with an admin token, the fault API. Keyed "METHOD path". */
const tgiRoutes: Record<string, RouteHandler> = {
  'POST /': (ctx, req, res) => handleGenerate(ctx, req, res, true),
  'POST /generate': (ctx, req, res) => handleGenerate(ctx, req, res, false),
  'POST /generate_stream': handleGenerateStream,
  'POST /v1/chat/completions': handleChat,
  'POST /v1/completions': handleCompletions,
  'POST /tokenize': handleTokenize,
  'GET /': handleHealth,
  'GET /health': handleHealth,
  'GET /ping': handleHealth,
  'GET /info': handleInfo,
  'GET /v1/models': handleModels,
  'GET /metrics': handleMetrics,
};

const adminRoutes: Record<string, RouteHandler> = {
  'GET /admin/faults': (ctx, req, res) => handleAdmin(ctx, req, res, 'get'),
  'POST /admin/faults': (ctx, req, res) => handleAdmin(ctx, req, res, 'set'),
  'POST /admin/faults/reset': (ctx, req, res) => handleAdmin(ctx, req, res, 'reset'),
  'POST /admin/faults/crash': (ctx, req, res) => handleAdmin(ctx, req, res, 'crash'),
  'POST /admin/faults/restart': (ctx, req, res) => handleAdmin(ctx, req, res, 'restart'),
};

export function createRouter(
  adminEnabled: boolean,
  log: (event: Record<string, unknown>) => void,
): (ctx: RouteContext, req: IncomingMessage, res: ServerResponse) => void {
  const routes = adminEnabled ? { ...tgiRoutes, ...adminRoutes } : tgiRoutes;
  const methodsByPath = new Map<string, string[]>();
  for (const key of Object.keys(routes)) {
    const [method, path] = key.split(' ') as [string, string];
    methodsByPath.set(path, [...(methodsByPath.get(path) ?? []), method]);
  }
  return (ctx, req, res) => {
    const requestId = req.headers['x-request-id'];
    res.setHeader(
      'x-request-id',
      typeof requestId === 'string' && requestId.length > 0 ? requestId : randomUUID(),
    );
    const path = requestPath(req);
    const handler = routes[`${req.method} ${path}`];
    if (!handler) {
      req.resume();
      const allowed = methodsByPath.get(path);
      return allowed ? sendEmpty(res, 405, { allow: allowed.join(', ') }) : sendEmpty(res, 404);
    }
    Promise.resolve()
      .then(() => handler(ctx, req, res))
      .catch((error: unknown) => {
        log({ event: 'error', path, message: (error as Error).message, stack: (error as Error).stack });
        if (!res.headersSent)
          sendJson(res, 500, { error: 'internal simulator error', error_type: 'internal' });
        else res.destroy();
      });
  };
}
