import type { ToolCallPlan } from '../tool-calls.ts';
import type { EmittedToken } from '../token-stream.ts';
import { SYSTEM_FINGERPRINT, openAiFinishReason } from './context.ts';

/**
 * The JSON of /v1/chat/completions answers and stream chunks, as TGI shapes them
 * (router/src/lib.rs ChatCompletion, ChatCompletionChunk; router/src/chat.rs): `object` first,
 * `id` "", every content delta carries `role`, `usage` null on token chunks. Chunks are built as
 * strings because they are written once per token per stream.
 */

export interface ChatFrame {
  model: string;
  createdSec: number;
  logprobs: boolean;
  toolCall: ToolCallPlan | null;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usageOf(inputTokens: number, generatedTokens: number): Usage {
  return {
    prompt_tokens: inputTokens,
    completion_tokens: generatedTokens,
    total_tokens: inputTokens + generatedTokens,
  };
}

export function chatFinishReason(finish: string, toolCall: boolean): string {
  return toolCall && finish === 'eos_token' ? 'tool_calls' : openAiFinishReason(finish);
}

function chunkHead(frame: ChatFrame): string {
  return `{"object":"chat.completion.chunk","id":"","created":${frame.createdSec},"model":${JSON.stringify(frame.model)},"system_fingerprint":"${SYSTEM_FINGERPRINT}"`;
}

function logprobsJson(e: EmittedToken): string {
  return `{"content":[{"token":${e.token.json},"logprob":${e.logprob},"top_logprobs":[]}]}`;
}

function deltaJson(frame: ChatFrame, e: EmittedToken, index: number): string {
  const call = frame.toolCall;
  if (!call) return `{"role":"assistant","content":${e.token.special ? '""' : e.token.json}}`;
  if (index === 0) {
    return `{"role":"assistant","tool_calls":[{"index":0,"id":${JSON.stringify(call.id)},"type":"function","function":{"name":${JSON.stringify(call.name)},"arguments":""}}]}`;
  }
  if (e.token.special) return '{}';
  return `{"role":"assistant","tool_calls":[{"index":0,"function":{"arguments":${e.token.json}}}]}`;
}

/** Builds one token's chunk; `head` is cached per stream. */
export function createChunkWriter(frame: ChatFrame): (e: EmittedToken, index: number) => string {
  const head = chunkHead(frame);
  return (e, index) => {
    const finish = e.finish === null ? 'null' : `"${chatFinishReason(e.finish, frame.toolCall !== null)}"`;
    const logprobs = frame.logprobs ? logprobsJson(e) : 'null';
    return `${head},"choices":[{"index":0,"delta":${deltaJson(frame, e, index)},"logprobs":${logprobs},"finish_reason":${finish}}],"usage":null}`;
  };
}

export function usageChunk(frame: ChatFrame, usage: Usage): string {
  return `${chunkHead(frame)},"choices":[],"usage":${JSON.stringify(usage)}}`;
}

/** Collects what a non-streaming answer needs from the tokens as they come. */
export class ChatCollector {
  private text = '';
  private args = '';
  private readonly logprobs: { token: string; logprob: number; top_logprobs: [] }[] = [];

  constructor(private readonly frame: ChatFrame) {}

  add(e: EmittedToken, index: number): void {
    if (this.frame.logprobs)
      this.logprobs.push({ token: e.token.text, logprob: e.logprob, top_logprobs: [] });
    if (e.token.special) return;
    if (!this.frame.toolCall) this.text += e.token.text;
    else if (index > 0) this.args += e.token.text;
  }

  completion(finish: string, usage: Usage): Record<string, unknown> {
    const call = this.frame.toolCall;
    const message = call
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: call.id, type: 'function', function: { name: call.name, arguments: this.args } },
          ],
        }
      : { role: 'assistant', content: this.text };
    return {
      object: 'chat.completion',
      id: '',
      created: this.frame.createdSec,
      model: this.frame.model,
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices: [
        {
          index: 0,
          message,
          logprobs: this.frame.logprobs ? { content: this.logprobs } : null,
          finish_reason: chatFinishReason(finish, call !== null),
        },
      ],
      usage,
    };
  }
}
