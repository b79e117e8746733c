import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendEmpty, sendJson, sendText } from '../http-io.ts';
import { generateRequestSchema } from '../request-schemas.ts';
import { segment } from '../tokenizer.ts';
import { idForText } from '../vocab.ts';
import { readTypedBody } from './body.ts';
import { TGI_VERSION, type RouteContext } from './context.ts';

/**
 * GET /info: TGI's Info (router/src/lib.rs), plus the batching fields older TGI versions reported
 * (max_batch_total_tokens and friends, which load testers read to size their runs), plus a
 * `simulator` block that no TGI has.
 */
export function infoBody(ctx: RouteContext): Record<string, unknown> {
  const { config, perf } = ctx;
  const profile = perf.profile;
  return {
    model_id: config.modelId,
    model_sha: null,
    model_dtype: 'torch.bfloat16',
    model_device_type: 'cuda',
    model_pipeline_tag: 'text-generation',
    max_concurrent_requests: config.maxConcurrentRequests,
    max_best_of: config.maxBestOf,
    max_stop_sequences: config.maxStopSequences,
    max_input_tokens: config.maxInputTokens,
    max_total_tokens: config.maxTotalTokens,
    validation_workers: 2,
    max_client_batch_size: config.maxClientBatchSize,
    router: 'text-generation-router',
    version: TGI_VERSION,
    sha: null,
    docker_label: null,
    max_input_length: config.maxInputTokens,
    max_batch_total_tokens: config.kvCapacityTokens,
    max_batch_prefill_tokens: config.maxBatchPrefillTokens,
    max_waiting_tokens: 20,
    waiting_served_ratio: 0.3,
    max_batch_size: null,
    simulator: {
      profile: profile.name,
      gpu: profile.gpu.name,
      tensor_parallel: profile.tensorParallel,
      kv_bytes_per_token: perf.kvBytesPerToken,
      seed: config.seed,
    },
  };
}

export function handleInfo(ctx: RouteContext, _req: IncomingMessage, res: ServerResponse): void {
  sendJson(res, 200, infoBody(ctx));
}

export function handleModels(ctx: RouteContext, _req: IncomingMessage, res: ServerResponse): void {
  const id = ctx.config.modelId;
  sendJson(res, 200, { object: 'list', data: [{ id, object: 'model', created: 0, owned_by: id }] });
}

/** GET /health: 200 with no body, or 503; it does not answer while a hang is in force. */
export async function handleHealth(
  ctx: RouteContext,
  _req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  await ctx.whenNotHung();
  if (res.destroyed) return;
  if (ctx.infer.checkHealth()) return sendEmpty(res, 200);
  sendJson(res, 503, { error: 'unhealthy', error_type: 'healthcheck' });
}

export async function handleMetrics(
  ctx: RouteContext,
  _req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const text = await ctx.metrics.render();
  sendText(res, 200, text, { 'content-type': ctx.metrics.contentType });
}

/** POST /tokenize: the simulator's own tokenization of `inputs`, as TGI's SimpleToken list. */
export async function handleTokenize(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readTypedBody(ctx, req, res, generateRequestSchema);
  if (!body) return;
  let start = 0;
  const tokens = segment(body.value.inputs).map((text) => {
    const token = {
      id: idForText(text, ctx.perf.profile.model.vocabSize),
      text,
      start,
      stop: start + text.length,
    };
    start += text.length;
    return token;
  });
  sendJson(res, 200, tokens);
}
