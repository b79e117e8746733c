import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FaultController, ModelServerFaults } from '../faults.ts';
import type { GenerationResult, Inference } from '../infer.ts';
import type { TgiMetrics } from '../metrics.ts';
import type { ModelServerConfig } from '../options.ts';
import type { PerfModel } from '../perf-types.ts';
import type { SseRegistry } from '../sse.ts';

/** The TGI version this simulator answers as (/info `version`, `system_fingerprint`). */
export const TGI_VERSION = '3.3.6';
export const SYSTEM_FINGERPRINT = `${TGI_VERSION}-native`;
export const COMPUTE_TYPE = 'gpu+optimized';

/** Everything a route handler may use; one per server "process" (replaced on restart). */
export interface RouteContext {
  readonly config: ModelServerConfig;
  readonly perf: PerfModel;
  readonly infer: Inference;
  readonly metrics: TgiMetrics;
  readonly faults: FaultController;
  readonly faultApi: ModelServerFaults;
  readonly sse: SseRegistry;
  nowMs(): number;
  /** Resolves when no hang is in force (at once if none is). */
  whenNotHung(): Promise<void>;
}

export type RouteHandler = (
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
) => Promise<void> | void;

/** TGI's timing headers on non-streaming answers (router/src/server.rs generate_internal). */
export function timingHeaders(result: GenerationResult, inputChars: number): OutgoingHttpHeaders {
  const t = result.timing;
  return {
    'x-compute-type': COMPUTE_TYPE,
    'x-compute-time': String(t.totalMs / 1000),
    'x-compute-characters': String(inputChars),
    'x-total-time': String(Math.round(t.totalMs)),
    'x-validation-time': String(Math.round(t.validationMs)),
    'x-queue-time': String(Math.round(t.queueMs)),
    'x-inference-time': String(Math.round(t.inferenceMs)),
    'x-time-per-token': String(Math.round(t.timePerTokenMs)),
    'x-prompt-tokens': String(result.inputTokens),
    'x-generated-tokens': String(result.generatedTokens),
  };
}

export function streamHeaders(inputChars: number): OutgoingHttpHeaders {
  return {
    'x-compute-type': COMPUTE_TYPE,
    'x-compute-characters': String(inputChars),
    'x-accel-buffering': 'no',
  };
}

/** OpenAI routes echo the request's model unless it is absent or "tgi" (router/src/server.rs). */
export function responseModel(requested: string | null | undefined, modelId: string): string {
  return requested && requested !== 'tgi' ? requested : modelId;
}

/** finish_reason on OpenAI routes: eos_token becomes "stop"; the others keep TGI's names. */
export function openAiFinishReason(finish: string): string {
  return finish === 'eos_token' ? 'stop' : finish;
}
