/**
 * Roofline performance model of one TGI forward step on a GPU x model x TP profile.
 *
 * One step processes `decodeSeqs` decode tokens plus `prefillTokens` (chunked) prompt tokens in a
 * single forward pass, as TGI does with prefill chunking. Per step, per GPU (TP shards weights,
 * KV heads and FLOPs evenly):
 *   memory bytes  = W/TP + (decode context + prefill context) x kvB/TP   (weights + KV read)
 *                        + prefill tokens x kvB/TP                        (KV written)
 *   memoryMs      = memory bytes / (HBM bandwidth x MBU)
 *   linear FLOPs  = 2 x P x (decodeSeqs + prefillTokens)                  (matmuls, 2 per param)
 *   attn FLOPs    = 4 x L x H x (decode context + n x (prefill context + n/2) / k)
 *   computeMs     = FLOPs / (TP x peak BF16 FLOPs x MFU)
 *   stepMs        = overhead + max(computeMs, memoryMs)
 * W = weight bytes, P = params, L = layers, H = hidden size, kvB = 2 x L x kvHeads x headDim x
 * bytes, n = prefill tokens over k sequences. The max() is the roofline: a step stays at the weight-read floor until the tokens per
 * step reach the ridge point (bytesPerParam x peak x MFU) / (2 x bandwidth x MBU), then grows
 * linearly. Assumptions (docs/model-server.md): dense model; KV in the weights' dtype; the
 * embedding table and LM head count as read and multiplied every step (absorbed by MBU/MFU);
 * TP communication is folded into the per-step overhead and the profile's MBU/MFU.
 */
import { HarnessError } from '../../harness/errors.ts';
import type { PerfModel, Profile, StepInput } from './perf-types.ts';

/** Share of device memory TGI sizes the KV cache from (TGI_WIGGLE_ROOM default 0.90). */
export const MEMORY_FRACTION = 0.9;
/** TGI launcher's fallback max_batch_prefill_tokens when it does not know the card. */
export const TGI_DEFAULT_PREFILL_TOKENS = 4096;
/**
 * Card FP16 FLOPs in TGI's launcher table (launcher/src/main.rs), keyed by our GPU slug. TGI
 * uses 900 TF for H100, not the 989 TF datasheet figure the roofline uses.
 */
export const TGI_CARD_TFLOPS: Readonly<Record<string, number>> = Object.freeze({
  h100: 900,
  h200: 989,
  'a100-80g': 312,
  l4: 121,
  a10g: 125,
});

const BYTES_PER_GB = 1e9;

export function weightBytes(profile: Profile): number {
  return profile.model.paramsB * 1e9 * profile.model.bytesPerParam;
}

/** 2 (K and V) x layers x KV heads x head dim x bytes per element (KV in the weights' dtype). */
export function kvBytesPerToken(model: Profile['model']): number {
  return 2 * model.layers * model.kvHeads * model.headDim * model.bytesPerParam;
}

/** (memory x 0.9 x TP - weights) / KV bytes per token; 0 when the weights do not fit. */
export function kvCapacityTokens(profile: Profile): number {
  const freeBytes =
    profile.gpu.memoryGB * BYTES_PER_GB * MEMORY_FRACTION * profile.tensorParallel - weightBytes(profile);
  return Math.max(0, Math.floor(freeBytes / kvBytesPerToken(profile.model)));
}

/** TGI launcher's per-token model FLOPs: layers x (2 hd h (3 nh + 2 nkv) + 6 h ff). */
export function tgiFlopsPerToken(model: Profile['model']): number {
  const attention = 2 * model.headDim * model.hiddenSize * (3 * model.heads + 2 * model.kvHeads);
  const mlp = 6 * model.hiddenSize * model.ffnSize;
  return model.layers * (attention + mlp);
}

/**
 * TGI's default max_batch_prefill_tokens: min(card FLOPs x shards / model FLOPs per token,
 * max_position_embeddings), 4096 for an unknown card. Newer launchers also cap it by a VRAM
 * estimate whose formula the reference does not give; we cap it by the KV capacity instead.
 */
export function tgiMaxBatchPrefillTokens(profile: Profile): number {
  const cardTflops = TGI_CARD_TFLOPS[profile.gpu.name];
  const computeOptimal =
    cardTflops === undefined
      ? TGI_DEFAULT_PREFILL_TOKENS
      : Math.floor((cardTflops * 1e12 * profile.tensorParallel) / tgiFlopsPerToken(profile.model));
  const tokens = computeOptimal > 100 ? computeOptimal : TGI_DEFAULT_PREFILL_TOKENS;
  return Math.max(1, Math.min(tokens, profile.model.maxPositionEmbeddings, kvCapacityTokens(profile)));
}

/** Tokens per step at which compute time equals weight-read time (the effective ridge point). */
export function ridgeTokens(profile: Profile): number {
  const { gpu, efficiency, model } = profile;
  const peakFlopsPerSec = gpu.bf16Tflops * 1e12 * efficiency.mfu;
  const bytesPerSec = gpu.hbmBandwidthGBps * BYTES_PER_GB * efficiency.mbu;
  return (model.bytesPerParam * peakFlopsPerSec) / (2 * bytesPerSec);
}

export interface StepBreakdown {
  /** Matmul FLOPs over all GPUs: 2 x params x tokens. */
  linearFlops: number;
  /** Attention score/value FLOPs over all GPUs. */
  attentionFlops: number;
  /** Weight bytes read per GPU. */
  weightBytesPerGpu: number;
  /** KV bytes read and written per GPU. */
  kvBytesPerGpu: number;
  computeMs: number;
  memoryMs: number;
  /** The matmul share of computeMs. */
  linearComputeMs: number;
  /** The weight-read share of memoryMs. */
  weightReadMs: number;
  overheadMs: number;
  stepMs: number;
  bound: 'compute' | 'memory';
}

function checkStepInput(input: StepInput): void {
  const fields: [string, number | undefined][] = [
    ['decodeSeqs', input.decodeSeqs],
    ['decodeContextTokens', input.decodeContextTokens],
    ['prefillTokens', input.prefillTokens],
    ['prefillContextTokens', input.prefillContextTokens],
    ['prefillSeqs', input.prefillSeqs],
  ];
  for (const [name, value] of fields) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new HarnessError(`perf-model: StepInput.${name} must be a finite number >= 0, got ${value}`, {
        hint: 'This is a scheduler bug: report it with the scenario that triggered it.',
      });
    }
  }
}

export function stepBreakdown(profile: Profile, input: StepInput): StepBreakdown {
  checkStepInput(input);
  const { model, gpu, efficiency, tensorParallel: tp } = profile;
  const prefillContext = input.prefillContextTokens ?? 0;
  const kvB = kvBytesPerToken(model);
  const weightBytesPerGpu = weightBytes(profile) / tp;
  const kvBytesPerGpu = ((input.decodeContextTokens + prefillContext + input.prefillTokens) * kvB) / tp;
  const linearFlops = 2 * model.paramsB * 1e9 * (input.decodeSeqs + input.prefillTokens);
  // Causal self-attention of n new tokens split evenly over k sequences, over p cached tokens:
  // n x p / k + n^2 / (2k) query-key pairs (p spread evenly too), 4 FLOPs per pair per hidden
  // unit per layer (QK^T and AV). A decode token attends to its whole context.
  const n = input.prefillTokens;
  const k = Math.max(1, input.prefillSeqs ?? 1);
  const attentionPairs =
    input.decodeContextTokens + (n > 0 ? (n * prefillContext) / k + (n * n) / (2 * k) : 0);
  const attentionFlops = 4 * model.layers * model.hiddenSize * attentionPairs;
  const msPerFlop = 1e3 / (tp * gpu.bf16Tflops * 1e12 * efficiency.mfu);
  const msPerByte = 1e3 / (gpu.hbmBandwidthGBps * BYTES_PER_GB * efficiency.mbu);
  const computeMs = (linearFlops + attentionFlops) * msPerFlop;
  const memoryMs = (weightBytesPerGpu + kvBytesPerGpu) * msPerByte;
  const overheadMs = efficiency.stepOverheadMs;
  return {
    linearFlops,
    attentionFlops,
    weightBytesPerGpu,
    kvBytesPerGpu,
    computeMs,
    memoryMs,
    linearComputeMs: linearFlops * msPerFlop,
    weightReadMs: weightBytesPerGpu * msPerByte,
    overheadMs,
    stepMs: overheadMs + Math.max(computeMs, memoryMs),
    bound: computeMs > memoryMs ? 'compute' : 'memory',
  };
}

/** Builds the model for a validated profile (see profiles.ts `loadProfile`). */
export function createPerfModel(profile: Profile): PerfModel {
  const kvCapacity = kvCapacityTokens(profile);
  if (kvCapacity < 1) {
    throw new HarnessError(
      `perf-model: profile ${profile.name} leaves no memory for the KV cache (weights ${(
        weightBytes(profile) / BYTES_PER_GB
      ).toFixed(1)} GB > ${MEMORY_FRACTION} x ${profile.gpu.memoryGB} GB x TP ${profile.tensorParallel})`,
      { hint: 'Load profiles through loadProfile(), which rejects profiles whose weights do not fit.' },
    );
  }
  const maxTotalTokens = Math.min(kvCapacity, profile.model.maxPositionEmbeddings);
  return Object.freeze({
    profile,
    kvCapacityTokens: kvCapacity,
    maxBatchPrefillTokens: tgiMaxBatchPrefillTokens(profile),
    maxTotalTokens,
    maxInputTokens: maxTotalTokens - 1,
    kvBytesPerToken: kvBytesPerToken(profile.model),
    stepMs: (input: StepInput) => stepBreakdown(profile, input).stepMs,
  });
}
