import type { AgentConfig } from '../config.ts';

/**
 * JSON Schemas of the routes. Fastify validates requests (400 on failure) and serializes
 * responses with them, and openapi.ts turns them into /openapi.json, so the document cannot drift
 * from the behaviour. Limits come from the config.
 */
const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

const usageSchema = {
  type: 'object',
  required: ['prompt_tokens', 'completion_tokens', 'total_tokens'],
  properties: {
    prompt_tokens: { type: 'integer' },
    completion_tokens: { type: 'integer' },
    total_tokens: { type: 'integer' },
  },
} as const;

const toolStepSchema = {
  type: 'object',
  required: ['name', 'ok', 'durationMs'],
  properties: { name: { type: 'string' }, ok: { type: 'boolean' }, durationMs: { type: 'number' } },
} as const;

export const sessionParamsSchema = {
  type: 'object',
  required: ['sessionId'],
  properties: {
    sessionId: {
      type: 'string',
      pattern: '^[A-Za-z0-9._:-]{1,128}$',
      description: 'Chosen by the client; scoped to its tenant.',
    },
  },
} as const;

const errors = (...statuses: number[]): Record<string, unknown> =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { ...errorSchema, description: errorDescriptions[s] ?? 'Error' }]),
  );

const errorDescriptions: Record<number, string> = {
  400: 'Bad request body',
  401: 'Missing or wrong API key',
  404: 'No such session for this tenant',
  409: 'Same Idempotency-Key still in flight, or the tenant reached its session cap',
  413: 'Body too large',
  415: 'Content-Type is not application/json',
  422: 'Same Idempotency-Key used with a different body',
  429: 'Rate limited (Retry-After, RateLimit-* and x-ratelimit-* headers)',
  502: 'The model server rejected the request',
  503: 'Overloaded, shutting down or state store unavailable (Retry-After)',
};

export function turnRouteSchema(config: AgentConfig) {
  return {
    summary: 'Run one conversation turn (SSE when stream is true)',
    tags: ['turns'],
    params: sessionParamsSchema,
    headers: {
      type: 'object',
      properties: {
        'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 },
        'x-request-id': { type: 'string' },
      },
    },
    body: {
      type: 'object',
      required: ['message'],
      additionalProperties: false,
      properties: {
        message: { type: 'string', minLength: 1, maxLength: config.caps.maxMessageChars },
        max_tokens: { type: 'integer', minimum: 1, maximum: config.caps.maxTokens },
        stream: { type: 'boolean' },
      },
    },
    response: {
      200: {
        description: 'JSON turn; with "stream": true, text/event-stream as in docs/agent-protocol.md',
        type: 'object',
        required: ['sessionId', 'turn', 'message', 'usage', 'toolSteps', 'degraded'],
        properties: {
          sessionId: { type: 'string' },
          turn: { type: 'integer' },
          message: {
            type: 'object',
            required: ['role', 'content'],
            properties: { role: { type: 'string', enum: ['assistant'] }, content: { type: 'string' } },
          },
          usage: usageSchema,
          toolSteps: { type: 'array', items: toolStepSchema },
          degraded: { type: 'boolean' },
          finishReason: { type: 'string', enum: ['stop', 'length', 'error'] },
        },
      },
      ...errors(400, 401, 409, 413, 415, 422, 429, 502, 503),
    },
  };
}

export const getSessionSchema = {
  summary: 'The stored turns of a session',
  tags: ['sessions'],
  params: sessionParamsSchema,
  response: {
    200: {
      type: 'object',
      required: ['sessionId', 'turns'],
      properties: {
        sessionId: { type: 'string' },
        turns: {
          type: 'array',
          items: {
            type: 'object',
            required: ['turn', 'user', 'assistant', 'degraded', 'at'],
            properties: {
              turn: { type: 'integer' },
              user: { type: 'string' },
              assistant: { type: 'string' },
              degraded: { type: 'boolean' },
              at: { type: 'string', format: 'date-time' },
            },
          },
        },
      },
    },
    ...errors(401, 404, 503),
  },
};

export const deleteSessionSchema = {
  summary: 'Delete a session and its turns',
  tags: ['sessions'],
  params: sessionParamsSchema,
  response: { 204: { type: 'null', description: 'Deleted' }, ...errors(401, 404, 503) },
};

const statusSchema = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    checks: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

export const healthzSchema = {
  summary: 'Liveness: the process serves HTTP',
  tags: ['ops'],
  response: { 200: statusSchema },
};
export const readyzSchema = {
  summary: 'Readiness: Redis and the model server answer, and the replica is not draining',
  tags: ['ops'],
  response: { 200: statusSchema, 503: statusSchema },
};
export const metricsSchema = { summary: 'Prometheus metrics', tags: ['ops'] };
export const openapiSchema = { summary: 'This document', tags: ['ops'] };
