/**
 * Contract between the scheduler (continuous batching) and the performance model (roofline).
 * The scheduler asks "how long does this forward step take?"; the model answers from a profile.
 */

/** A GPU x model x tensor-parallel profile, stored as JSON in profiles/. Name: `<model>@<gpu>[-tp<N>]`. */
export interface Profile {
  name: string;
  model: {
    id: string;
    paramsB: number;
    layers: number;
    hiddenSize: number;
    heads: number;
    kvHeads: number;
    headDim: number;
    ffnSize: number;
    vocabSize: number;
    bytesPerParam: number;
    maxPositionEmbeddings: number;
  };
  gpu: {
    name: string;
    memoryGB: number;
    hbmBandwidthGBps: number;
    bf16Tflops: number;
  };
  tensorParallel: number;
  efficiency: {
    /** Achieved fraction of HBM bandwidth on decode steps. */
    mbu: number;
    /** Achieved fraction of peak FLOPs on prefill tokens. */
    mfu: number;
    /** Fixed per-step overhead (scheduling, kernel launches, sampling), ms. */
    stepOverheadMs: number;
  };
  /** Output length when the model stops on its own (EOS): lognormal over tokens. */
  eosLength: { medianTokens: number; sigma: number };
  /** Cold start: weights load + warmup, seconds, when not overridden by --load-time-sec. */
  loadTimeSec: number;
}

/** One forward pass: decode tokens for the running batch plus (chunked) prefill tokens riding along. */
export interface StepInput {
  /** Sequences producing one token this step. */
  decodeSeqs: number;
  /** Sum over decoding sequences of their current context length (input + generated), tokens. */
  decodeContextTokens: number;
  /** Prompt tokens prefilled this step (all new/chunked prefills together). */
  prefillTokens: number;
  /**
   * Optional: sum over the prefilling sequences of their tokens already in the KV cache before this
   * chunk (earlier chunks, prefix-cache hits). Adds the attention work of long chunked prompts;
   * 0 when omitted.
   */
  prefillContextTokens?: number;
  /** Optional: how many sequences the prefill tokens belong to (splits the causal attention work); 1 when omitted. */
  prefillSeqs?: number;
}

export interface PerfModel {
  readonly profile: Profile;
  /** Duration of one forward step, ms. */
  stepMs(input: StepInput): number;
  /** KV cache capacity in tokens: (memory x 0.9 x TP - weights) / KV bytes per token. TGI's max_batch_total_tokens. */
  readonly kvCapacityTokens: number;
  /** TGI's max_batch_prefill_tokens default for this profile. */
  readonly maxBatchPrefillTokens: number;
  /** TGI's max_total_tokens (per request: input + max_new_tokens). */
  readonly maxTotalTokens: number;
  /** TGI's max_input_tokens. */
  readonly maxInputTokens: number;
  readonly kvBytesPerToken: number;
}
