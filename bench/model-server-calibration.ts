/**
 * Prints the perf model's predictions next to the published calibration anchors, with the
 * error in percent, and a summary of every shipped profile. Pure computation: no GPU, no server.
 *   node --import tsx bench/model-server-calibration.ts
 * Paste the output into docs/model-server.md when the catalog or the anchors change.
 */
import { ANCHORS, type Anchor } from '../reference-service/model-server/calibration/anchors.ts';
import {
  compareAll,
  decodeStep,
  KNEE_FACTOR,
  mixedStep,
  prefillStep,
  type ComparisonRow,
} from '../reference-service/model-server/calibration/compare.ts';
import {
  decodePoints,
  gpuBoundAnchor,
  loadGpuMeasurements,
  mixedPoints,
  prefillPoints,
  type GpuMeasurement,
} from '../reference-service/model-server/calibration/gpu-measurements.ts';
import { createPerfModel, ridgeTokens, stepBreakdown } from '../reference-service/model-server/perf-model.ts';
import type { Profile, StepInput } from '../reference-service/model-server/perf-types.ts';
import { loadProfile, profileNames } from '../reference-service/model-server/profiles.ts';

function formatValue(value: number, unit: ComparisonRow['unit']): string {
  if (Number.isNaN(value)) return unit === 'clients' ? 'none in grid' : 'cannot run';
  if (unit === 'req/s') return value.toFixed(2);
  if (unit === 'clients') return value.toFixed(1);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function pct(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;
}

function formatError(row: ComparisonRow): string {
  return Number.isFinite(row.errorPct) ? pct(row.errorPct) : 'n/a';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function printProfiles(): void {
  console.log('## Profiles\n');
  console.log(
    '| profile | MBU | MFU | overhead ms | ITL bs1 @1k ctx ms | ridge tok/step | KV capacity tok | max_batch_prefill_tokens | max_total_tokens | load s |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const name of profileNames()) {
    const profile = loadProfile(name);
    const model = createPerfModel(profile);
    const itlMs = model.stepMs({ decodeSeqs: 1, decodeContextTokens: 1024, prefillTokens: 0 });
    const { mbu, mfu, stepOverheadMs } = profile.efficiency;
    console.log(
      `| ${name} | ${mbu} | ${mfu} | ${stepOverheadMs} | ${itlMs.toFixed(1)} | ${ridgeTokens(profile).toFixed(0)} | ` +
        `${model.kvCapacityTokens} | ${model.maxBatchPrefillTokens} | ${model.maxTotalTokens} | ${profile.loadTimeSec} |`,
    );
  }
}

function printCalibration(rows: ComparisonRow[], boundRows: ComparisonRow[]): void {
  console.log('\n## Calibration: predicted vs published\n');
  console.log('| anchor | role | variant | metric | published | predicted | error |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.anchorId} | ${r.role} | ${r.variant} | ${r.metric} | ${formatValue(r.published, r.unit)} ${r.unit} | ` +
        `${formatValue(r.predicted, r.unit)} | ${formatError(r)} |`,
    );
  }
  console.log(
    `\nTTFT knee: clients at which mean TTFT reaches ${KNEE_FACTOR}x its c=1 value (same rule and grid for both).`,
  );
  console.log('\n## Median |error| by role and variant\n');
  const groups = new Map<string, number[]>();
  for (const r of [...rows, ...boundRows]) {
    if (!Number.isFinite(r.errorPct)) continue;
    const key = `${r.role} / ${r.variant}`;
    groups.set(key, [...(groups.get(key) ?? []), Math.abs(r.errorPct)]);
  }
  for (const [key, errors] of groups)
    console.log(`- ${key}: ${median(errors).toFixed(1)}% over ${errors.length} figures`);
}

type GpuData = GpuMeasurement['data'];

function printGpuMeasurement(m: GpuMeasurement): void {
  const { data } = m;
  const profile = loadProfile(m.profile);
  const { hbmBandwidthGBps, bf16Tflops } = profile.gpu;
  console.log(`\n### ${data.gpu.name} (${m.profile}), ${data.measuredAt.slice(0, 10)}\n`);
  console.log(
    `\`${data.command}\`: torch ${data.software.torch}, CUDA ${data.software.cuda ?? 'none'}, transformers ${data.software.transformers ?? 'none'}; ${data.paramsB}B parameters.\n`,
  );
  const { copyGBps, bf16MatmulTflops } = data.ceilings;
  console.log(
    `- Ceilings: device copy ${copyGBps} GB/s (${((copyGBps / hbmBandwidthGBps) * 100).toFixed(0)}% of the profile's ${hbmBandwidthGBps}); ` +
      `8192^3 BF16 matmul ${bf16MatmulTflops} TFLOP/s (${((bf16MatmulTflops / bf16Tflops) * 100).toFixed(0)}% of ${bf16Tflops}).`,
  );
  printTransformersCheck(data);
  printPrefillTable(profile, data);
  printDecodeTable(profile, data);
  printMixedTable(profile, data);
  const skipped = [...data.prefill, ...data.decode, ...(data.mixed ?? [])].flatMap((p) =>
    'skipped' in p ? [p] : [],
  );
  for (const p of skipped) console.log(`\nSkipped: ${JSON.stringify(p)}`);
}

/** How transformers' own model compares with the bench's on the same weights, or why it did not run. */
function printTransformersCheck(data: GpuData): void {
  const hf = data.transformersCheck;
  if (hf.logitsCosineMin !== undefined && hf.argmaxAgreement !== undefined) {
    const theirs = (hf.prefill ?? []).map((p) => {
      const ours = prefillPoints(data).find((q) => q.tokens === p.tokens);
      return `${p.tokens} tok ${p.medianMs.toFixed(1)} ms (ours ${ours ? ours.ms.toFixed(1) : '-'})`;
    });
    const step = hf.decode?.[0];
    const ours =
      step &&
      decodePoints(data).find((d) => d.batch === step.batch && d.contextTokens === step.contextTokens);
    console.log(
      `- transformers' LlamaForCausalLM with the same weights: logits cosine >= ${hf.logitsCosineMin}, argmax agreement ${(hf.argmaxAgreement * 100).toFixed(0)}% over 64 positions (BF16). ` +
        `Its eager prefill: ${theirs.join(', ') || 'not timed'}` +
        (step
          ? `; its decode step bs${step.batch} ctx ${step.contextTokens}: ${step.medianMs.toFixed(1)} ms (ours eager ${ours?.eagerMs.toFixed(1) ?? '-'}, CUDA graph ${ours?.graphMs?.toFixed(1) ?? '-'}).`
          : '.'),
    );
  } else {
    console.log(`- transformers check: ${hf.error ?? hf.skipped ?? 'not run'}`);
  }
}

function printPrefillTable(profile: Profile, data: GpuData): void {
  const { bf16Tflops } = profile.gpu;
  console.log(
    '\n| prefill tokens | measured ms | predicted ms | predicted vs measured | MFU implied | profile MFU |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const p of prefillPoints(data)) {
    const b = stepBreakdown(profile, prefillStep(1, p.tokens));
    const mfu = (b.linearFlops + b.attentionFlops) / (p.ms / 1e3) / (bf16Tflops * 1e12);
    console.log(
      `| ${p.tokens} | ${p.ms.toFixed(1)} | ${b.stepMs.toFixed(1)} | ${pct(((b.stepMs - p.ms) / p.ms) * 100)} | ${mfu.toFixed(2)} | ${profile.efficiency.mfu} |`,
    );
  }
}

function printDecodeTable(profile: Profile, data: GpuData): void {
  const { hbmBandwidthGBps } = profile.gpu;
  console.log(
    '\n| decode batch | context tok | eager ms | CUDA graph ms | predicted ms | predicted vs graph | MBU implied by graph | profile MBU |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const d of decodePoints(data)) {
    const b = stepBreakdown(profile, decodeStep(d.batch, d.contextTokens));
    const predicted = b.stepMs;
    const graph = d.graphMs;
    const mbu =
      graph === undefined
        ? Number.NaN
        : (b.weightBytesPerGpu + b.kvBytesPerGpu) / (graph / 1e3) / (hbmBandwidthGBps * 1e9);
    console.log(
      `| ${d.batch} | ${d.contextTokens} | ${d.eagerMs.toFixed(2)} | ${graph?.toFixed(2) ?? '-'} | ${predicted.toFixed(2)} | ` +
        `${graph === undefined ? '-' : pct(((predicted - graph) / graph) * 100)} | ${Number.isNaN(mbu) ? '-' : mbu.toFixed(2)} | ${profile.efficiency.mbu} |`,
    );
  }
}

function printMixedTable(profile: Profile, data: GpuData): void {
  const stepMs = (input: StepInput): number => stepBreakdown(profile, input).stepMs;
  const mixed = mixedPoints(data);
  if (mixed.length === 0) return;
  console.log(
    '\n| decode batch | context tok | + prompt tok | mixed ms | decode alone | prefill alone | parts added | predicted ms | predicted vs mixed | model, parts added |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const p of mixed) {
    const predicted = stepMs(mixedStep(p.batch, p.contextTokens, p.prefillTokens));
    const partsAdded = stepMs(decodeStep(p.batch, p.contextTokens)) + stepMs(prefillStep(1, p.prefillTokens));
    console.log(
      `| ${p.batch} | ${p.contextTokens} | ${p.prefillTokens} | ${p.mixedMs.toFixed(2)} | ${p.decodeOnlyMs.toFixed(2)} | ${p.prefillOnlyMs.toFixed(2)} | ` +
        `${(p.decodeOnlyMs + p.prefillOnlyMs).toFixed(2)} | ${predicted.toFixed(2)} | ${pct(((predicted - p.mixedMs) / p.mixedMs) * 100)} | ${partsAdded.toFixed(2)} |`,
    );
  }
  console.log(
    `\nMixed steps measured ${data.mixedMeasured?.at.slice(0, 10) ?? '?'} by \`${data.mixedMeasured?.command ?? '?'}\` (CUDA-graph medians; the parts alone measured in the same process).`,
  );
}

function printGpuMeasurements(measurements: GpuMeasurement[], rows: ComparisonRow[]): void {
  console.log('\n## Measured on a GPU here: eager PyTorch, an upper bound on TGI\n');
  console.log(
    "MFU/MBU implied: the model's FLOPs (or bytes read: weights + KV) over the measured time, against the datasheet figure; the whole step time counts, overhead included.",
  );
  for (const m of measurements) printGpuMeasurement(m);
  const above = rows.filter((r) => r.errorPct > 0).sort((a, b) => b.errorPct - a.errorPct);
  const worst = above
    .slice(0, 3)
    .map((r) => `${r.profile} ${r.metric} ${pct(r.errorPct)}`)
    .join('; ');
  console.log(
    `\nPredictions above the measured bound: ${above.length} of ${rows.length} figures${worst ? ` (largest: ${worst})` : ''}.`,
  );
}

function printMismatches(anchors: readonly Anchor[]): void {
  console.log('\n## What each anchor measured, and how it differs from the simulator (TGI, BF16)\n');
  for (const a of anchors) console.log(`- **${a.id}** (${a.role}; ${a.source}): ${a.mismatch}`);
}

const startedMs = performance.now();
const measurements = loadGpuMeasurements();
const boundAnchors = measurements.map(gpuBoundAnchor);
const rows = compareAll();
const boundRows = compareAll(boundAnchors);
console.log(
  `# Model-server calibration (${new Date().toISOString().slice(0, 10)}, node ${process.version})\n`,
);
console.log('Command: `node --import tsx bench/model-server-calibration.ts`\n');
printProfiles();
printCalibration(rows, boundRows);
printGpuMeasurements(measurements, boundRows);
printMismatches([...ANCHORS, ...boundAnchors]);
console.log(
  `\n(${rows.length + boundRows.length} figures from ${ANCHORS.length + boundAnchors.length} anchors in ${(performance.now() - startedMs).toFixed(0)} ms)`,
);
