/**
 * `agentload gate` behind the CLI: load the config, the current run and the baseline, judge, print
 * why each check passed or failed, optionally write the reports, and return the exit code
 * (0 pass, 1 regression or failed threshold; bad config and unreadable results throw, and the CLI
 * maps them to 104 and 103).
 */
import { ExitCode } from '../../harness/cli/exit-codes.ts';
import { loadRun } from '../load.ts';
import type { GateResult } from '../report-schema.ts';
import { REPORT_FORMATS, writeReportsFor, type ReportFormat, type ReportPaths } from '../write-reports.ts';
import { loadGateConfig } from './config.ts';
import { evaluateGate } from './evaluate.ts';
import { isTrendMetric, loadRunData } from './metric-data.ts';
import { formatGateText } from './text.ts';

export interface RunGateOptions {
  current: string;
  /** A results directory or a summary.json; omitted: thresholds only. */
  baseline?: string;
  /** gate.yml; omitted: the defaults (docs/reports.md). */
  config?: string;
  /** Write reports (with the gate's verdicts first) into this directory. */
  outDir?: string;
  formats?: readonly ReportFormat[];
}

export interface RunGateResult {
  result: GateResult;
  exitCode: number;
  text: string;
  reports: ReportPaths | null;
}

export async function runGate(options: RunGateOptions): Promise<RunGateResult> {
  const config = await loadGateConfig(options.config);
  const current = await loadRun(options.current);
  const baseline = options.baseline === undefined ? null : await loadRun(options.baseline);
  const metrics =
    baseline === null ? [] : [...new Set(config.rules.map((r) => r.metric).filter(isTrendMetric))];
  const result = evaluateGate({
    config,
    current: await loadRunData(current, metrics),
    baseline: baseline === null ? null : await loadRunData(baseline, metrics),
  });
  const reports =
    options.outDir === undefined
      ? null
      : await writeReportsFor(baseline === null ? [current] : [baseline, current], {
          formats: options.formats ?? REPORT_FORMATS,
          outDir: options.outDir,
          compare: baseline !== null,
          gate: result,
        });
  return {
    result,
    exitCode: result.ok ? ExitCode.ok : ExitCode.gateFailed,
    text: formatGateText(result),
    reports,
  };
}
