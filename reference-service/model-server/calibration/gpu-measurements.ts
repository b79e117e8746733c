/**
 * Figures measured on this project's GPU machines by bench/gpu/llama-eager.py: Llama-3.1-8B's
 * architecture with random BF16 weights in eager PyTorch, prefill per prompt length and decode
 * step per batch and context (eager, and replayed as a CUDA graph as TGI does). Each file sits
 * next to the profiles as profiles/measured/<profile>.eager-pytorch.json.
 *
 * They are bounds, not TGI: TGI's fused and paged kernels do the same work at least as fast, so a
 * prediction for TGI should sit at or below each figure (anchor role 'bound'). A prediction above
 * one says the model expects TGI to be slower than plain PyTorch code on the same card.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InvalidConfigError, zodIssues } from '../../../harness/errors.ts';
import type { Profile } from '../perf-types.ts';
import { loadProfile, PROFILES_DIR, readJsonFile } from '../profiles.ts';
import type { Anchor, AnchorMetric } from './anchors.ts';

export const MEASURED_DIR = join(PROFILES_DIR, 'measured');
export const MEASURED_SUFFIX = '.eager-pytorch.json';

const positive = z.number().finite().positive();
const count = z.number().int().positive();
const timing = z.object({ medianMs: positive, p10Ms: positive, p90Ms: positive, reps: count });
const skipped = z.string().min(1);
/** One step timed eager and, where the script ran on CUDA, replayed as a CUDA graph. */
const eagerAndGraph = z.object({ eager: timing, cudaGraph: timing.optional() });

const measurementSchema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('agentload.gpu-eager-measurement'),
  model: z.string().min(1),
  measuredAt: z.string().min(10),
  command: z.string().min(1),
  gpu: z.object({
    name: z.string().min(1),
    memoryGiB: positive,
    multiprocessors: count,
    capability: z.string(),
  }),
  software: z.object({ torch: z.string(), cuda: z.string().nullable(), transformers: z.string().nullable() }),
  ceilings: z.object({ copyGBps: positive, bf16MatmulTflops: positive }),
  paramsB: positive,
  prefill: z.array(
    z.union([timing.extend({ batch: count, tokens: count }), z.object({ tokens: count, skipped })]),
  ),
  decode: z.array(
    z.union([
      eagerAndGraph.extend({ batch: count, contextTokens: count }),
      z.object({ batch: count, contextTokens: count, skipped }),
    ]),
  ),
  mixed: z
    .array(
      z.union([
        z.object({
          batch: count,
          contextTokens: count,
          prefillTokens: count,
          mixed: eagerAndGraph,
          decodeOnly: eagerAndGraph,
          prefillOnly: eagerAndGraph,
        }),
        z.object({ batch: count, contextTokens: count, prefillTokens: count, skipped }),
      ]),
    )
    .optional(),
  mixedMeasured: z
    .object({ at: z.string().min(10), command: z.string().min(1), torch: z.string() })
    .optional(),
  selfCheck: z.object({
    prefillVsDecodeCosine: z.number(),
    sameArgmax: z.boolean(),
    mixedVsPartsCosine: z.number().optional(),
  }),
  transformersCheck: z.object({
    logitsCosineMin: z.number().optional(),
    argmaxAgreement: z.number().optional(),
    prefill: z.array(timing.extend({ tokens: count })).optional(),
    decode: z.array(timing.extend({ batch: count, contextTokens: count })).optional(),
    error: z.string().optional(),
    skipped: z.string().optional(),
  }),
});

export type MeasurementData = z.infer<typeof measurementSchema>;

export interface GpuMeasurement {
  /** Shipped profile the file is named after, e.g. llama-3.1-8b@h200. */
  profile: string;
  file: string;
  data: MeasurementData;
}

export interface PrefillPoint {
  tokens: number;
  ms: number;
}

export interface DecodePoint {
  batch: number;
  contextTokens: number;
  eagerMs: number;
  /** CUDA-graph replay of the same step; absent where the script ran without CUDA. */
  graphMs: number | undefined;
}

/** One forward carrying `batch` decode rows at `contextTokens` and one new prompt of `prefillTokens`. */
export interface MixedPoint {
  batch: number;
  contextTokens: number;
  prefillTokens: number;
  /** CUDA-graph medians where measured, eager otherwise. */
  mixedMs: number;
  decodeOnlyMs: number;
  prefillOnlyMs: number;
}

export function mixedPoints(m: MeasurementData): MixedPoint[] {
  const ms = (t: z.infer<typeof eagerAndGraph>): number => (t.cudaGraph ?? t.eager).medianMs;
  return (m.mixed ?? []).flatMap((p) =>
    'mixed' in p
      ? [
          {
            batch: p.batch,
            contextTokens: p.contextTokens,
            prefillTokens: p.prefillTokens,
            mixedMs: ms(p.mixed),
            decodeOnlyMs: ms(p.decodeOnly),
            prefillOnlyMs: ms(p.prefillOnly),
          },
        ]
      : [],
  );
}

export function prefillPoints(m: MeasurementData): PrefillPoint[] {
  return m.prefill.flatMap((p) => ('medianMs' in p ? [{ tokens: p.tokens, ms: p.medianMs }] : []));
}

export function decodePoints(m: MeasurementData): DecodePoint[] {
  return m.decode.flatMap((d) =>
    'eager' in d
      ? [
          {
            batch: d.batch,
            contextTokens: d.contextTokens,
            eagerMs: d.eager.medianMs,
            graphMs: d.cudaGraph?.medianMs,
          },
        ]
      : [],
  );
}

/** Validates one measurement file against the profile it is named after. */
export function parseGpuMeasurement(value: unknown, file: string, profileName: string): GpuMeasurement {
  const source = `GPU measurement ${file}`;
  const parsed = measurementSchema.safeParse(value);
  if (!parsed.success)
    throw new InvalidConfigError(
      source,
      zodIssues(parsed.error),
      'Write the file with bench/gpu/llama-eager.py; do not edit its figures by hand.',
    );
  let profile: Readonly<Profile>;
  try {
    profile = loadProfile(profileName);
  } catch (cause) {
    throw new InvalidConfigError(
      source,
      [{ path: '', message: `no shipped profile "${profileName}": ${(cause as Error).message}` }],
      `Name the file <profile>${MEASURED_SUFFIX} after the profile of the GPU it ran on, e.g. llama-3.1-8b@h200${MEASURED_SUFFIX}.`,
    );
  }
  const data = parsed.data;
  const issues = [];
  const gpuSlug = profile.gpu.name.split('-')[0]!;
  if (!data.gpu.name.toLowerCase().includes(gpuSlug))
    issues.push({
      path: 'gpu.name',
      message: `"${data.gpu.name}" is not the profile's GPU (${profile.gpu.name})`,
    });
  if (profile.tensorParallel !== 1)
    issues.push({
      path: '',
      message: `the script times one GPU; ${profileName} shards the model over ${profile.tensorParallel} (name the file after the TP 1 profile)`,
    });
  const modelSlug = profileName.split('@')[0]!;
  if (data.model !== modelSlug)
    issues.push({ path: 'model', message: `"${data.model}" is not the profile's model (${modelSlug})` });
  if (Math.abs(data.paramsB - profile.model.paramsB) / profile.model.paramsB > 0.01)
    issues.push({
      path: 'paramsB',
      message: `${data.paramsB}B parameters, the profile's model has ${profile.model.paramsB}B`,
    });
  if (prefillPoints(data).length === 0 && decodePoints(data).length === 0)
    issues.push({
      path: 'prefill',
      message: 'no measured point: every prefill and decode point was skipped',
    });
  if (issues.length > 0)
    throw new InvalidConfigError(
      source,
      issues,
      `Re-run bench/gpu/llama-eager.py on the GPU of ${profileName} and save its JSON under that name.`,
    );
  return { profile: profileName, file, data };
}

/** Every profiles/measured/*.eager-pytorch.json, sorted by profile name. */
export function loadGpuMeasurements(dir = MEASURED_DIR): GpuMeasurement[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(MEASURED_SUFFIX))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      const value = readJsonFile(path, `GPU measurement ${path}`);
      return parseGpuMeasurement(value, path, f.slice(0, -MEASURED_SUFFIX.length));
    });
}

const BOUND_MISMATCH =
  'Measured here with bench/gpu/llama-eager.py: eager PyTorch with random BF16 weights, not TGI. TGI fuses and pages the same work, so its times should be at most these: a prediction above a figure is the model expecting TGI to be slower than plain PyTorch on the card. Decode and mixed figures are CUDA-graph replays with every sequence at the same context; prefill is one prompt with the LM head on its last token; a mixed step carries decode rows and one new prompt through the same matmuls, as TGI batches chunked prefill.';

/** One 'bound' anchor per measurement: its prefill points and its CUDA-graph decode points. */
export function gpuBoundAnchor(m: GpuMeasurement): Anchor {
  const { data } = m;
  const metrics: AnchorMetric[] = [
    ...prefillPoints(data).map((p) => ({
      kind: 'prefillMs' as const,
      batch: 1,
      inputTokens: p.tokens,
      publishedMs: p.ms,
    })),
    ...decodePoints(data).flatMap((d) =>
      d.graphMs === undefined
        ? []
        : [
            {
              kind: 'decodeStepMs' as const,
              batch: d.batch,
              contextTokens: d.contextTokens,
              publishedMs: d.graphMs,
            },
          ],
    ),
    ...mixedPoints(data).map((p) => ({
      kind: 'mixedStepMs' as const,
      batch: p.batch,
      contextTokens: p.contextTokens,
      prefillTokens: p.prefillTokens,
      publishedMs: p.mixedMs,
    })),
  ];
  return {
    id: `eager-pytorch-${m.profile.replace('@', '-')}`,
    source: `bench/gpu/llama-eager.py on one ${data.gpu.name}, ${data.measuredAt.slice(0, 10)} (torch ${data.software.torch})`,
    profile: m.profile,
    precision: 'bf16',
    role: 'bound',
    mismatch: BOUND_MISMATCH,
    metrics,
  };
}
