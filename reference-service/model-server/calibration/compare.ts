/**
 * Runs the perf model on every calibration anchor and returns predicted vs published numbers.
 * Nothing here is hard-coded: per-step figures come from stepBreakdown/stepMs, per-request and
 * throughput figures from the closed-loop simulation (closed-loop.ts) driven by stepMs.
 * The TTFT knee is the concurrency at which mean TTFT first reaches KNEE_FACTOR x its
 * concurrency-1 value, interpolated linearly between the anchor's grid points; published and
 * predicted knees use the same rule on the same grid.
 */
import { createPerfModel, stepBreakdown } from '../perf-model.ts';
import type { PerfModel, Profile, StepInput } from '../perf-types.ts';
import { loadProfile, parseProfile } from '../profiles.ts';
import { ANCHORS, type Anchor, type AnchorMetric, type AnchorRole } from './anchors.ts';
import { runClosedLoop, type ClosedLoopResult } from './closed-loop.ts';
import { lengthSequence } from './lengths.ts';

export const KNEE_FACTOR = 10;

export type Variant = 'profile' | 'fp8 what-if';

export interface ComparisonRow {
  anchorId: string;
  profile: string;
  role: AnchorRole;
  variant: Variant;
  metric: string;
  unit: 'ms' | 'tok/s' | 'req/s' | 'clients';
  published: number;
  /** NaN when the model cannot run the workload (a request larger than the KV cache). */
  predicted: number;
  /** (predicted - published) / published x 100; NaN with predicted. */
  errorPct: number;
}

/** FP8 weights and KV (1 byte), FP8 dense peak = 2 x BF16, same MBU/MFU/overhead. */
export function fp8Variant(profile: Profile): Profile {
  return {
    ...profile,
    model: { ...profile.model, bytesPerParam: 1 },
    gpu: { ...profile.gpu, bf16Tflops: profile.gpu.bf16Tflops * 2 },
  };
}

export function anchorProfile(anchor: Anchor, variant: Variant): Readonly<Profile> {
  const base = loadProfile(anchor.profile);
  const withModel: Profile = { ...base, model: { ...base.model, ...anchor.modelOverride } };
  const profile = variant === 'fp8 what-if' ? fp8Variant(withModel) : withModel;
  return parseProfile(profile, `${anchor.id} (${variant})`);
}

/** First concurrency at which TTFT reaches factor x TTFT(first point); NaN if it never does. */
export function ttftKneeConcurrency(
  points: { concurrency: number; ttftMs: number }[],
  factor = KNEE_FACTOR,
): number {
  const first = points[0];
  if (!first) return Number.NaN;
  const threshold = first.ttftMs * factor;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (b.ttftMs >= threshold) {
      const share = b.ttftMs === a.ttftMs ? 1 : (threshold - a.ttftMs) / (b.ttftMs - a.ttftMs);
      return a.concurrency + Math.max(0, Math.min(1, share)) * (b.concurrency - a.concurrency);
    }
  }
  return Number.NaN;
}

/**
 * Steady state with `concurrency` clients: first arrivals spread over one unloaded request time,
 * `concurrency` completions of warmup, then 2 x `concurrency` measured.
 */
function closedLoop(
  model: PerfModel,
  concurrency: number,
  inputTokens: number,
  outputTokens: number,
  maxRunning?: number,
): ClosedLoopResult {
  const lengths = lengthSequence(inputTokens, outputTokens, 0);
  const alone = runClosedLoop({ model, concurrency: 1, lengths, totalRequests: 1, warmupRequests: 0 });
  const warmupRequests = Math.max(1, concurrency);
  return runClosedLoop({
    model,
    concurrency,
    lengths,
    warmupRequests,
    totalRequests: warmupRequests + Math.max(2, 2 * concurrency),
    staggerMs: alone.makespanMs,
    ...(maxRunning === undefined ? {} : { maxRunning }),
  });
}

/** All requests submitted at time 0, no replacement (an offline batch). */
function batch(
  model: PerfModel,
  requests: number,
  inputTokens: number,
  outputTokens: number,
  maxRunning?: number,
  sigma = 0,
): ClosedLoopResult {
  return runClosedLoop({
    model,
    concurrency: requests,
    lengths: lengthSequence(inputTokens, outputTokens, sigma),
    totalRequests: requests,
    warmupRequests: 0,
    ...(maxRunning === undefined ? {} : { maxRunning }),
  });
}

/** One decode step for `batch` sequences, each at `contextTokens`. */
export function decodeStep(batch: number, contextTokens: number): StepInput {
  return { decodeSeqs: batch, decodeContextTokens: batch * contextTokens, prefillTokens: 0 };
}

/** One prefill forward of `prompts` prompts of `tokens` each. */
export function prefillStep(prompts: number, tokens: number): StepInput {
  return { decodeSeqs: 0, decodeContextTokens: 0, prefillTokens: prompts * tokens, prefillSeqs: prompts };
}

/** A decode step with one new prompt of `promptTokens` riding along (chunked prefill). */
export function mixedStep(batch: number, contextTokens: number, promptTokens: number): StepInput {
  return { ...decodeStep(batch, contextTokens), prefillTokens: promptTokens, prefillSeqs: 1 };
}

type Predicted = Pick<ComparisonRow, 'metric' | 'unit' | 'published' | 'predicted'>;

function orNaN(result: ClosedLoopResult, value: number): number {
  return result.finished ? value : Number.NaN;
}

function sweepRows(model: PerfModel, m: Extract<AnchorMetric, { kind: 'concurrencySweep' }>): Predicted[] {
  const lengths = `${m.inputTokens}/${m.outputTokens}`;
  const runs = m.points.map((p) => ({
    p,
    r: closedLoop(model, p.concurrency, m.inputTokens, m.outputTokens),
  }));
  const predictedCurve = runs.map(({ p, r }) => ({
    concurrency: p.concurrency,
    ttftMs: orNaN(r, r.meanTtftMs),
  }));
  const grid = m.points.map((p) => p.concurrency).join(',');
  return [
    {
      metric: `saturation output tok/s (${lengths}, c=${grid})`,
      unit: 'tok/s',
      published: Math.max(...m.points.map((p) => p.outputTokensPerSec)),
      predicted: Math.max(...runs.map(({ r }) => orNaN(r, r.outputTokensPerSec))),
    },
    {
      metric: `TTFT knee, clients at ${KNEE_FACTOR}x TTFT(c=1) (${lengths})`,
      unit: 'clients',
      published: ttftKneeConcurrency(m.points),
      predicted: ttftKneeConcurrency(predictedCurve),
    },
  ];
}

function predictMetric(profile: Profile, model: PerfModel, m: AnchorMetric): Predicted[] {
  switch (m.kind) {
    case 'linearOpsMs': {
      // Vidur's op set: linear layers only, so drop the embedding table and the LM head.
      const linearParamsB =
        profile.model.paramsB - (2 * profile.model.vocabSize * profile.model.hiddenSize) / 1e9;
      const linear = { ...profile, model: { ...profile.model, paramsB: linearParamsB } };
      const b = stepBreakdown(linear, { decodeSeqs: m.tokens, decodeContextTokens: 0, prefillTokens: 0 });
      const predicted = Math.max(b.linearComputeMs, b.weightReadMs);
      return [{ metric: `linear ops @${m.tokens} tok`, unit: 'ms', published: m.publishedMs, predicted }];
    }
    case 'decodeStepMs':
      return [
        {
          metric: `decode step bs${m.batch} (ctx ${m.contextTokens})`,
          unit: 'ms',
          published: m.publishedMs,
          predicted: model.stepMs(decodeStep(m.batch, m.contextTokens)),
        },
      ];
    case 'mixedStepMs':
      return [
        {
          metric: `mixed step bs${m.batch} (ctx ${m.contextTokens}) + prompt ${m.prefillTokens} tok`,
          unit: 'ms',
          published: m.publishedMs,
          predicted: model.stepMs(mixedStep(m.batch, m.contextTokens, m.prefillTokens)),
        },
      ];
    case 'prefillMs':
      return [
        {
          metric: `prefill ${m.batch} x ${m.inputTokens} tok`,
          unit: 'ms',
          published: m.publishedMs,
          predicted: model.stepMs(prefillStep(m.batch, m.inputTokens)),
        },
      ];
    case 'batchMakespanMs': {
      const r = batch(model, m.requests, m.inputTokens, m.outputTokens, m.maxRunning);
      return [
        {
          metric: `${m.requests} x ${m.inputTokens}/${m.outputTokens} batch, time to last token`,
          unit: 'ms',
          published: m.publishedMs,
          predicted: orNaN(r, r.makespanMs),
        },
      ];
    }
    case 'batchRequestsPerSec': {
      const r = batch(model, m.requests, m.inputTokens, m.outputTokens, m.maxRunning, m.lengthSigma);
      const spread = m.lengthSigma ? ` mean, lognormal sigma ${m.lengthSigma}` : '';
      return [
        {
          metric: `${m.requests} x ${m.inputTokens}/${m.outputTokens}${spread} batch throughput`,
          unit: 'req/s',
          published: m.published,
          predicted: orNaN(r, r.requestsPerSec),
        },
      ];
    }
    case 'itlAtC1Ms':
    case 'ttftAtC1Ms': {
      const r = closedLoop(model, 1, m.inputTokens, m.outputTokens);
      const itl = m.kind === 'itlAtC1Ms';
      return [
        {
          metric: `${itl ? 'ITL' : 'TTFT'} at c=1 (${m.inputTokens}/${m.outputTokens})`,
          unit: 'ms',
          published: m.publishedMs,
          predicted: orNaN(r, itl ? r.meanItlMs : r.meanTtftMs),
        },
      ];
    }
    case 'concurrencySweep':
      return sweepRows(model, m);
    case 'offlineTokensPerSec': {
      const r = closedLoop(model, m.concurrency, m.inputTokens, m.outputTokens, m.maxRunning);
      return [
        {
          metric: `offline output tok/s (${m.inputTokens}/${m.outputTokens}, ${m.concurrency} running)`,
          unit: 'tok/s',
          published: m.published,
          predicted: orNaN(r, r.outputTokensPerSec),
        },
      ];
    }
  }
}

export function compareAnchor(anchor: Anchor): ComparisonRow[] {
  const variants: Variant[] = anchor.precision === 'fp8' ? ['profile', 'fp8 what-if'] : ['profile'];
  const rows: ComparisonRow[] = [];
  for (const variant of variants) {
    const profile = anchorProfile(anchor, variant);
    const model = createPerfModel(profile);
    for (const metric of anchor.metrics) {
      for (const p of predictMetric(profile, model, metric)) {
        rows.push({
          anchorId: anchor.id,
          profile: anchor.profile,
          role: metric.role ?? anchor.role,
          variant,
          metric: p.metric,
          unit: p.unit,
          published: p.published,
          predicted: p.predicted,
          errorPct: ((p.predicted - p.published) / p.published) * 100,
        });
      }
    }
  }
  return rows;
}

export function compareAll(anchors: readonly Anchor[] = ANCHORS): ComparisonRow[] {
  return anchors.flatMap(compareAnchor);
}
