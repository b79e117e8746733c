import { Pool } from 'undici';
import { z } from 'zod';
import { InvalidConfigError, zodIssues } from '../../errors.ts';
import { protocols } from './protocols/index.ts';
import { TurnHandler } from './turn-handler.ts';
import type { TurnContext } from './turn-handler.ts';
import { TurnRecorder } from './turn-recorder.ts';
import type { ClientOptions, ClientStats, Protocol, TurnClient, TurnRequest, TurnResult } from './types.ts';

const optionsSchema = z.object({
  baseUrl: z
    .string()
    .url()
    .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL'),
  connections: z.number().int().min(1).max(65_000),
  now: z.custom<() => number>((v) => typeof v === 'function', 'must be a clock function returning ms'),
  requestTimeoutMs: z.number().positive().finite(),
  captureText: z.boolean().optional(),
});

/** The longest a TCP connect may take before the turn counts as a 'connect' failure. */
const MAX_CONNECT_TIMEOUT_MS = 10_000;

/**
 * One keep-alive pool (pipelining 1: one turn per connection at a time, as LLM streams need) per
 * client. Turns beyond `connections` wait in the pool's queue; that wait shows as sentAtMs -
 * scheduledAtMs.
 */
export function createClient(options: ClientOptions): TurnClient {
  validateOptions(options);
  const url = new URL(options.baseUrl);
  const pathPrefix = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: options.requestTimeoutMs,
    bodyTimeout: options.requestTimeoutMs,
    connectTimeout: Math.min(options.requestTimeoutMs, MAX_CONNECT_TIMEOUT_MS),
  });
  const ctx: TurnContext = Object.freeze({
    now: options.now,
    captureText: options.captureText ?? true,
    requestTimeoutMs: options.requestTimeoutMs,
  });

  return {
    send(req: TurnRequest): Promise<TurnResult> {
      const adapter = protocols[req.protocol] as (typeof protocols)[Protocol] | undefined;
      if (adapter === undefined) return Promise.reject(badRequest('protocol', unknownProtocol(req.protocol)));
      if (typeof req.path !== 'string' || !req.path.startsWith('/')) {
        return Promise.reject(badRequest('path', `must start with "/", got ${JSON.stringify(req.path)}`));
      }
      let body: string;
      try {
        body = JSON.stringify(adapter.prepareBody(req.body));
      } catch (err) {
        return Promise.reject(badRequest('body', `is not JSON-serializable: ${(err as Error).message}`));
      }
      if (req.signal?.aborted === true) return Promise.resolve(abortedBeforeSend(ctx));
      const headers = hasContentType(req.headers)
        ? req.headers
        : { ...req.headers, 'content-type': 'application/json' };
      return new Promise<TurnResult>((resolve) => {
        const handler = new TurnHandler(ctx, adapter, req.signal, resolve);
        pool.dispatch({ path: pathPrefix + req.path, method: 'POST', headers, body }, handler);
      });
    },
    stats(): ClientStats {
      const s = pool.stats;
      return { running: s.running, pending: s.pending, connected: s.connected };
    },
    close: () => pool.close(),
  };
}

function validateOptions(options: ClientOptions): void {
  const parsed = optionsSchema.safeParse(options);
  if (parsed.success) return;
  const issues = zodIssues(parsed.error);
  throw new InvalidConfigError('load client options', issues);
}

function badRequest(path: string, message: string): InvalidConfigError {
  return new InvalidConfigError('turn request', [{ path, message }]);
}

function unknownProtocol(protocol: unknown): string {
  return `unknown protocol ${JSON.stringify(protocol)}; use one of ${Object.keys(protocols).join(', ')}`;
}

function hasContentType(headers: Record<string, string>): boolean {
  for (const key in headers) if (key.length === 12 && key.toLowerCase() === 'content-type') return true;
  return false;
}

function abortedBeforeSend(ctx: TurnContext): TurnResult {
  const turn = new TurnRecorder(ctx.captureText, ctx.now());
  turn.endMs = turn.sentAtMs;
  turn.fail('aborted', 'aborted by the caller before sending');
  return turn.result();
}
