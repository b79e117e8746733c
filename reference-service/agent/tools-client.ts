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
 * checked tool name, redirects are not followed), only tools it lists (and config allows) are
 * called, and every call has a timeout. Tool output is untrusted: it is truncated and passed to
 * the model as data, never echoed to the client.
 */
export class ToolsClient {
  private readonly origin: string;
  private cached: { tools: ToolDefinition[]; atMs: number } | null = null;
  private readonly nowMs: () => number;

  constructor(private readonly options: ToolsClientOptions) {
    this.origin = new URL(options.baseUrl).origin;
    this.nowMs = options.nowMs ?? Date.now;
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
      });
      if (!res.ok) throw new Error(`GET /tools answered ${res.status}`);
      const tools = normalizeToolList(await res.json()).filter((t) => this.allowed(t.function.name));
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
      });
      const text = await res.text();
      if (!res.ok) return done(false, JSON.stringify({ error: `tool answered ${res.status}` }));
      const body = JSON.parse(text) as { result?: unknown };
      return done(true, JSON.stringify(body.result ?? null));
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? 'tool timed out' : 'tool unavailable';
      return done(false, JSON.stringify({ error: reason }));
    }
  }

  private allowed(name: string): boolean {
    return this.options.allow.length === 0 || this.options.allow.includes(name);
  }
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
