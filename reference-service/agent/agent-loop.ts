import type { Logger } from 'pino';
import { estimateTokens } from './config.ts';
import type { AgentMetrics } from './metrics.ts';
import {
  ModelCallError,
  type ChatMessage,
  type ModelCallResult,
  type ModelClient,
  type ToolDefinition,
} from './model-client.ts';
import type { CircuitBreaker } from './resilience/breaker.ts';
import { retryDelayMs, sleep, type RetryPolicy } from './resilience/retry.ts';
import type { FinishReason, ToolStep, Usage } from './store/types.ts';
import type { ToolsClient } from './tools-client.ts';

/** Where a turn's output goes as it is produced: an SSE stream, or a buffer for a JSON reply. */
export interface TurnSink {
  tool(step: ToolStep): void;
  content(text: string): void;
}

export interface AgentLoopDeps {
  model: ModelClient;
  tools: ToolsClient | null;
  breaker: CircuitBreaker;
  retry: RetryPolicy;
  random: () => number;
  metrics: AgentMetrics;
  logger: Logger;
  maxToolIterations: number;
  fallbackMessage: string;
}

export interface TurnInput {
  messages: ChatMessage[];
  maxTokens: number;
  requestId: string;
  signal: AbortSignal;
  /** Summed over the turn's model calls as they finish; the caller reads it even when the turn fails. */
  usage: Usage;
}

export interface TurnResult {
  content: string;
  usage: Usage;
  toolSteps: ToolStep[];
  degraded: boolean;
  finishReason: FinishReason;
}

/** The model failed after part of its answer reached the client: the turn cannot be retried or replaced. */
export class TurnBrokenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TurnBrokenError';
  }
}

/** The model refused the request itself (4xx other than 429): retrying or falling back would hide a real error. */
export class ModelRejectedError extends Error {
  constructor(readonly status: number) {
    super(`the model server rejected the request (${status})`);
    this.name = 'ModelRejectedError';
  }
}

/**
 * One turn: model call with the tool definitions; while it asks for tools (at most
 * `maxToolIterations` rounds) run them and call again; the last round offers no tools, so the
 * model must answer. Model calls per turn <= maxToolIterations + 1.
 * When the model is unavailable (breaker open, or retries spent) before any answer token was
 * sent, the turn completes with the configured fallback text and `degraded: true`.
 */
export async function runTurn(input: TurnInput, deps: AgentLoopDeps, sink: TurnSink): Promise<TurnResult> {
  const tools = deps.tools ? await deps.tools.definitions(input.requestId) : [];
  const messages = [...input.messages];
  const usage = input.usage;
  const toolSteps: ToolStep[] = [];
  let content = '';
  const answered = { sent: false };
  const trackingSink: TurnSink = {
    tool: (step) => sink.tool(step),
    content: (text) => {
      answered.sent = true;
      sink.content(text);
    },
  };
  for (let round = 0; ; round++) {
    const offered = round < deps.maxToolIterations ? tools : [];
    const result = await callModel({ ...input, messages, tools: offered }, deps, trackingSink);
    if (result === null) {
      if (answered.sent)
        throw new TurnBrokenError('the model became unavailable in the middle of the answer');
      sink.content(deps.fallbackMessage);
      return { content: deps.fallbackMessage, usage, toolSteps, degraded: true, finishReason: 'stop' };
    }
    addUsage(usage, result, messages, deps.metrics);
    content += result.content;
    if (result.toolCalls.length === 0 || offered.length === 0 || !deps.tools) {
      return {
        content,
        usage,
        toolSteps,
        degraded: false,
        finishReason: result.finishReason === 'length' ? 'length' : 'stop',
      };
    }
    await runTools(result, messages, toolSteps, input, deps.tools, deps.metrics, trackingSink);
  }
}

async function runTools(
  result: ModelCallResult,
  messages: ChatMessage[],
  toolSteps: ToolStep[],
  input: TurnInput,
  tools: ToolsClient,
  metrics: AgentMetrics,
  sink: TurnSink,
): Promise<void> {
  messages.push({
    role: 'assistant',
    content: result.content || null,
    tool_calls: result.toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.argumentsJson },
    })),
  });
  const outcomes = await Promise.all(
    result.toolCalls.map(async (call) => {
      const outcome = await tools.call(call.name, call.argumentsJson, input.requestId, input.signal);
      const step: ToolStep = { name: call.name.slice(0, 64), ok: outcome.ok, durationMs: outcome.durationMs };
      metrics.toolCalls.inc({ outcome: outcome.ok ? 'ok' : 'error' });
      sink.tool(step);
      return { call, outcome, step };
    }),
  );
  for (const { call, outcome, step } of outcomes) {
    messages.push({ role: 'tool', tool_call_id: call.id, content: outcome.content });
    toolSteps.push(step);
  }
  if (input.signal.aborted) throw new ModelCallError('aborted', 'turn aborted during tool calls');
}

/**
 * One model call with retries, through the breaker. A failed attempt is retried (jittered
 * backoff, Retry-After honoured) only when none of its tokens reached the client. Returns null
 * when the model is unavailable: breaker open, or every attempt failed.
 */
async function callModel(
  input: TurnInput & { tools: readonly ToolDefinition[] },
  deps: AgentLoopDeps,
  sink: TurnSink,
): Promise<ModelCallResult | null> {
  for (let attempt = 0; ; attempt++) {
    if (!deps.breaker.tryAcquire()) {
      deps.metrics.modelCalls.inc({ outcome: 'breaker_open' });
      return null;
    }
    let sentTokens = false;
    try {
      const result = await deps.model.stream({
        ...input,
        onContent: (text) => {
          sentTokens = true;
          sink.content(text);
        },
      });
      deps.breaker.recordSuccess();
      deps.metrics.modelCalls.inc({ outcome: 'ok' });
      return result;
    } catch (error) {
      if (!(error instanceof ModelCallError)) throw error;
      recordFailure(error, deps);
      if (error.kind === 'aborted') throw error;
      if (sentTokens) throw new TurnBrokenError(error.message, { cause: error });
      if (!error.retryable) throw new ModelRejectedError(error.details.status ?? 0);
      const delayMs = retryDelayMs(deps.retry, attempt, error.details.retryAfterMs ?? null, deps.random);
      deps.logger.warn(
        { reqId: input.requestId, attempt, kind: error.kind, status: error.details.status, delayMs },
        'model call failed',
      );
      if (delayMs === null) return null;
      await sleep(delayMs, input.signal);
    }
  }
}

function recordFailure(error: ModelCallError, deps: AgentLoopDeps): void {
  if (error.kind === 'aborted') deps.breaker.recordIgnored();
  else if (error.breakerFailure) deps.breaker.recordFailure();
  // The model answered (429, or rejected our request): it is up.
  else deps.breaker.recordSuccess();
  const status = error.details.status;
  deps.metrics.modelCalls.inc({
    outcome: error.kind === 'status' ? `http_${Math.floor((status ?? 0) / 100)}xx` : error.kind,
  });
}

/** Adds the call's usage; when the server sent none, estimates it (prompt ~4 chars/token, completion = chunks). */
function addUsage(
  usage: Usage,
  result: ModelCallResult,
  messages: ChatMessage[],
  metrics: AgentMetrics,
): void {
  const reported = result.usage ?? {
    prompt_tokens: messages.reduce(
      (n, m) => n + estimateTokens(typeof m.content === 'string' ? m.content : ''),
      0,
    ),
    completion_tokens: result.chunks,
    total_tokens: 0,
  };
  usage.prompt_tokens += reported.prompt_tokens;
  usage.completion_tokens += reported.completion_tokens;
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  metrics.tokens.inc({ type: 'prompt' }, reported.prompt_tokens);
  metrics.tokens.inc({ type: 'completion' }, reported.completion_tokens);
}
