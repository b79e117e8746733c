/**
 * Prints the perf model's predictions next to the published calibration anchors, with the
 * error in percent, and a summary of every shipped profile. Pure computation: no GPU, no server.
 *   node --import tsx bench/model-server-calibration.ts
 * Paste the output into docs/model-server.md when the catalog or the anchors change.
 */
import { ANCHORS } from '../reference-service/model-server/calibration/anchors.ts';
import {
  compareAll,
  KNEE_FACTOR,
  type ComparisonRow,
} from '../reference-service/model-server/calibration/compare.ts';
import { createPerfModel, ridgeTokens } from '../reference-service/model-server/perf-model.ts';
import { loadProfile, profileNames } from '../reference-service/model-server/profiles.ts';

function formatValue(value: number, unit: ComparisonRow['unit']): string {
  if (Number.isNaN(value)) return unit === 'clients' ? 'none in grid' : 'cannot run';
  if (unit === 'req/s') return value.toFixed(2);
  if (unit === 'clients') return value.toFixed(1);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function formatError(row: ComparisonRow): string {
  if (!Number.isFinite(row.errorPct)) return 'n/a';
  return `${row.errorPct >= 0 ? '+' : ''}${row.errorPct.toFixed(1)}%`;
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

function printCalibration(rows: ComparisonRow[]): void {
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
  for (const r of rows) {
    if (!Number.isFinite(r.errorPct)) continue;
    const key = `${r.role} / ${r.variant}`;
    groups.set(key, [...(groups.get(key) ?? []), Math.abs(r.errorPct)]);
  }
  for (const [key, errors] of groups)
    console.log(`- ${key}: ${median(errors).toFixed(1)}% over ${errors.length} figures`);
}

function printMismatches(): void {
  console.log('\n## What each anchor measured, and how it differs from the simulator (TGI, BF16)\n');
  for (const a of ANCHORS) console.log(`- **${a.id}** (${a.role}; ${a.source}): ${a.mismatch}`);
}

const startedMs = performance.now();
const rows = compareAll();
console.log(
  `# Model-server calibration (${new Date().toISOString().slice(0, 10)}, node ${process.version})\n`,
);
console.log('Command: `node --import tsx bench/model-server-calibration.ts`\n');
printProfiles();
printCalibration(rows);
printMismatches();
console.log(
  `\n(${rows.length} figures from ${ANCHORS.length} anchors in ${(performance.now() - startedMs).toFixed(0)} ms)`,
);
