/**
 * `agentload ingest k6`: k6 JSON output (one file per runner) to an agentload results directory,
 * so reports, gates, merges and the planner read k6 runs like their own.
 * - Output of a script from `agentload export k6`: every request is rebuilt as a RequestSample
 *   (ingest-records.ts) and fed through the Recorder, exactly as the engine does, so summary.json,
 *   timeseries.json and samples.ndjson.gz follow docs/metrics.md.
 * - Output of any other k6 script: summary.json and timeseries.json from the metric points alone
 *   (ingest-raw.ts); no samples, no phases.
 * Thresholds are judged again on the whole run (several runners judge theirs apart; see
 * ingest-thresholds.ts); a scenario (`--scenario`, or the script's `agentload_scenario` tag naming
 * a shipped one) supplies the SLO, phases, sweep steps and recovery bar.
 */
import type { Scenario } from '../config/scenario-schema.ts';
import { Recorder } from '../metrics/recorder.ts';
import { unknownStack, type Summary, type Timeseries } from '../results/schema.ts';
import { createResultsDir, ensureDir, SamplesWriter, writeResults } from '../results/write.ts';
import { K6OutputError } from './errors.ts';
import { collect, type Collected } from './ingest-collect.ts';
import { summaryFromRaw } from './ingest-raw.ts';
import { onRunClock } from './ingest-records.ts';
import { ingestThresholds } from './ingest-thresholds.ts';

export interface IngestOptions {
  /** Judge against this scenario; else the one `resolveScenario` finds for the script's tag. */
  scenario?: Scenario | null;
  resolveScenario?: (name: string) => Promise<Scenario | null>;
  /** The results directory to write (created if missing); default <outRoot>/<time>-<scenario>/. */
  outDir?: string;
  /** Default `results`. */
  outRoot?: string;
  version?: string;
}

export interface IngestResult {
  dir: string;
  summary: Summary;
  timeseries: Timeseries;
  /** Samples written to samples.ndjson.gz; null when they could not be rebuilt. */
  samples: number | null;
  notes: string[];
}

function phaseAt(scenario: Scenario | null, tMs: number): string | null {
  let name: string | null = null;
  for (const p of scenario?.phases ?? []) if (p.atMs <= tMs) name = p.name;
  return name;
}

function runInfo(c: Collected, scenario: Scenario | null, startMs: number, endMs: number, version: string) {
  const name = scenario?.name ?? c.scenarioTag ?? 'k6';
  const startedAt = new Date(startMs);
  return {
    id: `k6-${name}-${startedAt.toISOString().replace(/[-:]/g, '').slice(0, 15)}`,
    scenario: name,
    seed: scenario?.seed ?? 0,
    startedAt: startedAt.toISOString(),
    endedAt: new Date(startMs + endMs).toISOString(),
    target: c.target ?? 'unknown',
    stack: { ...unknownStack('k6'), profile: scenario?.stack.profile ?? null },
    versions: { agentload: version, node: process.version },
    segment: null,
    source: 'k6' as const,
  };
}

async function fromRecords(
  c: Collected,
  scenario: Scenario | null,
  o: IngestOptions,
  dir: string,
  notes: string[],
) {
  const runStartMs = c.records.reduce((min, r) => Math.min(min, r.runStartMs), Number.POSITIVE_INFINITY);
  const recorder = new Recorder({
    slo: scenario ? { ...scenario.slo } : { percentile: 95 },
    thresholds: ingestThresholds(scenario, c.metrics, notes),
    ...(scenario ? { recovery: { ...scenario.recovery } } : {}),
  });
  for (const p of scenario?.phases ?? []) {
    const step = p.offeredRatePerSec !== undefined || p.targetConcurrency !== undefined;
    recorder.setPhase(
      p.name,
      p.atMs,
      step
        ? { offeredRatePerSec: p.offeredRatePerSec ?? null, targetConcurrency: p.targetConcurrency ?? null }
        : undefined,
    );
  }
  const samples = c.records
    .map((r) => ({ ...onRunClock(r.sample, runStartMs), tokenGapsMs: c.gaps.get(r.id) ?? [] }))
    .sort((a, b) => a.endMs - b.endMs);
  const writer = SamplesWriter.open(dir);
  let endMs = 0;
  try {
    for (const s of samples) {
      recorder.record(s);
      writer.write(s);
      endMs = Math.max(endMs, s.endMs);
    }
  } finally {
    await writer.close();
  }
  for (const d of c.dropped) {
    const atMs = Math.max(0, d.timeMs - runStartMs);
    recorder.recordDropped(atMs, Math.round(d.count), phaseAt(scenario, atMs));
    endMs = Math.max(endMs, atMs);
  }
  const run = runInfo(c, scenario, runStartMs, endMs, o.version ?? '0.0.0');
  return { ...recorder.finish({ endMs, run, turnsLost: null }), samples: samples.length };
}

/** @throws K6OutputError for missing or malformed files; ResultsWriteError when writing fails. */
export async function ingestK6(files: readonly string[], o: IngestOptions): Promise<IngestResult> {
  if (files.length === 0) throw new K6OutputError('nothing to ingest: give at least one k6 JSON file');
  const c = await collect(files);
  const notes: string[] = [];
  let scenario = o.scenario ?? null;
  if (!scenario && c.scenarioTag && o.resolveScenario) scenario = await o.resolveScenario(c.scenarioTag);
  if (!scenario) notes.push('no scenario: default SLO (none), no phases; thresholds as k6 printed them');
  const name = scenario?.name ?? c.scenarioTag ?? 'k6';
  const dir = await outputDir(o, name, c.records.length > 0 ? c.records[0]!.runStartMs : c.earliestMs);
  if (c.records.length > 0) {
    const { summary, timeseries, samples } = await fromRecords(c, scenario, o, dir, notes);
    await writeResults(dir, { summary, timeseries });
    return { dir, summary, timeseries, samples, notes };
  }
  notes.push(
    'not an agentload-exported script: requests cannot be rebuilt, so no samples.ndjson.gz and no phases',
  );
  const startMs = c.earliestMs;
  const endMs = c.latestMs - startMs;
  const { summary, timeseries } = summaryFromRaw(c, {
    slo: scenario ? { ...scenario.slo } : { percentile: 95 },
    thresholds: ingestThresholds(scenario, c.metrics, notes),
    startMs,
    endMs,
    run: runInfo(c, scenario, startMs, endMs, o.version ?? '0.0.0'),
    notes,
  });
  await writeResults(dir, { summary, timeseries });
  return { dir, summary, timeseries, samples: null, notes };
}

async function outputDir(o: IngestOptions, scenario: string, startMs: number): Promise<string> {
  if (o.outDir === undefined) return createResultsDir(o.outRoot ?? 'results', scenario, new Date(startMs));
  await ensureDir(o.outDir);
  return o.outDir;
}
