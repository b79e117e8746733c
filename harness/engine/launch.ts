import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Scenario } from '../config/scenario-schema.ts';
import { createResultsDir, SamplesWriter, writeJson, writeResults } from '../results/write.ts';
import { formatProgress, type Progress } from './progress.ts';
import { formatRunReport } from './run-report.ts';
import type { SegmentPlan } from './segment.ts';
import { checkTarget, runScenario, type RunOutcome, type RunTarget } from './runner.ts';

export interface LaunchOptions {
  scenario: Scenario;
  /** This process's share of a split run (segment.ts); null or absent: the whole load. */
  segment?: SegmentPlan | null;
  target: RunTarget;
  /** Results root; the run writes <outRoot>/<time>-<scenario>/. */
  outRoot: string;
  quiet: boolean;
  signal: AbortSignal;
  /** Progress and the final report (stderr). */
  write: (text: string) => void;
  /** Whether `write` goes to a terminal: progress then redraws one line instead of adding lines. */
  tty: boolean;
  version: string;
}

export interface LaunchResult {
  dir: string;
  outcome: RunOutcome;
  /** No threshold failed and the run was not interrupted. */
  passed: boolean;
  interrupted: boolean;
}

/** Runs one scenario against a ready target and writes its results directory. */
export async function launch(options: LaunchOptions): Promise<LaunchResult> {
  const { scenario, write } = options;
  checkTarget(scenario, options.target);
  const dir = await createResultsDir(options.outRoot, scenario.name, new Date());
  const samples = SamplesWriter.open(dir);
  const line = (text: string): void =>
    write(options.tty && !options.quiet ? `\r\x1b[2K${text}\n` : `${text}\n`);
  const progress = (p: Progress): void => {
    const text = `[${scenario.name}] ${formatProgress(p)}`;
    write(options.tty ? `\r\x1b[2K${text}` : `${text}\n`);
  };
  let outcome: RunOutcome;
  try {
    outcome = await runScenario({
      scenario,
      target: options.target,
      runId: `${scenario.name}-${randomUUID().slice(0, 8)}`,
      signal: options.signal,
      onSample: (s) => samples.write(s),
      ...(options.quiet
        ? {}
        : { onProgress: progress, log: (text: string) => line(`[${scenario.name}] ${text}`) }),
      version: options.version,
      segment: options.segment ?? null,
    });
  } finally {
    await samples.close();
  }
  await writeResults(dir, { summary: outcome.summary, timeseries: outcome.timeseries });
  // Not (yet) a field of summary.json: soak scenarios add their slopes beside it.
  if (outcome.drift) await writeJson(join(dir, 'drift.json'), outcome.drift);
  if (options.tty && !options.quiet) write('\r\x1b[2K');
  for (const text of formatRunReport(outcome)) write(`${text}\n`);
  write(`results: ${dir}\n`);
  // Loaded lazily: vega costs ~250 ms to import, and the engine's tests don't need it.
  const { writeReports } = await import('../../reports/write-reports.ts');
  const report = await writeReports([dir], { formats: ['html', 'md', 'json', 'junit'] });
  write(`report: ${report.htmlPath}\n`);
  const interrupted = outcome.endedBy?.kind === 'signal';
  const passed = !interrupted && outcome.summary.thresholds.every((t) => t.ok);
  return { dir, outcome, passed, interrupted };
}
