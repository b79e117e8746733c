/**
 * OpenAPI 3.1 document generated from the route schemas collected by an onRoute hook, so the
 * published contract is the one Fastify enforces. Small on purpose (no swagger plugin): paths,
 * parameters, bodies, responses, bearer auth, and the rate-limit headers of 429s.
 */
export interface CollectedRoute {
  method: string | string[];
  url: string;
  schema?: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const rateLimitHeaderNames = [
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'ratelimit-policy',
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
];

export function buildOpenApi(routes: readonly CollectedRoute[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    if (!route.schema) continue;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of methods) {
      (paths[path] ??= {})[method.toLowerCase()] = operation(route.schema, path.startsWith('/v1/'));
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'agentload reference agent service',
      version: '1.0.0',
      description: 'See docs/agent-protocol.md',
    },
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
}

function operation(schema: Json, secured: boolean): Json {
  const op: Json = {};
  if (schema.summary) op.summary = schema.summary;
  if (schema.tags) op.tags = schema.tags;
  const parameters = [...params(schema.params, 'path'), ...params(schema.headers, 'header')];
  if (parameters.length > 0) op.parameters = parameters;
  if (schema.body)
    op.requestBody = { required: true, content: { 'application/json': { schema: schema.body } } };
  if (secured) op.security = [{ bearer: [] }];
  const responses: Record<string, Json> = {};
  for (const [status, responseSchema] of Object.entries(
    (schema.response as Record<string, Json> | undefined) ?? {},
  )) {
    responses[status] = response(status, responseSchema);
  }
  op.responses = Object.keys(responses).length > 0 ? responses : { 200: { description: 'OK' } };
  return op;
}

function response(status: string, schema: Json): Json {
  const { description, ...body } = schema;
  const out: Json = { description: typeof description === 'string' ? description : 'Response' };
  if (body.type !== 'null') {
    const content: Json = { 'application/json': { schema: body } };
    if (status === '200' && body.required && (body.properties as Json | undefined)?.turn) {
      content['text/event-stream'] = {
        schema: { type: 'string', description: 'SSE events, see docs/agent-protocol.md' },
      };
    }
    out.content = content;
  }
  if (status === '429') {
    out.headers = Object.fromEntries(rateLimitHeaderNames.map((h) => [h, { schema: { type: 'string' } }]));
  }
  return out;
}

function params(schema: unknown, where: 'path' | 'header'): Json[] {
  const s = schema as { properties?: Record<string, Json>; required?: string[] } | undefined;
  return Object.entries(s?.properties ?? {}).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name,
      in: where,
      required: where === 'path' || (s?.required ?? []).includes(name),
      schema: rest,
      ...(description ? { description } : {}),
    };
  });
}
