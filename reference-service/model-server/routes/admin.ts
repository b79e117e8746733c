import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { InvalidConfigError, zodIssues } from '../../../harness/errors.ts';
import { readJsonBody, sendJson } from '../http-io.ts';
import type { RouteContext } from './context.ts';

/**
 * The fault admin API (not part of TGI), present only when the server has an admin token:
 *   GET  /admin/faults          -> 200 FaultState
 *   POST /admin/faults          {errorRate?, latencyMultiplier?, hang?, malformedToolCallRate?} -> 200 FaultState
 *   POST /admin/faults/reset    -> 200 FaultState (all neutral)
 *   POST /admin/faults/crash    -> 202, then the server dies (CLI: the process exits)
 *   POST /admin/faults/restart  {loadTimeSec?} -> 202, then crash + cold start on the same port
 * Every call needs `Authorization: Bearer <admin token>`; otherwise 401.
 */

const restartSchema = z.object({ loadTimeSec: z.number().min(0).finite().optional() }).strict();

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function adminError(
  res: ServerResponse,
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  sendJson(res, status, { error: message, error_type: 'admin', ...extra });
}

/** Empty bodies are allowed (no patch); anything else must be JSON. */
async function readOptionalJson(req: IncomingMessage, res: ServerResponse, limit: number): Promise<unknown> {
  if (!req.headers['content-type'] && Number(req.headers['content-length'] ?? 0) === 0) {
    req.resume();
    return {};
  }
  const body = await readJsonBody(req, limit);
  if (body.ok) return body.value;
  adminError(res, body.status, body.text);
  return undefined;
}

function sendInvalid(res: ServerResponse, error: unknown): void {
  if (error instanceof InvalidConfigError) {
    adminError(res, 400, error.message, { code: error.code, hint: error.hint, issues: error.issues });
    return;
  }
  throw error;
}

export async function handleAdmin(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  action: 'get' | 'set' | 'reset' | 'crash' | 'restart',
): Promise<void> {
  const token = ctx.config.adminToken;
  if (!token || !authorized(req, token)) {
    req.resume();
    return adminError(res, 401, 'a valid `Authorization: Bearer <admin token>` header is required', {
      hint: 'start the server with --admin-token and send that token',
    });
  }
  const faults = ctx.faultApi;
  if (action === 'get') return sendJson(res, 200, faults.state());
  if (action === 'reset') return sendJson(res, 200, faults.reset());
  const body = await readOptionalJson(req, res, ctx.config.payloadLimitBytes);
  if (body === undefined) return;
  if (action === 'set') {
    try {
      return sendJson(res, 200, faults.set(body as Record<string, unknown>));
    } catch (error) {
      return sendInvalid(res, error);
    }
  }
  if (action === 'crash') {
    sendJson(res, 202, { accepted: 'crash' });
    res.once('finish', () => setImmediate(() => faults.crash()));
    return;
  }
  const parsed = restartSchema.safeParse(body);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    return adminError(res, 400, 'invalid restart options', { issues });
  }
  sendJson(res, 202, { accepted: 'restart', loadTimeSec: parsed.data.loadTimeSec ?? ctx.config.loadTimeSec });
  res.once('finish', () => setImmediate(() => void faults.restart(parsed.data).catch(() => undefined)));
}
