/**
 * Published figures the perf model is calibrated and checked against, transcribed from
 * ../shared/reference/tgi-and-capacity.md 2.7 (sources cited there). Each anchor says what it
 * measured, how that differs from what the simulator represents (TGI, BF16), and its role:
 * - fit: used to choose an efficiency or overhead in profile-catalog.ts;
 * - check: held out; the error is the model's error;
 * - what-if: the anchor ran something the profiles do not represent (FP8, another engine); the
 *   shipped profile's prediction is shown as is, plus an FP8 variant for scale. Never tuned to.
 * - not-representable: too little is published to run the model; listed for completeness.
 * - bound: measured on this project's GPU machines with plain PyTorch (gpu-measurements.ts), an
 *   upper bound on TGI's time for the same work; never tuned to.
 */
import type { Profile } from '../perf-types.ts';

export type AnchorRole = 'fit' | 'check' | 'what-if' | 'not-representable' | 'bound';

export interface CurvePoint {
  concurrency: number;
  ttftMs: number;
  itlMs: number;
  outputTokensPerSec: number;
}

type MetricBody =
  /** Vidur operator profile: linear ops only (no attention, all-reduce, embeddings, LM head). */
  | { kind: 'linearOpsMs'; tokens: number; publishedMs: number }
  /** One decode step for `batch` sequences of `contextTokens` each. */
  | { kind: 'decodeStepMs'; batch: number; contextTokens: number; publishedMs: number }
  /** One forward of `batch` decode sequences at `contextTokens` plus one new prompt of `prefillTokens`. */
  | { kind: 'mixedStepMs'; batch: number; contextTokens: number; prefillTokens: number; publishedMs: number }
  /** One prefill forward of `batch` prompts of `inputTokens`. */
  | { kind: 'prefillMs'; batch: number; inputTokens: number; publishedMs: number }
  /** All `requests` submitted at once, no replacement: time until the last finishes. */
  | {
      kind: 'batchMakespanMs';
      requests: number;
      inputTokens: number;
      outputTokens: number;
      publishedMs: number;
      maxRunning?: number;
    }
  /** All `requests` submitted at once: requests / makespan. */
  | {
      kind: 'batchRequestsPerSec';
      requests: number;
      inputTokens: number;
      outputTokens: number;
      published: number;
      maxRunning?: number;
      /** Lognormal sigma of both lengths around the given means (lengths.ts); fixed when absent. */
      lengthSigma?: number;
    }
  /** Closed loop at concurrency 1. */
  | { kind: 'itlAtC1Ms' | 'ttftAtC1Ms'; inputTokens: number; outputTokens: number; publishedMs: number }
  /** Closed-loop concurrency sweep: saturation throughput and TTFT knee from the same points. */
  | { kind: 'concurrencySweep'; inputTokens: number; outputTokens: number; points: CurvePoint[] }
  /** Steady-state output tokens/s with `concurrency` clients (an offline run). */
  | {
      kind: 'offlineTokensPerSec';
      concurrency: number;
      inputTokens: number;
      outputTokens: number;
      published: number;
      maxRunning?: number;
    };

/** One published figure; `role` overrides the anchor's role for this figure. */
export type AnchorMetric = MetricBody & { role?: AnchorRole };

export interface Anchor {
  id: string;
  source: string;
  /** Shipped profile whose GPU, TP and efficiencies the prediction uses. */
  profile: string;
  /** The anchor's own architecture when it is not Llama-3.1 (Llama-2 variants). */
  modelOverride?: Partial<Profile['model']>;
  precision: 'bf16' | 'fp8';
  role: AnchorRole;
  mismatch: string;
  metrics: AnchorMetric[];
}

const LLAMA_2_7B: Partial<Profile['model']> = {
  id: 'meta-llama/Llama-2-7b-hf',
  paramsB: 6.74,
  layers: 32,
  hiddenSize: 4096,
  heads: 32,
  kvHeads: 32,
  headDim: 128,
  ffnSize: 11008,
  vocabSize: 32000,
  maxPositionEmbeddings: 4096,
};
const LLAMA_2_70B: Partial<Profile['model']> = {
  id: 'meta-llama/Llama-2-70b-hf',
  paramsB: 68.98,
  vocabSize: 32000,
  maxPositionEmbeddings: 4096,
};

function vidur(
  id: string,
  profile: string,
  ms: [number, number, number, number],
  model?: Partial<Profile['model']>,
): Anchor {
  const tokens = [1, 256, 512, 4096];
  return {
    id,
    source: 'microsoft/vidur data/profiling/compute mlp.csv (reference 2.7a)',
    profile,
    ...(model ? { modelOverride: model } : {}),
    precision: 'bf16',
    role: 'fit',
    mismatch:
      'Operator medians from PyTorch kernels, linear ops only; compared with the roofline of the same ops (no overhead). 1 and 4096 tokens set MBU/MFU; 256/512 test the knee.',
    metrics: tokens.map((t, i) => ({
      kind: 'linearOpsMs',
      tokens: t,
      publishedMs: ms[i]!,
      role: t === 1 || t === 4096 ? 'fit' : 'check',
    })),
  };
}

function splitwise(
  gpu: 'a100-80g' | 'h100',
  tokenMs: [number, number, number, number],
  promptMs: [number, number, number],
): Anchor {
  const batches = [1, 8, 16, 32];
  return {
    id: `splitwise-llama-2-70b-${gpu}-tp2`,
    source: 'Mutinifni/splitwise-sim data/perf_model.csv (reference 2.7b)',
    profile: `llama-3.1-70b@${gpu}-tp2`,
    modelOverride: LLAMA_2_70B,
    precision: 'bf16',
    role: 'check',
    mismatch:
      'Llama-2-70B; the TP column is assumed to be 2; engine of the profiling runs unknown. Decode context taken as 512 prompt + 64 generated tokens. BF16 TP2 leaves ~18k KV tokens, so bs32 x 640 tokens would not fit in TGI.',
    metrics: [
      ...batches.map((b, i) => ({
        kind: 'decodeStepMs' as const,
        batch: b,
        contextTokens: 576,
        publishedMs: tokenMs[i]!,
      })),
      { kind: 'prefillMs', batch: 1, inputTokens: 512, publishedMs: promptMs[0] },
      { kind: 'prefillMs', batch: 16, inputTokens: 512, publishedMs: promptMs[1] },
      { kind: 'prefillMs', batch: 1, inputTokens: 8192, publishedMs: promptMs[2] },
    ],
  };
}

/** ShareGPT's spread is not in the reference; sigma 0.8 is the EOS assumption of profile-catalog.ts. */
const SHAREGPT_SIGMA = 0.8;

const VLLM_MISMATCH =
  'vLLM (BF16, CUDA graphs), not TGI: per-step CPU overhead differs between engines. ShareGPT lengths are modelled as lognormal (sigma 0.8, an assumption) around the published 202/179-token means; the 200-prompt makespan is set by the longest outputs.';

function vllmDashboard(
  gpu: 'h100' | 'h200',
  latency8bMs: number,
  latency70bMs: number,
  rps8b: number,
  rps70b: number,
): Anchor[] {
  const source =
    gpu === 'h200'
      ? 'vLLM perf dashboard, buildkite.com/vllm/performance-benchmark/builds/9515 (reference 2.7d)'
      : 'vLLM perf dashboard, same report, indexed under an unrelated buildkite URL (reference 2.7d)';
  const make = (model: '8b' | '70b', latencyMs: number, rps: number): Anchor => ({
    id: `vllm-dashboard-llama-3.1-${model}-${gpu}${model === '70b' ? '-tp4' : ''}`,
    source,
    profile: `llama-3.1-${model}@${gpu}${model === '70b' ? '-tp4' : ''}`,
    precision: 'bf16',
    role: 'fit',
    mismatch: `${VLLM_MISMATCH} Latency test (8 x 32 in / 128 out) fits the overhead${gpu === 'h200' ? ' and the H200 MBU' : ''}; the ShareGPT throughput test is held out.`,
    metrics: [
      { kind: 'batchMakespanMs', requests: 8, inputTokens: 32, outputTokens: 128, publishedMs: latencyMs },
      {
        kind: 'batchRequestsPerSec',
        requests: 200,
        inputTokens: 202,
        outputTokens: 179,
        published: rps,
        maxRunning: 256,
        lengthSigma: SHAREGPT_SIGMA,
        role: 'check',
      },
    ],
  });
  return [make('8b', latency8bMs, rps8b), make('70b', latency70bMs, rps70b)];
}

const NIM_70B_POINTS: CurvePoint[] = [
  { concurrency: 1, ttftMs: 407, itlMs: 18.6, outputTokensPerSec: 51.7 },
  { concurrency: 5, ttftMs: 547, itlMs: 21.8, outputTokensPerSec: 218 },
  { concurrency: 25, ttftMs: 689, itlMs: 38.8, outputTokensPerSec: 623 },
  { concurrency: 50, ttftMs: 835, itlMs: 59.7, outputTokensPerSec: 814 },
  { concurrency: 100, ttftMs: 8000, itlMs: 92.9, outputTokensPerSec: 917 },
  { concurrency: 150, ttftMs: 34800, itlMs: 92.9, outputTokensPerSec: 921 },
  { concurrency: 250, ttftMs: 88600, itlMs: 93.2, outputTokensPerSec: 920 },
];

const NIM_8B_POINTS: CurvePoint[] = [
  { concurrency: 1, ttftMs: 10.3, itlMs: 4.63, outputTokensPerSec: 215 },
  { concurrency: 5, ttftMs: 16.8, itlMs: 4.58, outputTokensPerSec: 1077 },
  { concurrency: 25, ttftMs: 36.3, itlMs: 5.19, outputTokensPerSec: 4679 },
  { concurrency: 50, ttftMs: 67.4, itlMs: 5.91, outputTokensPerSec: 8018 },
  { concurrency: 100, ttftMs: 120, itlMs: 7.57, outputTokensPerSec: 12215 },
  { concurrency: 150, ttftMs: 347, itlMs: 9.81, outputTokensPerSec: 12989 },
  { concurrency: 200, ttftMs: 465, itlMs: 12.65, outputTokensPerSec: 13348 },
  { concurrency: 250, ttftMs: 606, itlMs: 16.1, outputTokensPerSec: 12965 },
];

function tgiV3Small(id: string, profile: string, publishedMs: number): Anchor {
  return {
    id,
    source:
      'huggingface/text-generation-inference docs/source/conceptual/chunking.md, 2nd run (reference 2.7f)',
    profile,
    precision: 'bf16',
    role: 'check',
    mismatch:
      'The only TGI anchor, but its workload is underdetermined: 200 Orca prompts totalling 8k tokens (40 each, before the chat template), outputs assumed = max_new_tokens 50 of load_tests/common.js (EOS may stop earlier), 100 closed-loop k6 VUs; the run length includes k6 and HTTP time. Prefix caching on (2nd run).',
    metrics: [
      {
        kind: 'batchMakespanMs',
        requests: 200,
        inputTokens: 40,
        outputTokens: 50,
        publishedMs,
        maxRunning: 100,
      },
    ],
  };
}

export const ANCHORS: readonly Anchor[] = [
  vidur('vidur-llama-3-8b-a100-tp1', 'llama-3.1-8b@a100-80g', [9.7, 19.5, 34.6, 273]),
  vidur('vidur-llama-2-7b-h100-tp1', 'llama-3.1-8b@h100', [5.6, 9.2, 12.0, 83], LLAMA_2_7B),
  vidur('vidur-llama-2-70b-h100-tp4', 'llama-3.1-70b@h100-tp4', [14.3, 19.2, 30.0, 222], LLAMA_2_70B),
  vidur('vidur-llama-2-70b-h100-tp8', 'llama-3.1-70b@h100-tp8', [8.4, 11.5, 17.7, 123], LLAMA_2_70B),
  vidur('vidur-llama-3-70b-a100-tp4', 'llama-3.1-70b@a100-80g-tp4', [24.9, 51, 90, 650]),
  splitwise('a100-80g', [54.9, 61.7, 65.5, 72.1], [196, 3220, 2980]),
  splitwise('h100', [37.0, 40.4, 42.0, 52.3], [84, 1190, 1340]),
  ...vllmDashboard('h100', 998, 2444, 19.5, 8.86),
  ...vllmDashboard('h200', 833, 2078, 22.6, 9.84),
  {
    id: 'nim-llama-3.3-70b-h100-tp2-fp8',
    source:
      'docs.nvidia.com/nim/benchmarking/llm/1.0.0/performance, NIM 1.8.0, AIPerf closed loop (reference 2.7c)',
    profile: 'llama-3.1-70b@h100-tp2',
    precision: 'fp8',
    role: 'what-if',
    mismatch:
      'FP8 weights on TensorRT-LLM (NIM), not TGI BF16. In BF16, 70B on 2 x H100 leaves ~8.9k KV tokens: one 5,500-token request at a time, so the shipped profile cannot reach this throughput. The FP8 variant (1-byte weights and KV, 2x peak FLOPs, same MBU/MFU) shows what the same structure predicts.',
    metrics: [
      { kind: 'itlAtC1Ms', inputTokens: 5000, outputTokens: 500, publishedMs: 18.6 },
      { kind: 'ttftAtC1Ms', inputTokens: 5000, outputTokens: 500, publishedMs: 407 },
      { kind: 'itlAtC1Ms', inputTokens: 500, outputTokens: 2000, publishedMs: 18.9 },
      { kind: 'ttftAtC1Ms', inputTokens: 500, outputTokens: 2000, publishedMs: 47.8 },
      { kind: 'concurrencySweep', inputTokens: 5000, outputTokens: 500, points: NIM_70B_POINTS },
    ],
  },
  {
    id: 'nim-llama-3.1-8b-fp8-assumed-h100',
    source: 'docs.nvidia.com/nim/benchmarking/llm/1.0.0/performance, NIM 1.8.0 (reference 2.7c)',
    profile: 'llama-3.1-8b@h100',
    precision: 'fp8',
    role: 'what-if',
    mismatch:
      'GPU, precision and lengths are not visible in the source: H100, FP8 (ITL 4.6 ms is below the BF16 weight-read floor of 4.8 ms) and 200 in / 200 out are assumptions. TensorRT-LLM, not TGI.',
    metrics: [
      { kind: 'itlAtC1Ms', inputTokens: 200, outputTokens: 200, publishedMs: 4.63 },
      { kind: 'ttftAtC1Ms', inputTokens: 200, outputTokens: 200, publishedMs: 10.3 },
      { kind: 'concurrencySweep', inputTokens: 200, outputTokens: 200, points: NIM_8B_POINTS },
    ],
  },
  {
    id: 'mlperf-5.1-llama-3.1-8b-h100-fp8-offline',
    source: 'Red Hat MLPerf Inference v5.1 results blog, vLLM 0.10.0 (reference 2.7e)',
    profile: 'llama-3.1-8b@h100',
    precision: 'fp8',
    role: 'what-if',
    mismatch:
      'FP8 on vLLM, Offline scenario. Dataset lengths are not in the reference: ~800 input / ~100 output tokens (CNN-DailyMail summarisation, outputs capped at 128) and 256 running sequences are assumptions.',
    metrics: [
      {
        kind: 'offlineTokensPerSec',
        concurrency: 256,
        inputTokens: 800,
        outputTokens: 100,
        published: 5777,
        maxRunning: 256,
      },
    ],
  },
  tgiV3Small('tgi-v3-small-llama-3.1-8b-l4', 'llama-3.1-8b@l4', 17_500),
  tgiV3Small('tgi-v3-small-llama-3.1-8b-l4-tp4', 'llama-3.1-8b@l4-tp4', 4_800),
  tgiV3Small('tgi-v3-small-llama-3.1-70b-h100-tp8', 'llama-3.1-70b@h100-tp8', 6_200),
  {
    id: 'nim-llama-3.1-70b-nim-1.3',
    source: 'NIM 1.3.0 table (reference 2.7c)',
    profile: 'llama-3.1-70b@h100-tp4',
    precision: 'fp8',
    role: 'not-representable',
    mismatch:
      'GPU count, precision and lengths not visible in the retrieved excerpt; nothing to run the model with.',
    metrics: [],
  },
  {
    id: 'oci-llama-3.3-70b-dedicated',
    source: 'Oracle OCI generative-ai benchmark page (reference 2.7g)',
    profile: 'llama-3.1-70b@h100-tp4',
    precision: 'bf16',
    role: 'not-representable',
    mismatch: 'Hardware ("Large Generic unit") and engine unspecified.',
    metrics: [],
  },
];
