/**
 * Where every number in profiles/*.json comes from. The JSON files are generated from this
 * catalog by `node --import tsx reference-service/model-server/calibration/write-profiles.ts`
 * and a test keeps them equal, so change the rules here, never the JSON by hand.
 * Sources are ../shared/reference/tgi-and-capacity.md sections (2.5 specs, 2.6 roofline table,
 * 2.7 anchors); the calibration itself is in docs/model-server.md.
 */
import { kvCapacityTokens, weightBytes } from '../perf-model.ts';
import type { Profile } from '../perf-types.ts';

/** Model architectures (Hugging Face config.json of meta-llama/Llama-3.1-*-Instruct), BF16. */
export const MODELS = {
  'llama-3.1-8b': {
    id: 'meta-llama/Llama-3.1-8B-Instruct',
    paramsB: 8.03,
    layers: 32,
    hiddenSize: 4096,
    heads: 32,
    kvHeads: 8,
    headDim: 128,
    ffnSize: 14336,
    vocabSize: 128256,
    bytesPerParam: 2,
    maxPositionEmbeddings: 131072,
  },
  'llama-3.1-70b': {
    id: 'meta-llama/Llama-3.1-70B-Instruct',
    paramsB: 70.55,
    layers: 80,
    hiddenSize: 8192,
    heads: 64,
    kvHeads: 8,
    headDim: 128,
    ffnSize: 28672,
    vocabSize: 128256,
    bytesPerParam: 2,
    maxPositionEmbeddings: 131072,
  },
} satisfies Record<string, Profile['model']>;

type Interconnect = 'nvlink' | 'pcie';

interface GpuEntry {
  spec: Profile['gpu'];
  /** Decode MBU at TP 1-4. */
  mbu: number;
  /** Prefill MFU at TP 1-4. */
  mfu: number;
  interconnect: Interconnect;
}

/**
 * Specs from reference 2.5 (dense BF16, no sparsity). Efficiencies:
 * - H100: Vidur linear-op profiles, Llama-2-7B TP1 MBU 69% / MFU 65%, Llama-2-70B TP4 71% / 64%.
 * - A100: Vidur, Llama-3-8B TP1 71% / 67%, Llama-3-70B TP4 67% / 69%.
 * - H200: same compute die as H100, so MFU as H100; MBU 0.60 fitted to the vLLM dashboard H200
 *   latency test (8B TP1 833 ms, 70B TP4 2,078 ms) with the same per-step overhead as H100
 *   (HBM3e's 4.8 TB/s is harder to saturate at batch 8). No H200 anchor is held out.
 * - L4, A10G: no usable anchor; carry over the A100 efficiencies (uncalibrated). A10G's peak is
 *   TGI's 125 TF (the A10 figure; A10G's own tensor peak is lower and unpublished), so A10G
 *   prefill is optimistic.
 */
export const GPUS = {
  h100: {
    spec: { name: 'h100', memoryGB: 80, hbmBandwidthGBps: 3350, bf16Tflops: 989 },
    mbu: 0.7,
    mfu: 0.65,
    interconnect: 'nvlink',
  },
  h200: {
    spec: { name: 'h200', memoryGB: 141, hbmBandwidthGBps: 4800, bf16Tflops: 989 },
    mbu: 0.6,
    mfu: 0.65,
    interconnect: 'nvlink',
  },
  'a100-80g': {
    spec: { name: 'a100-80g', memoryGB: 80, hbmBandwidthGBps: 2039, bf16Tflops: 312 },
    mbu: 0.7,
    mfu: 0.67,
    interconnect: 'nvlink',
  },
  l4: {
    spec: { name: 'l4', memoryGB: 24, hbmBandwidthGBps: 300, bf16Tflops: 121 },
    mbu: 0.7,
    mfu: 0.67,
    interconnect: 'pcie',
  },
  a10g: {
    spec: { name: 'a10g', memoryGB: 24, hbmBandwidthGBps: 600, bf16Tflops: 125 },
    mbu: 0.7,
    mfu: 0.67,
    interconnect: 'pcie',
  },
} satisfies Record<string, GpuEntry>;

export const TENSOR_PARALLEL_DEGREES = [1, 2, 4, 8] as const;

/**
 * Vidur at TP 8 (Llama-2-70B, H100): MBU 61% and MFU 58% against 71% / 64% at TP 4, i.e. x0.87
 * and x0.9; TP 2 and 4 keep the TP-1 values (Vidur shows no drop up to TP 4).
 */
const TP8_MBU_FACTOR = 0.87;
const TP8_MFU_FACTOR = 0.9;

/**
 * Per-step overhead = CPU-side work (scheduling, sampling, kernel launches between CUDA-graph
 * replays) + two all-reduces per layer under TP. BASE is fitted to the vLLM dashboard H100 8B TP1
 * latency test; the all-reduce latency to its 70B TP4 test (about 20 us per small all-reduce over
 * NVLink, in line with NCCL's small-message latency). PCIe cards (L4, A10G) have no NVLink: the
 * 40 us figure is an assumption, not a measurement.
 */
export const BASE_STEP_OVERHEAD_MS = 1.0;
const ALL_REDUCE_US: Record<Interconnect, number> = { nvlink: 20, pcie: 40 };

/** Smallest KV cache, in tokens, for which a profile is shipped (a 4k-token request must fit). */
export const MIN_KV_CAPACITY_TOKENS = 4096;

/**
 * EOS output length, the same for both models: lognormal with sigma 0.8 and median 130 tokens,
 * so its mean 130 x e^(0.8^2/2) = 179 tokens matches ShareGPT's average output (vLLM blog, 2.7d).
 * An assumption about chat workloads, not a property of the GPU.
 */
export const EOS_LENGTH = { medianTokens: 130, sigma: 0.8 } as const;

/**
 * Cold start = process start (Python imports, CUDA and NCCL init) + weight load from local disk +
 * warmup (max-size prefill, KV sizing, CUDA-graph capture). Anecdotes (reference 1.1): "Shard
 * ready in 22.9s" for a small model, then ~1.6 s warmup; a TGI log of Llama-3.1-8B-Instruct shows
 * "Shard ready in 47.6s". Weights are assumed already downloaded (TGI's /data volume); all shards
 * of a node read one disk, so load time uses total weight bytes.
 */
export const COLD_START = { processStartSec: 20, diskGBps: 1.0, warmupSec: 5 } as const;

export type ModelSlug = keyof typeof MODELS;
export type GpuSlug = keyof typeof GPUS;

export function profileName(modelSlug: string, gpuSlug: string, tensorParallel: number): string {
  return `${modelSlug}@${gpuSlug}${tensorParallel === 1 ? '' : `-tp${tensorParallel}`}`;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function buildProfile(modelSlug: ModelSlug, gpuSlug: GpuSlug, tensorParallel: number): Profile {
  const model = MODELS[modelSlug];
  const gpu: GpuEntry = GPUS[gpuSlug];
  const tp8 = tensorParallel >= 8;
  const allReduceMs = tensorParallel > 1 ? (2 * model.layers * ALL_REDUCE_US[gpu.interconnect]) / 1000 : 0;
  const weightsGB = (model.paramsB * 1e9 * model.bytesPerParam) / 1e9;
  return {
    name: profileName(modelSlug, gpuSlug, tensorParallel),
    model: { ...model },
    gpu: { ...gpu.spec },
    tensorParallel,
    efficiency: {
      mbu: round(gpu.mbu * (tp8 ? TP8_MBU_FACTOR : 1), 3),
      mfu: round(gpu.mfu * (tp8 ? TP8_MFU_FACTOR : 1), 3),
      stepOverheadMs: round(BASE_STEP_OVERHEAD_MS + allReduceMs, 2),
    },
    eosLength: { ...EOS_LENGTH },
    loadTimeSec: round(
      COLD_START.processStartSec + weightsGB / COLD_START.diskGBps + COLD_START.warmupSec,
      1,
    ),
  };
}

export interface SkippedCombination {
  name: string;
  reason: string;
}

/** Every model x GPU x TP in the catalog, split into shipped profiles and skipped ones. */
export function buildCatalog(): { profiles: Profile[]; skipped: SkippedCombination[] } {
  const profiles: Profile[] = [];
  const skipped: SkippedCombination[] = [];
  for (const modelSlug of Object.keys(MODELS) as ModelSlug[]) {
    for (const gpuSlug of Object.keys(GPUS) as GpuSlug[]) {
      for (const tp of TENSOR_PARALLEL_DEGREES) {
        const profile = buildProfile(modelSlug, gpuSlug, tp);
        const kvTokens = kvCapacityTokens(profile);
        if (kvTokens >= MIN_KV_CAPACITY_TOKENS) {
          profiles.push(profile);
        } else {
          skipped.push({
            name: profile.name,
            reason: `${(weightBytes(profile) / 1e9).toFixed(1)} GB of weights leave ${kvTokens} KV tokens in 0.9 x ${profile.gpu.memoryGB} GB x ${tp} GPU(s)`,
          });
        }
      }
    }
  }
  return { profiles, skipped };
}
