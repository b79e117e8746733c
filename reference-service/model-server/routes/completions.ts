import type { IncomingMessage, ServerResponse } from 'node:http';
import { cancelOnClose, sendInferError, sendJson } from '../http-io.ts';
import type { GenerationResult, Permit, RequestSink, Submitted } from '../infer.ts';
import {
  isInferError,
  openAiStreamErrorBody,
  overloadedError,
  validationError,
  type InferError,
} from '../infer-errors.ts';
import {
  completionRequestSchema,
  openAiParameters,
  type CompletionRequestBody,
  type GenerateParameters,
} from '../request-schemas.ts';
import { SseStream } from '../sse.ts';
import type { EmittedToken } from '../token-stream.ts';
import { validateRequest, type ValidRequest } from '../validation.ts';
import { readTypedBody } from './body.ts';
import { usageOf } from './chat-format.ts';
import {
  SYSTEM_FINGERPRINT,
  openAiFinishReason,
  responseModel,
  streamHeaders,
  timingHeaders,
  type RouteContext,
} from './context.ts';

/**
 * POST /v1/completions (OpenAI legacy completions, router/src/server.rs completions): `prompt` may
 * be a list of up to max_client_batch_size prompts, each generated as its own request and answered
 * as choice `index`; streams interleave their chunks and end with one `[DONE]`.
 */

function completionParameters(b: CompletionRequestBody): GenerateParameters {
  return {
    ...openAiParameters(b),
    repetition_penalty: b.repetition_penalty,
    max_new_tokens: b.max_tokens ?? null,
  };
}

function validateAll(ctx: RouteContext, b: CompletionRequestBody): ValidRequest[] | InferError {
  if (b.suffix)
    return validationError('Suffix is not supported and can be achieved by preprocessing the prompt.');
  const prompts = typeof b.prompt === 'string' ? [b.prompt] : b.prompt;
  if (prompts.length === 0) return validationError('`inputs` cannot be empty');
  if (prompts.length > ctx.config.maxClientBatchSize) {
    return validationError(
      `Number of prompts exceeds the maximum client batch size: ${prompts.length} > ${ctx.config.maxClientBatchSize}`,
    );
  }
  const parameters = completionParameters(b);
  const out: ValidRequest[] = [];
  for (const inputs of prompts) {
    const valid = validateRequest(
      { inputs, parameters, stream: b.stream, derivedSeed: ctx.infer.derivedSeed(inputs) },
      ctx.config,
    );
    if (isInferError(valid)) return valid;
    out.push(valid);
  }
  return out;
}

function acquireAll(ctx: RouteContext, count: number): Permit[] | null {
  const permits: Permit[] = [];
  for (let i = 0; i < count; i++) {
    const permit = ctx.infer.tryAcquire();
    if (!permit) {
      for (const p of permits) p.release();
      return null;
    }
    permits.push(permit);
  }
  return permits;
}

export async function handleCompletions(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readTypedBody(ctx, req, res, completionRequestSchema);
  if (body) new CompletionsJob(ctx, res, body.value).run();
}

/** One /v1/completions request: its prompts' generations and the one answer (or stream) they make. */
class CompletionsJob {
  private readonly receivedAtMs: number;
  private readonly model: string;
  private readonly createdSec = Math.floor(Date.now() / 1000);
  private readonly head: string;
  private readonly inputChars: number;
  private readonly sse: SseStream | null;
  private readonly submitted: Submitted[] = [];
  private readonly results: (GenerationResult | undefined)[] = [];
  /** Non-streaming only: each prompt's text so far (a stream writes its tokens instead). */
  private texts: string[] = [];
  private ended = 0;
  private done = false;

  constructor(
    private readonly ctx: RouteContext,
    private readonly res: ServerResponse,
    private readonly body: CompletionRequestBody,
  ) {
    this.receivedAtMs = ctx.infer.received();
    this.model = responseModel(body.model, ctx.config.modelId);
    this.head = `{"object":"text_completion","id":"","created":${this.createdSec},"model":${JSON.stringify(this.model)},"system_fingerprint":"${SYSTEM_FINGERPRINT}"`;
    this.inputChars = typeof body.prompt === 'string' ? body.prompt.length : body.prompt.join('').length;
    this.sse = body.stream ? new SseStream(res, ctx.sse) : null;
  }

  run(): void {
    this.sse?.open(streamHeaders(this.inputChars));
    const prompts = typeof this.body.prompt === 'string' ? 1 : this.body.prompt.length;
    const permits = acquireAll(this.ctx, Math.max(1, Math.min(prompts, this.ctx.config.maxClientBatchSize)));
    if (!permits) return this.fail(overloadedError());
    const valid = validateAll(this.ctx, this.body);
    if (!Array.isArray(valid)) {
      for (const p of permits) p.release();
      this.ctx.infer.rejected(valid);
      return this.fail(valid);
    }
    this.texts = valid.map(() => '');
    valid.forEach((request, index) => {
      const sink = this.sinkFor(index, valid.length);
      this.submitted.push(
        this.ctx.infer.submit(request, { kind: 'text' }, permits[index]!, this.receivedAtMs, sink),
      );
    });
    cancelOnClose(this.res, { cancel: () => this.submitted.forEach((s) => s.cancel()) });
  }

  private fail(error: InferError): void {
    if (this.done) return;
    this.done = true;
    for (const s of this.submitted) s.cancel();
    if (!this.sse) return sendInferError(this.res, error);
    this.sse.send(JSON.stringify(openAiStreamErrorBody(error)));
    this.sse.send('[DONE]');
    this.sse.end();
  }

  private sinkFor(index: number, count: number): RequestSink {
    return {
      token: (e: EmittedToken) => {
        if (!this.sse) {
          if (!e.token.special) this.texts[index] += e.token.text;
          return;
        }
        const finish = e.finish === null ? 'null' : `"${openAiFinishReason(e.finish)}"`;
        const text = e.token.special ? '""' : e.token.json;
        this.sse.send(
          `${this.head},"choices":[{"index":${index},"text":${text},"logprobs":null,"finish_reason":${finish}}]}`,
        );
      },
      end: (result) => {
        this.results[index] = result;
        if (++this.ended === count) this.finish();
      },
      fail: (error) => this.fail(error),
    };
  }

  private finish(): void {
    this.done = true;
    if (this.sse) {
      this.sse.send('[DONE]');
      return this.sse.end();
    }
    const results = this.results as GenerationResult[];
    const choices = results.map((r, index) => ({
      index,
      text: this.texts[index],
      logprobs: null,
      finish_reason: openAiFinishReason(r.finish),
    }));
    const inputTokens = results.reduce((a, r) => a + r.inputTokens, 0);
    const generated = results.reduce((a, r) => a + r.generatedTokens, 0);
    const answer = {
      object: 'text_completion',
      id: '',
      created: this.createdSec,
      model: this.model,
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices,
      usage: usageOf(inputTokens, generated),
    };
    sendJson(this.res, 200, answer, timingHeaders(results[0]!, this.inputChars));
  }
}
