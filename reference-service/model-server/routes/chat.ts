import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderChat } from '../chat-template.ts';
import { cancelOnClose, sendInferError, sendJson } from '../http-io.ts';
import type { ContentPlan, RequestSink } from '../infer.ts';
import { isInferError, openAiStreamErrorBody, overloadedError, type InferError } from '../infer-errors.ts';
import {
  chatRequestSchema,
  openAiParameters,
  type ChatRequestBody,
  type GenerateParameters,
} from '../request-schemas.ts';
import { hashSeed } from '../rng.ts';
import { SseStream } from '../sse.ts';
import { chooseTool, planToolCall, type ToolCallPlan } from '../tool-calls.ts';
import { segment } from '../tokenizer.ts';
import { validateRequest, type ValidRequest } from '../validation.ts';
import { textToken } from '../vocab.ts';
import { readTypedBody } from './body.ts';
import { ChatCollector, createChunkWriter, usageChunk, usageOf, type ChatFrame } from './chat-format.ts';
import { responseModel, streamHeaders, timingHeaders, type RouteContext } from './context.ts';

function responseFormatGrammar(format: ChatRequestBody['response_format']): GenerateParameters['grammar'] {
  if (!format) return null;
  if (format.type === 'json') return { type: 'json', value: format.value };
  if (format.type === 'json_object') return { type: 'json_object', value: null };
  if (format.type === 'json_schema') {
    const wrapper = (format.json_schema ?? {}) as { schema?: unknown };
    return { type: 'json', value: wrapper.schema ?? {} };
  }
  return null;
}

/** OpenAI chat parameters in TGI's terms (router/src/lib.rs ChatRequest::try_into_generate). */
function chatParameters(b: ChatRequestBody): GenerateParameters {
  return {
    ...openAiParameters(b),
    max_new_tokens: b.max_completion_tokens ?? b.max_tokens ?? null,
    grammar: responseFormatGrammar(b.response_format),
  };
}

function toolTokens(call: ToolCallPlan, vocabSize: number): ContentPlan {
  const args = segment(call.argumentsJson).map((t) => textToken(t, vocabSize));
  return { kind: 'tokens', tokens: [textToken(call.name, vocabSize), ...args] };
}

interface Prepared {
  valid: ValidRequest;
  plan: ContentPlan;
  frame: ChatFrame;
  stream: boolean;
  includeUsage: boolean;
}

/** Template, tool choice and validation; tool-choice errors are plain 422s, before any stream. */
function prepare(ctx: RouteContext, b: ChatRequestBody, res: ServerResponse): Prepared | InferError | null {
  const tools = b.tool_choice === 'none' ? [] : (b.tools ?? []);
  const rendered = renderChat(b.messages, tools);
  const promptHash = hashSeed(ctx.config.seed, rendered.text);
  const chosen = chooseTool(tools, b.tool_choice, b.messages, promptHash);
  if (isInferError(chosen)) {
    ctx.infer.rejected(chosen);
    sendInferError(res, chosen);
    return null;
  }
  const call = chosen
    ? planToolCall(chosen, b.messages, ctx.config.seed, ctx.faults.drawMalformedToolCall())
    : null;
  const valid = validateRequest(
    {
      inputs: rendered.text,
      parameters: chatParameters(b),
      stream: b.stream,
      inputTokens: rendered.tokens,
      derivedSeed: ctx.infer.derivedSeed(rendered.text),
    },
    ctx.config,
  );
  if (isInferError(valid)) return valid;
  return {
    valid,
    plan: call ? toolTokens(call, ctx.perf.profile.model.vocabSize) : { kind: 'text' },
    frame: {
      model: responseModel(b.model, ctx.config.modelId),
      createdSec: Math.floor(Date.now() / 1000),
      logprobs: b.logprobs === true,
      toolCall: call,
    },
    stream: b.stream,
    includeUsage: b.stream_options?.include_usage === true,
  };
}

/** POST /v1/chat/completions, streaming or not. */
export async function handleChat(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readTypedBody(ctx, req, res, chatRequestSchema);
  if (!body) return;
  const inputChars = JSON.stringify(body.value.messages).length;
  const receivedAtMs = ctx.infer.received();
  const prepared = prepare(ctx, body.value, res);
  if (prepared === null) return;
  if (body.value.stream) return runChatStream(ctx, res, prepared, receivedAtMs, inputChars);
  const permit = ctx.infer.tryAcquire();
  if (!permit) return sendInferError(res, overloadedError());
  if (isInferError(prepared)) {
    permit.release();
    ctx.infer.rejected(prepared);
    return sendInferError(res, prepared);
  }
  const collector = new ChatCollector(prepared.frame);
  const sink: RequestSink = {
    token: (e, index) => collector.add(e, index),
    end(result) {
      const usage = usageOf(result.inputTokens, result.generatedTokens);
      sendJson(res, 200, collector.completion(result.finish, usage), timingHeaders(result, inputChars));
    },
    fail: (error) => sendInferError(res, error),
  };
  const submitted = ctx.infer.submit(prepared.valid, prepared.plan, permit, receivedAtMs, sink);
  cancelOnClose(res, submitted);
}

function runChatStream(
  ctx: RouteContext,
  res: ServerResponse,
  prepared: Prepared | InferError,
  receivedAtMs: number,
  inputChars: number,
): void {
  const sse = new SseStream(res, ctx.sse);
  sse.open(streamHeaders(inputChars));
  const fail = (error: InferError): void => {
    sse.send(JSON.stringify(openAiStreamErrorBody(error)));
    sse.send('[DONE]');
    sse.end();
  };
  const permit = ctx.infer.tryAcquire();
  if (!permit) return fail(overloadedError());
  if (isInferError(prepared)) {
    permit.release();
    ctx.infer.rejected(prepared);
    return fail(prepared);
  }
  const chunk = createChunkWriter(prepared.frame);
  const sink: RequestSink = {
    token: (e, index) => sse.send(chunk(e, index)),
    end(result) {
      if (prepared.includeUsage) {
        sse.send(usageChunk(prepared.frame, usageOf(result.inputTokens, result.generatedTokens)));
      }
      sse.send('[DONE]');
      sse.end();
    },
    fail,
  };
  const submitted = ctx.infer.submit(prepared.valid, prepared.plan, permit, receivedAtMs, sink);
  cancelOnClose(res, submitted);
}
