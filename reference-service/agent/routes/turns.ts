import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';
import { buildPrompt } from '../history.ts';
import { rateLimitHeaders, rejectedDimension } from '../rate-limit.ts';
import type { AgentRuntime } from '../runtime.ts';
import type { IdempotencyRef, TurnRecord } from '../store/types.ts';
import { replayTurn, streamTurn, jsonTurn, type AdmittedTurn } from './turn-responders.ts';
import { requireTenant } from './auth-hook.ts';
import { turnRouteSchema } from './schemas.ts';

export interface TurnBody {
  message: string;
  max_tokens?: number;
  stream?: boolean;
}

/**
 * POST /v1/sessions/:sessionId/turns. Order matters: auth (hook) and body validation first; the
 * in-flight cap; the idempotency claim (a replay costs no quota); admission against both rate
 * buckets; the session cap; then the turn itself, answered as SSE or JSON.
 */
export function registerTurnRoute(app: FastifyInstance, rt: AgentRuntime): void {
  app.post(
    '/v1/sessions/:sessionId/turns',
    { schema: turnRouteSchema(rt.config), onRequest: requireTenant(rt) },
    (req, reply) => handleTurn(req, reply, rt),
  );
}

async function handleTurn(req: FastifyRequest, reply: FastifyReply, rt: AgentRuntime): Promise<unknown> {
  if (!rt.inFlight.tryAcquire()) {
    rt.metrics.shed.inc({ reason: 'in_flight' });
    throw new ApiError(503, 'overloaded', 'this replica is at its in-flight limit; retry shortly', {
      'retry-after': '1',
    });
  }
  rt.metrics.inFlight.inc();
  try {
    return await admitAndRun(req, reply, rt);
  } finally {
    rt.inFlight.release();
    rt.metrics.inFlight.dec();
  }
}

async function admitAndRun(req: FastifyRequest, reply: FastifyReply, rt: AgentRuntime): Promise<unknown> {
  const tenant = requireTenant.of(req);
  const { sessionId } = req.params as { sessionId: string };
  const body = req.body as TurnBody;
  const idem = idempotencyRef(req, sessionId, body, rt);
  if (idem) {
    const begin = await rt.store.beginIdempotent(tenant.name, idem, pendingTtlSec(rt));
    if (begin.kind === 'in_flight')
      throw new ApiError(
        409,
        'idempotency_in_flight',
        'a request with this Idempotency-Key is still in progress',
      );
    if (begin.kind === 'mismatch')
      throw new ApiError(
        422,
        'idempotency_mismatch',
        'this Idempotency-Key was used with a different request',
      );
    if (begin.kind === 'replay') {
      rt.metrics.turns.inc({ outcome: 'replayed' });
      return replayTurn(reply, sessionId, begin.record, body.stream === true);
    }
  }
  let handedOff = false;
  try {
    const turn = await admit(req, reply, rt, sessionId, body, idem);
    handedOff = true;
    return body.stream ? await streamTurn(req, reply, rt, turn) : await jsonTurn(req, reply, rt, turn);
  } finally {
    if (idem && !handedOff)
      await rt.store.releaseIdempotent(tenant.name, idem.key, idem.fingerprint).catch(() => undefined);
  }
}

async function admit(
  req: FastifyRequest,
  reply: FastifyReply,
  rt: AgentRuntime,
  sessionId: string,
  body: TurnBody,
  idem: IdempotencyRef | undefined,
): Promise<AdmittedTurn> {
  const tenant = requireTenant.of(req);
  const { caps, model } = rt.config;
  const history: TurnRecord[] = await rt.store.recentTurns(tenant.name, sessionId, caps.historyMaxTurns);
  const prompt = buildPrompt(model.systemPrompt, history, body.message, caps.historyTokenBudget);
  const maxTokens = body.max_tokens ?? caps.defaultMaxTokens;
  const chargedTokens = prompt.promptTokens + maxTokens;
  const admission = await rt.store.admit(tenant.name, tenant.limits, chargedTokens);
  const headers = rateLimitHeaders(admission);
  reply.headers(headers);
  if (!admission.allowed) {
    const dimension = rejectedDimension(admission);
    rt.metrics.rateLimitRejections.inc({ dimension });
    throw new ApiError(
      429,
      'rate_limited',
      `tenant ${dimension}-per-minute limit reached; retry after ${headers['retry-after']} s`,
      headers,
    );
  }
  const maxSessions = tenant.maxSessions ?? caps.maxSessionsPerTenant;
  if (!(await rt.store.reserveSession(tenant.name, sessionId, maxSessions))) {
    await rt.store.settleTokens(tenant.name, tenant.limits, chargedTokens).catch(() => undefined);
    throw new ApiError(
      409,
      'session_limit_reached',
      `the tenant already has ${maxSessions} sessions; delete some or wait for them to expire`,
    );
  }
  return {
    tenant,
    sessionId,
    message: body.message,
    messages: prompt.messages,
    maxTokens,
    chargedTokens,
    idem,
  };
}

function idempotencyRef(
  req: FastifyRequest,
  sessionId: string,
  body: TurnBody,
  rt: AgentRuntime,
): IdempotencyRef | undefined {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string') return undefined;
  const canonical = JSON.stringify([sessionId, body.message, body.max_tokens ?? null, body.stream === true]);
  return {
    key,
    fingerprint: createHash('sha256').update(canonical).digest('hex'),
    ttlSec: rt.config.sessions.idempotencyTtlSec,
  };
}

function pendingTtlSec(rt: AgentRuntime): number {
  return rt.config.sessions.idempotencyPendingTtlSec;
}
