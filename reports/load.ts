/**
 * Reads what a report or the gate needs from a results directory: summary.json (required),
 * timeseries.json and samples.ndjson.gz (when present) and plan.json (when present and valid).
 * A path to a summary file also works: then only that summary is known.
 */
import { access, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidResultsError } from '../harness/results/errors.ts';
import { readSummary, readSummaryFile, readTimeseries } from '../harness/results/read.ts';
import { RESULTS_FILES, type Summary, type Timeseries } from '../harness/results/schema.ts';
import { describeIssues } from '../harness/results/validate.ts';
import { planFileSchema, type PlanFile } from './plan-file.ts';

export interface LoadedRun {
  /** The path as given (a results directory or a summary .json file). */
  source: string;
  /** The directory holding the summary. */
  dir: string;
  /** A short name for people: the results directory's name. */
  label: string;
  summary: Summary;
  /** null when the directory has no timeseries.json or a summary file other than summary.json was given. */
  timeseries: Timeseries | null;
  samplesPath: string | null;
  plan: PlanFile | null;
  /** Why something optional was left out (e.g. an invalid plan.json). */
  notes: string[];
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

async function readPlan(dir: string, notes: string[]): Promise<PlanFile | null> {
  const path = join(dir, RESULTS_FILES.plan);
  if (!(await exists(path))) return null;
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    notes.push(`${RESULTS_FILES.plan} left out: not valid JSON (${(cause as Error).message})`);
    return null;
  }
  const parsed = planFileSchema.safeParse(value);
  if (!parsed.success) {
    const first = describeIssues(parsed.error, 3)
      .map((i) => `${i.path || '(root)'}: ${i.message}`)
      .join('; ');
    notes.push(`${RESULTS_FILES.plan} left out: not a capacity plan this report can read (${first})`);
    return null;
  }
  return parsed.data;
}

/** @throws InvalidResultsError (AL_INVALID_RESULTS) when the summary is missing or invalid. */
export async function loadRun(source: string): Promise<LoadedRun> {
  const info = await stat(source).catch(() => null);
  if (info === null) {
    throw new InvalidResultsError(`no results directory or summary file at ${source}`);
  }
  if (info.isFile() && basename(source) !== RESULTS_FILES.summary) {
    const summary = await readSummaryFile(source);
    const only = { timeseries: null, samplesPath: null, plan: null, notes: [] };
    return { source, dir: dirname(source), label: basename(source), summary, ...only };
  }
  // A results directory, or its summary.json given by path.
  const dir = info.isFile() ? dirname(source) : source;
  const notes: string[] = [];
  const summary = await readSummary(dir);
  const timeseries = (await exists(join(dir, RESULTS_FILES.timeseries))) ? await readTimeseries(dir) : null;
  if (timeseries === null) notes.push(`${RESULTS_FILES.timeseries} missing: no charts over time`);
  const samples = join(dir, RESULTS_FILES.samples);
  return {
    source,
    dir,
    label: basename(dir.replace(/[/\\]+$/, '')) || dir,
    summary,
    timeseries,
    samplesPath: (await exists(samples)) ? samples : null,
    plan: await readPlan(dir, notes),
    notes,
  };
}
