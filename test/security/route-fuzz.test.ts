/**
 * S8 Property-based fuzzing of every agent route (fast-check, through app.inject()).
 * Done: generated requests per route (200 in the regular run; AGENTLOAD_FUZZ_RUNS, 10 000 in the
 *   audit): arbitrary JSON and non-JSON bodies, near-valid turn bodies with mistyped or extreme
 *   fields, arbitrary path ids (raw, percent-encoded, bad percent-encoding, over-long),
 *   Authorization, Content-Type, Idempotency-Key, x-request-id and random extra headers, random
 *   methods and paths; against the real service (Redis, model server, tools service).
 * Must hold: no 500 and no 5xx other than the documented 502 (`model_rejected`,
 *   `model_stream_broken`) and 503 (`overloaded`, `store_unavailable`, `shutting_down`); every
 *   status is one the route documents; every error body is `{"error":{"code","message"}}`
 *   without a stack trace or file path; every response has x-request-id; streams end in
 *   `[DONE]`; the service is still live afterwards.
 * Figure: generated requests per route, unexpected outcomes, status mix, seed.
 */
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../reference-service/agent/auth.ts';
import { keys } from '../reference-service/agent/helpers/agent-stack.ts';
import { fuzzRunsPerRoute, recordFigure } from '../support/audit-figures.ts';
import { startServiceOnRedis, type RedisService } from '../support/service.ts';
import { bodyArb, header, headersArb, headersOf, idArb } from '../support/agent-arbitraries.ts';

const runs = fuzzRunsPerRoute(200);
const seed = Number(process.env.AGENTLOAD_FUZZ_SEED ?? 20_260_101);
const fuzzKey = 'fuzz-tenant-key-0001';
let svc: RedisService;

beforeAll(async () => {
  svc = await startServiceOnRedis({
    withTools: true,
    modelLatencyMultiplier: 0.01,
    tune: (raw) => {
      raw.caps = { maxTokens: 16, defaultMaxTokens: 4, maxToolIterations: 1 };
      raw.tenants.push({
        name: 'fuzz',
        keyHashes: [hashApiKey(fuzzKey)],
        limits: { requestsPerMin: 10_000_000, tokensPerMin: 1_000_000_000 },
      });
    },
  });
});

afterAll(async () => {
  await svc?.close();
});

interface RouteSpec {
  name: string;
  statuses: number[];
  request: fc.Arbitrary<InjectOptions>;
}

const requestHeaders = headersArb(fuzzKey, keys.globex);

const routes: RouteSpec[] = [
  {
    name: 'POST /v1/sessions/{id}/turns',
    statuses: [200, 400, 401, 404, 409, 413, 415, 422, 429, 502, 503],
    request: fc.tuple(idArb, requestHeaders, bodyArb).map(([id, h, body]) => ({
      method: 'POST',
      url: `/v1/sessions/${id}/turns`,
      headers: headersOf(h),
      ...(body === undefined ? {} : { payload: body }),
    })),
  },
  {
    name: 'GET /v1/sessions/{id}',
    statuses: [200, 400, 401, 404, 503],
    request: fc
      .tuple(idArb, requestHeaders)
      .map(([id, h]) => ({ method: 'GET', url: `/v1/sessions/${id}`, headers: headersOf(h) })),
  },
  {
    name: 'DELETE /v1/sessions/{id}',
    // A body, when sent, follows the same rules as on any route: JSON (else 415) within the limit.
    statuses: [204, 400, 401, 404, 413, 415, 503],
    request: fc.tuple(idArb, requestHeaders, fc.option(bodyArb)).map(([id, h, body]) => ({
      method: 'DELETE',
      url: `/v1/sessions/${id}`,
      headers: headersOf(h),
      ...(body === undefined || body === null ? {} : { payload: body }),
    })),
  },
  {
    name: 'ops routes (/healthz /readyz /metrics /openapi.json)',
    statuses: [200, 400, 404, 503],
    request: fc
      .tuple(
        fc.constantFrom('/healthz', '/readyz', '/metrics', '/openapi.json'),
        fc.option(header(40)),
        requestHeaders,
      )
      .map(([path, query, h]) => ({
        method: 'GET',
        url: query === null ? path : `${path}?${encodeURIComponent(query)}`,
        headers: headersOf(h),
      })),
  },
  {
    name: 'any method, any path',
    statuses: [200, 204, 400, 401, 404, 405, 413, 415, 503],
    request: fc
      .tuple(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
        fc.oneof(
          fc.webPath(),
          fc.string({ maxLength: 80 }).map((s) => `/${encodeURIComponent(s)}`),
          idArb.map((id) => `/v1/sessions/${id}/x`),
        ),
        requestHeaders,
        bodyArb,
      )
      .map(([method, path, h, body]) => ({
        method: method as InjectOptions['method'],
        url: path.startsWith('/') ? path : `/${path}`,
        headers: headersOf(h),
        ...(body === undefined || method === 'GET' || method === 'HEAD' ? {} : { payload: body }),
      })),
  },
];

const allowed5xx = new Set([
  '502 model_rejected',
  '502 model_stream_broken',
  '503 overloaded',
  '503 store_unavailable',
  '503 shutting_down',
]);
/** A stack frame, a source file position, or a path of this checkout. */
const leakPattern = /\n\s+at |\bat \S+ \(|node_modules\/|\.[cm]?[jt]s:\d+:\d+|\/work\//;

/** What is wrong with one response, or null when it meets the contract. */
function problem(
  route: RouteSpec,
  req: InjectOptions,
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
): string | null {
  const { statusCode: status, body } = res;
  if (!route.statuses.includes(status)) return `status ${status}`;
  if (typeof res.headers['x-request-id'] !== 'string') return 'no x-request-id';
  if (req.method === 'HEAD' || status === 204) return null;
  if (status === 200 && String(res.headers['content-type']).startsWith('text/event-stream'))
    return body.trimEnd().endsWith('data: [DONE]') ? null : 'stream without [DONE]';
  if (status === 200 && route.name.startsWith('ops')) return null;
  let parsed: { error?: { code?: unknown; message?: unknown } };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return `body is not JSON: ${body.slice(0, 60)}`;
  }
  if (status >= 400) {
    if (typeof parsed.error?.code !== 'string' || typeof parsed.error.message !== 'string')
      return 'error shape';
    // The 404 message names the path asked for; only the rest of the body may not leak.
    const path = JSON.stringify(String(req.url).split('?')[0]).slice(1, -1);
    if (leakPattern.test(body.split(path).join(''))) return `leaks internals: ${body.slice(0, 120)}`;
    if (status >= 500 && !allowed5xx.has(`${status} ${parsed.error.code}`))
      return `undocumented ${status} ${parsed.error.code}`;
  }
  return null;
}

describe('S8 route fuzzing', () => {
  for (const route of routes) {
    it(
      `answers ${runs} generated requests to ${route.name} within its documented contract`,
      { timeout: 60_000 + runs * 15 },
      async () => {
        const failures: string[] = [];
        const statusMix = new Map<number, number>();
        let tried = 0;
        await fc.assert(
          fc.asyncProperty(route.request, async (req) => {
            tried++;
            const res = await svc.agent.app.inject(req);
            statusMix.set(res.statusCode, (statusMix.get(res.statusCode) ?? 0) + 1);
            const wrong = problem(route, req, res);
            if (wrong && failures.length < 1_000)
              failures.push(`${wrong} <- ${req.method} ${String(req.url).slice(0, 80)}`);
            return true;
          }),
          { numRuns: runs, seed },
        );
        const live = await svc.agent.app.inject({ method: 'GET', url: '/healthz' });
        recordFigure({
          caseId: `S8 fuzz ${route.name}`,
          tried,
          failures: failures.length + (live.statusCode === 200 ? 0 : 1),
          figure: `${tried} generated requests (seed ${seed}), ${failures.length} unexpected; statuses ${[
            ...statusMix.entries(),
          ]
            .sort(([a], [b]) => a - b)
            .map(([s, n]) => `${s}:${n}`)
            .join(' ')}`,
        });
        expect(failures.slice(0, 10)).toEqual([]);
        expect(live.statusCode).toBe(200);
        expect(tried).toBe(runs);
      },
    );
  }
});
