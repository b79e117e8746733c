import type { IncomingMessage, ServerResponse } from 'node:http';
import { cancelOnClose, sendInferError, sendJson } from '../http-io.ts';
import type { GenerationResult, RequestSink } from '../infer.ts';
import { errorBody, isInferError, overloadedError, type InferError } from '../infer-errors.ts';
import { DEFAULT_PARAMETERS, generateRequestSchema, type GenerateRequestBody } from '../request-schemas.ts';
import { SseStream } from '../sse.ts';
import type { EmittedToken } from '../token-stream.ts';
import { segment } from '../tokenizer.ts';
import { validateRequest, type ValidRequest } from '../validation.ts';
import { idForText, type VocabToken } from '../vocab.ts';
import { readTypedBody } from './body.ts';
import { streamHeaders, timingHeaders, type RouteContext } from './context.ts';

/** TGI's Token JSON, built by hand: this runs once per token per stream. */
export function tokenJson(e: EmittedToken): string {
  return `{"id":${e.token.id},"text":${e.token.json},"logprob":${e.logprob},"special":${e.token.special}}`;
}

function validate(ctx: RouteContext, body: GenerateRequestBody, stream: boolean): ValidRequest | InferError {
  const { config } = ctx;
  return validateRequest(
    {
      inputs: body.inputs,
      parameters: body.parameters ?? DEFAULT_PARAMETERS,
      stream,
      derivedSeed: ctx.infer.derivedSeed(body.inputs),
    },
    config,
  );
}

/** decoder_input_details: the prompt's tokens, first logprob null as TGI reports it. */
function prefillDetails(
  valid: ValidRequest,
  vocabSize: number,
): { id: number; text: string; logprob: number | null }[] {
  if (!valid.decoderInputDetails) return [];
  return segment(valid.inputs).map((text, i) => ({
    id: idForText(text, vocabSize),
    text,
    logprob: i === 0 ? null : -1,
  }));
}

/** POST /generate, and POST / without `stream` (answered as a one-element array). */
export async function handleGenerate(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  compat: boolean,
): Promise<void> {
  const body = await readTypedBody(ctx, req, res, generateRequestSchema);
  if (!body) return;
  if (compat && body.value.stream) return runGenerateStream(ctx, res, body.value);
  const receivedAtMs = ctx.infer.received();
  const permit = ctx.infer.tryAcquire();
  if (!permit) return sendInferError(res, overloadedError());
  const valid = validate(ctx, body.value, false);
  if (isInferError(valid)) {
    permit.release();
    ctx.infer.rejected(valid);
    return sendInferError(res, valid);
  }
  let text = '';
  const tokens: { id: number; text: string; logprob: number; special: boolean }[] = [];
  const sink: RequestSink = {
    token(e) {
      if (!e.token.special) text += e.token.text;
      if (valid.details)
        tokens.push({ id: e.token.id, text: e.token.text, logprob: e.logprob, special: e.token.special });
    },
    end(result: GenerationResult) {
      const generated_text = valid.returnFullText ? valid.inputs + text : text;
      const details = valid.details
        ? {
            finish_reason: result.finish,
            generated_tokens: result.generatedTokens,
            seed: result.seed,
            prefill: prefillDetails(valid, ctx.perf.profile.model.vocabSize),
            tokens,
          }
        : undefined;
      const answer = details ? { generated_text, details } : { generated_text };
      sendJson(res, 200, compat ? [answer] : answer, timingHeaders(result, valid.inputs.length));
    },
    fail(error) {
      sendInferError(res, error);
    },
  };
  const submitted = ctx.infer.submit(valid, { kind: 'text' }, permit, receivedAtMs, sink);
  cancelOnClose(res, submitted);
}

/** POST /generate_stream (and POST / with `stream`): one event per token, errors as events in a 200. */
export async function handleGenerateStream(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readTypedBody(ctx, req, res, generateRequestSchema);
  if (body) runGenerateStream(ctx, res, body.value);
}

function runGenerateStream(ctx: RouteContext, res: ServerResponse, body: GenerateRequestBody): void {
  const receivedAtMs = ctx.infer.received();
  const sse = new SseStream(res, ctx.sse);
  sse.open(streamHeaders(body.inputs.length));
  const fail = (error: InferError): void => {
    sse.send(JSON.stringify(errorBody(error)));
    sse.end();
  };
  const permit = ctx.infer.tryAcquire();
  if (!permit) return fail(overloadedError());
  const valid = validate(ctx, body, true);
  if (isInferError(valid)) {
    permit.release();
    ctx.infer.rejected(valid);
    return fail(valid);
  }
  // Token references, joined at the end: `text += ...` would leave a cons string per token per
  // stream that survives every scavenge (measurably longer GC pauses at 1,000 streams).
  const textTokens: VocabToken[] = [];
  let index = 0;
  let last: EmittedToken | null = null;
  const sink: RequestSink = {
    token(e) {
      index++;
      if (!e.token.special) textTokens.push(e.token);
      if (e.finish !== null) {
        last = e;
        return;
      }
      sse.send(`{"index":${index},"token":${tokenJson(e)},"generated_text":null,"details":null}`);
    },
    end(result) {
      const text = textTokens.map((t) => t.text).join('');
      const generated = JSON.stringify(valid.returnFullText ? valid.inputs + text : text);
      const details = valid.details
        ? JSON.stringify({
            finish_reason: result.finish,
            generated_tokens: result.generatedTokens,
            seed: result.seed,
            input_length: result.inputTokens,
          })
        : 'null';
      const token = last ? tokenJson(last) : 'null';
      sse.send(`{"index":${index},"token":${token},"generated_text":${generated},"details":${details}}`);
      sse.end();
    },
    fail,
  };
  const submitted = ctx.infer.submit(valid, { kind: 'text' }, permit, receivedAtMs, sink);
  cancelOnClose(res, submitted);
}
