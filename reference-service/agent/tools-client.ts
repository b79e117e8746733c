import { Agent, fetch, type Response } from 'undici';
import { checkToolsOrigin, guardedLookup, type Resolve } from './egress-guard.ts';
import type { ToolDefinition } from './model-client.ts';

export interface ToolsClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Tool names the model may call; empty: every tool the service lists. */
  allow: readonly string[];
  resultMaxChars: number;
  /** How long the tool list is cached. */
  listTtlMs?: number;
  nowMs?: () => number;
  /** Resolves the tools host at connect time (default dns.lookup); every answer is checked (egress-guard.ts). */
  lookup?: Resolve;
  /** A tools answer larger than this is refused unread (default 1 MiB): the tools service is not trusted. */
  maxResponseBytes?: number;
}

export interface ToolOutcome {
  ok: boolean;
  /** What the model sees as the tool message: the result JSON, or an error object, truncated. */
  content: string;
  durationMs: number;
}

const toolNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Calls the tools service. Only its configured origin is ever contacted (the path is built from a
 * checked tool name, redirects are not followed, and the address is checked at every connect:
 * egress-guard.ts), only tools it lists (and config allows) are called, and every call has a
 * timeout and a size cap. Tool output is untrusted: it is truncated and passed to the model as
 * data, never echoed to the client.
 */
export class ToolsClient {
  private readonly origin: string;
  private cached: { tools: ToolDefinition[]; atMs: number } | null = null;
  private readonly nowMs: () => number;
  private readonly dispatcher: Agent;

  constructor(private readonly options: ToolsClientOptions) {
    this.origin = checkToolsOrigin(options.baseUrl).origin;
    this.nowMs = options.nowMs ?? Date.now;
    this.dispatcher = new Agent({ connect: { lookup: guardedLookup(options.lookup) } });
  }

  /** Tool definitions to offer the model; [] when the tools service cannot be listed (the turn goes on without tools). */
  async definitions(requestId: string): Promise<ToolDefinition[]> {
    const ttlMs = this.options.listTtlMs ?? 30_000;
    if (this.cached && this.nowMs() - this.cached.atMs < ttlMs) return this.cached.tools;
    try {
      const res = await fetch(`${this.origin}/tools`, {
        headers: { 'x-request-id': requestId },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
        dispatcher: this.dispatcher,
      });
      if (!res.ok) throw new Error(`GET /tools answered ${res.status}`);
      const listed = JSON.parse(await this.readCapped(res)) as unknown;
      const tools = normalizeToolList(listed).filter((t) => this.allowed(t.function.name));
      this.cached = { tools, atMs: this.nowMs() };
      return tools;
    } catch {
      return this.cached?.tools ?? [];
    }
  }

  async call(
    name: string,
    argumentsJson: string,
    requestId: string,
    signal: AbortSignal,
  ): Promise<ToolOutcome> {
    const startMs = performance.now();
    const done = (ok: boolean, content: string): ToolOutcome => ({
      ok,
      content: content.slice(0, this.options.resultMaxChars),
      durationMs: Math.round((performance.now() - startMs) * 10) / 10,
    });
    const known = this.cached?.tools.some((t) => t.function.name === name) ?? false;
    if (!toolNamePattern.test(name) || !this.allowed(name) || !known) {
      return done(false, JSON.stringify({ error: `unknown tool "${name.slice(0, 64)}"` }));
    }
    let args: unknown;
    try {
      args = argumentsJson.trim() === '' ? {} : JSON.parse(argumentsJson);
    } catch {
      return done(false, JSON.stringify({ error: 'tool arguments are not valid JSON' }));
    }
    try {
      const res = await fetch(`${this.origin}/tools/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify(args),
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
        dispatcher: this.dispatcher,
      });
      if (!res.ok) {
        await res.body?.cancel();
        return done(false, JSON.stringify({ error: `tool answered ${res.status}` }));
      }
      const body = JSON.parse(await this.readCapped(res)) as { result?: unknown };
      return done(true, JSON.stringify(body.result ?? null));
    } catch (error) {
      return done(false, JSON.stringify({ error: failureReason(error) }));
    }
  }

  /** The body as text, or an error once it passes maxResponseBytes (the rest is never read). */
  private async readCapped(res: Response): Promise<string> {
    const maxBytes = this.options.maxResponseBytes ?? 1024 * 1024;
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    for await (const chunk of res.body ?? []) {
      bytes += (chunk as Uint8Array).byteLength;
      // Leaving the loop cancels the stream: the rest is never read.
      if (bytes > maxBytes) throw new Error('tool answer too large');
      chunks.push(chunk as Uint8Array);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private allowed(name: string): boolean {
    return this.options.allow.length === 0 || this.options.allow.includes(name);
  }
}

function failureReason(error: unknown): string {
  const err = error as Error & { cause?: { code?: string } };
  if (err.name === 'TimeoutError') return 'tool timed out';
  if (err.cause?.code === 'EGRESS_BLOCKED') return 'tool destination refused';
  if (err.message === 'tool answer too large') return 'tool answer too large';
  return 'tool unavailable';
}

/** Accepts `[...]` or `{ tools: [...] }`, items either OpenAI `{type:'function', function:{...}}` or bare `{name, description, parameters}`. */
export function normalizeToolList(body: unknown): ToolDefinition[] {
  const list = Array.isArray(body) ? body : (body as { tools?: unknown })?.tools;
  if (!Array.isArray(list)) return [];
  const out: ToolDefinition[] = [];
  for (const item of list as Record<string, unknown>[]) {
    const fn = (item?.type === 'function' ? item.function : item) as Record<string, unknown> | undefined;
    if (!fn || typeof fn.name !== 'string' || !toolNamePattern.test(fn.name)) continue;
    out.push({
      type: 'function',
      function: {
        name: fn.name,
        ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
        parameters: (fn.parameters as Record<string, unknown> | undefined) ?? {
          type: 'object',
          properties: {},
        },
      },
    });
  }
  return out;
}
