import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { runTurn, type TurnSink } from '../agent-loop.ts';
import type { TenantConfig } from '../config.ts';
import { errorBody } from '../errors.ts';
import type { ChatMessage } from '../model-client.ts';
import type { AgentRuntime } from '../runtime.ts';
import { SseWriter } from '../sse.ts';
import type { IdempotencyRef, TurnRecord, Usage } from '../store/types.ts';
import { logFailure, toApiError } from './error-mapping.ts';

/** A turn past admission: quota charged, session reserved, idempotency key (if any) claimed. */
export interface AdmittedTurn {
  tenant: TenantConfig;
  sessionId: string;
  message: string;
  messages: ChatMessage[];
  maxTokens: number;
  chargedTokens: number;
  idem: IdempotencyRef | undefined;
}

/** One content chunk, serialized by hand: this runs once per token of every stream. */
function chunk(text: string): string {
  return `{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}},"finish_reason":null}]}`;
}

function doneEvent(sessionId: string, record: TurnRecord) {
  const { turn, usage, toolSteps, degraded, finishReason } = record;
  return { object: 'agent.turn', sessionId, turn, usage, toolSteps, degraded, finishReason };
}

function jsonBody(sessionId: string, record: TurnRecord) {
  const { turn, usage, toolSteps, degraded, finishReason } = record;
  return {
    sessionId,
    turn,
    message: { role: 'assistant', content: record.assistant },
    usage,
    toolSteps,
    degraded,
    finishReason,
  };
}

/**
 * SSE turn: tool events, then content chunks as the model produces them; the turn is stored
 * before `done` is sent, so a client that saw `done` can rely on it being in the history.
 */
export async function streamTurn(
  req: FastifyRequest,
  reply: FastifyReply,
  rt: AgentRuntime,
  turn: AdmittedTurn,
): Promise<FastifyReply> {
  const { signal, detach } = turnSignal(reply, rt);
  reply.hijack();
  const sse = new SseWriter(reply.raw, () => reply.getHeaders() as OutgoingHttpHeaders);
  let firstToken = true;
  const sink: TurnSink = {
    tool: (step) => sse.event(step, 'tool'),
    content: (text) => {
      if (firstToken) {
        firstToken = false;
        rt.metrics.ttft.observe(reply.elapsedTime / 1000);
      }
      sse.event(chunk(text));
    },
  };
  const usage = zeroUsage();
  try {
    const record = await runAndStore(req, rt, turn, sink, signal, usage);
    sse.event(doneEvent(turn.sessionId, record), 'done');
    sse.finish();
  } catch (error) {
    await fail(rt, req, turn, error, (apiError) => {
      if (!sse.started)
        sse.jsonError(apiError.statusCode, errorBody(apiError.code, apiError.message), apiError.headers);
      else {
        sse.event(errorBody(apiError.code, apiError.message), 'error');
        sse.finish();
      }
    });
  } finally {
    detach();
    await Promise.all([settle(rt, turn, usage), flushed(reply)]);
  }
  return reply;
}

export async function jsonTurn(
  req: FastifyRequest,
  reply: FastifyReply,
  rt: AgentRuntime,
  turn: AdmittedTurn,
): Promise<FastifyReply> {
  const { signal, detach } = turnSignal(reply, rt);
  const usage = zeroUsage();
  const quiet: TurnSink = { tool: () => undefined, content: () => undefined };
  try {
    const record = await runAndStore(req, rt, turn, quiet, signal, usage);
    return reply.send(jsonBody(turn.sessionId, record));
  } catch (error) {
    let mapped: unknown = error;
    await fail(rt, req, turn, error, (apiError) => (mapped = apiError));
    throw mapped;
  } finally {
    detach();
    await Promise.all([settle(rt, turn, usage), flushed(reply)]);
  }
}

/** Answers a repeated Idempotency-Key from the stored turn, without calling the model. */
export function replayTurn(
  reply: FastifyReply,
  sessionId: string,
  record: TurnRecord,
  stream: boolean,
): FastifyReply {
  reply.header('idempotent-replayed', 'true');
  if (!stream) return reply.send(jsonBody(sessionId, record));
  reply.hijack();
  const sse = new SseWriter(reply.raw, () => reply.getHeaders() as OutgoingHttpHeaders);
  for (const step of record.toolSteps) sse.event(step, 'tool');
  sse.event(chunk(record.assistant));
  sse.event(doneEvent(sessionId, record), 'done');
  sse.finish();
  return reply;
}

/** Runs the agent loop for an admitted turn (tokens go to `sink`) and stores its answer. */
async function runAndStore(
  req: FastifyRequest,
  rt: AgentRuntime,
  turn: AdmittedTurn,
  sink: TurnSink,
  signal: AbortSignal,
  usage: Usage,
): Promise<TurnRecord> {
  const result = await runTurn(
    { messages: turn.messages, maxTokens: turn.maxTokens, requestId: req.id, signal, usage },
    rt.loop,
    sink,
  );
  const record = await rt.store.appendTurn(
    turn.tenant.name,
    turn.sessionId,
    {
      user: turn.message,
      assistant: result.content,
      degraded: result.degraded,
      at: new Date().toISOString(),
      usage: result.usage,
      toolSteps: result.toolSteps,
      finishReason: result.finishReason,
    },
    turn.idem,
  );
  rt.metrics.turns.inc({ outcome: result.degraded ? 'degraded' : 'ok' });
  return record;
}

async function fail(
  rt: AgentRuntime,
  req: FastifyRequest,
  turn: AdmittedTurn,
  error: unknown,
  answer: (apiError: ReturnType<typeof toApiError>) => void,
): Promise<void> {
  rt.metrics.turns.inc({ outcome: 'failed' });
  const apiError = toApiError(error, req.id, rt.shutdown.signal.aborted);
  logFailure(req, apiError.code, error);
  if (turn.idem)
    await rt.store
      .releaseIdempotent(turn.tenant.name, turn.idem.key, turn.idem.fingerprint)
      .catch(() => undefined);
  answer(apiError);
}

/** Returns the unused part of the admission charge (or charges the overrun). */
async function settle(rt: AgentRuntime, turn: AdmittedTurn, usage: Usage): Promise<void> {
  const deltaTokens = turn.chargedTokens - usage.total_tokens;
  if (deltaTokens === 0) return;
  await rt.store.settleTokens(turn.tenant.name, turn.tenant.limits, deltaTokens).catch((error: unknown) => {
    rt.logger.warn({ err: error }, 'could not settle token charge');
  });
}

/** Aborts when the client goes away before the response finished, or when shutdown cuts turns. */
function turnSignal(reply: FastifyReply, rt: AgentRuntime): { signal: AbortSignal; detach: () => void } {
  const clientGone = new AbortController();
  const onClose = (): void => {
    if (!reply.raw.writableFinished) clientGone.abort(new Error('client closed the connection'));
  };
  reply.raw.on('close', onClose);
  return {
    signal: AbortSignal.any([clientGone.signal, rt.shutdown.signal]),
    detach: () => reply.raw.off('close', onClose),
  };
}

/**
 * Resolves once a sent response has been handed to the OS (or the connection is gone), so the
 * turn's in-flight slot, which graceful shutdown waits on, is freed only after its last byte.
 */
function flushed(reply: FastifyReply): Promise<void> {
  const raw = reply.raw;
  if (!raw.writableEnded || raw.writableFinished || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    raw.once('finish', resolve);
    raw.once('close', resolve);
  });
}

function zeroUsage(): Usage {
  return { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
}
