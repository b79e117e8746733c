import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { parseRetryAfterMs } from './resilience/retry.ts';
import type { Usage } from './store/types.ts';

export type ChatMessage = ChatCompletionMessageParam;
export type ToolDefinition = ChatCompletionFunctionTool;

export interface ToolCallRequest {
  id: string;
  name: string;
  argumentsJson: string;
}

export interface ModelTimeouts {
  firstTokenMs: number;
  idleMs: number;
  totalMs: number;
}

export interface ModelCallInput {
  messages: ChatMessage[];
  /** Empty: the model must answer in text. */
  tools: readonly ToolDefinition[];
  maxTokens: number;
  requestId: string;
  /** Aborts when the client goes away or shutdown cuts the turn. */
  signal: AbortSignal;
  onContent(text: string): void;
}

export interface ModelCallResult {
  content: string;
  toolCalls: ToolCallRequest[];
  /** From the final streamed chunk (stream_options.include_usage); null when the server sent none. */
  usage: Usage | null;
  finishReason: string | null;
  chunks: number;
}

export type ModelFailureKind = 'connect' | 'timeout' | 'status' | 'stream' | 'aborted';

/** One failed attempt, classified for the retry and breaker decisions. */
export class ModelCallError extends Error {
  constructor(
    readonly kind: ModelFailureKind,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number | null; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = 'ModelCallError';
  }

  /** Worth another attempt: the model may answer next time. Other 4xx (bad request, input too long) will not. */
  get retryable(): boolean {
    if (this.kind === 'aborted') return false;
    if (this.kind !== 'status') return true;
    const status = this.details.status ?? 0;
    return status === 408 || status === 424 || status === 429 || status >= 500;
  }

  /**
   * Counts against the breaker: the model is unhealthy (5xx, TGI's 424 generation error,
   * timeouts, refused connections), not merely busy (429) or given a bad request.
   */
  get breakerFailure(): boolean {
    if (this.kind === 'aborted') return false;
    if (this.kind !== 'status') return true;
    const status = this.details.status ?? 0;
    return status === 424 || status >= 500;
  }
}

/** Calls `/v1/chat/completions` through the openai SDK, always streaming; one attempt per call (retries live in agent-loop). */
export class ModelClient {
  private readonly client: OpenAI;

  constructor(
    baseUrl: string,
    private readonly model: string,
    private readonly timeouts: ModelTimeouts,
  ) {
    this.client = new OpenAI({
      baseURL: `${baseUrl.replace(/\/+$/, '')}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
      timeout: timeouts.totalMs,
    });
  }

  async stream(input: ModelCallInput): Promise<ModelCallResult> {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    input.signal.addEventListener('abort', onAbort, { once: true });
    let timedOut: string | null = null;
    const arm = (ms: number, what: string): NodeJS.Timeout =>
      setTimeout(() => {
        timedOut = what;
        controller.abort();
      }, ms);
    const firstTimer = arm(this.timeouts.firstTokenMs, 'first token');
    let idleTimer: NodeJS.Timeout | null = null;
    const totalTimer = arm(this.timeouts.totalMs, 'total');
    const acc = new ChunkAccumulator(input.onContent);
    try {
      const stream = await this.client.chat.completions.create(
        {
          model: this.model,
          messages: input.messages,
          ...(input.tools.length > 0 ? { tools: [...input.tools] } : {}),
          max_tokens: input.maxTokens,
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: controller.signal, headers: { 'x-request-id': input.requestId } },
      );
      for await (const chunk of stream) {
        // refresh() re-arms the same timer: no allocation per chunk.
        if (idleTimer) idleTimer.refresh();
        else {
          clearTimeout(firstTimer);
          idleTimer = arm(this.timeouts.idleMs, 'idle');
        }
        acc.add(chunk);
      }
      // The SDK ends the iteration quietly when its signal aborts, and a stream cut short may end
      // without a finish_reason: neither is a complete answer.
      if (controller.signal.aborted) throw new Error('aborted');
      const result = acc.result();
      if (result.finishReason === null) throw new Error('the stream ended without a finish_reason');
      return result;
    } catch (error) {
      throw classify(error, timedOut, input.signal.aborted);
    } finally {
      clearTimeout(firstTimer);
      if (idleTimer) clearTimeout(idleTimer);
      clearTimeout(totalTimer);
      input.signal.removeEventListener('abort', onAbort);
    }
  }
}

class ChunkAccumulator {
  private content = '';
  private usage: Usage | null = null;
  private finishReason: string | null = null;
  private chunks = 0;
  private readonly calls = new Map<number, ToolCallRequest>();

  constructor(private readonly onContent: (text: string) => void) {}

  add(chunk: ChatCompletionChunk): void {
    this.chunks++;
    if (chunk.usage) {
      const { prompt_tokens, completion_tokens } = chunk.usage;
      this.usage = { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
    }
    const choice = chunk.choices?.[0];
    if (!choice) return;
    if (choice.delta?.content) {
      this.content += choice.delta.content;
      this.onContent(choice.delta.content);
    }
    for (const call of choice.delta?.tool_calls ?? []) {
      const entry = this.calls.get(call.index) ?? { id: '', name: '', argumentsJson: '' };
      if (call.id) entry.id = call.id;
      if (call.function?.name) entry.name += call.function.name;
      if (call.function?.arguments) entry.argumentsJson += call.function.arguments;
      this.calls.set(call.index, entry);
    }
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
  }

  result(): ModelCallResult {
    const toolCalls = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => ({ ...c, id: c.id || `call_${index}` }))
      .filter((c) => c.name !== '');
    return {
      content: this.content,
      toolCalls,
      usage: this.usage,
      finishReason: this.finishReason,
      chunks: this.chunks,
    };
  }
}

function classify(error: unknown, timedOut: string | null, callerAborted: boolean): ModelCallError {
  if (callerAborted)
    return new ModelCallError('aborted', 'model call aborted by the caller', { cause: error });
  if (timedOut) return new ModelCallError('timeout', `model ${timedOut} timeout`, { cause: error });
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    const retryAfterMs = parseRetryAfterMs(error.headers?.get('retry-after'), Date.now());
    return new ModelCallError('status', `model answered ${error.status}`, {
      status: error.status,
      retryAfterMs,
      cause: error,
    });
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new ModelCallError('connect', `model unreachable: ${error.message}`, { cause: error });
  }
  return new ModelCallError('stream', `model stream broke: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}

/** GET {baseUrl}/health (TGI's health route) within `timeoutMs`; true on 2xx. */
export async function modelHealthy(baseUrl: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/health`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
