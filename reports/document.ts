/**
 * The report document: every run's digest, the comparison of two runs (baseline first) and the
 * gate's verdicts. All report formats are rendered from it; report.json is it, serialized.
 */
import { compareRuns } from './compare.ts';
import type { GateResult, ReportDocument, RunReport } from './report-schema.ts';
import { REPORT_SCHEMA_VERSION } from './report-schema.ts';

export interface DocumentOptions {
  /** Compare runs[0] (baseline) with runs[1] (current); needs exactly two runs. */
  compare: boolean;
  gate: GateResult | null;
}

export function buildReportDocument(runs: readonly RunReport[], options: DocumentOptions): ReportDocument {
  const comparison = options.compare && runs.length === 2 ? compareRuns(runs[0]!, runs[1]!) : null;
  const gateOk = options.gate?.ok ?? true;
  const judged = judgedRuns({ runs, gate: options.gate, comparison });
  return {
    kind: 'agentload.report',
    schemaVersion: REPORT_SCHEMA_VERSION,
    ok: gateOk && judged.every((r) => r.verdict.ok),
    runs: [...runs],
    comparison,
    gate: options.gate,
  };
}

type DocumentRuns = Pick<ReportDocument, 'gate' | 'comparison'> & { runs: readonly RunReport[] };

/**
 * The runs whose verdicts decide the document's: with a gate or a comparison the current (last)
 * run only, since a baseline's own failures do not count; otherwise every run (a suite).
 */
export function judgedRuns(doc: DocumentRuns): readonly RunReport[] {
  return doc.gate !== null || doc.comparison !== null ? doc.runs.slice(-1) : doc.runs;
}

/** What a report is about, for its heading: the judged run's scenario, or every judged scenario. */
export function reportSubject(judged: readonly RunReport[]): string {
  return [...new Set(judged.map((r) => r.run.scenario))].join(', ');
}

/**
 * Why the judged runs (judgedRuns) failed, one line per reason; with several judged runs each line
 * starts with the run's scenario (and its number when a scenario ran more than once).
 */
export function judgedReasons(judged: readonly RunReport[]): string[] {
  if (judged.length === 1) return [...judged[0]!.verdict.reasons];
  const names = judged.map((r) => r.run.scenario);
  return judged.flatMap((r, i) => {
    const name =
      names.indexOf(names[i]!) === names.lastIndexOf(names[i]!) ? names[i]! : `run ${i + 1} (${names[i]!})`;
    return r.verdict.reasons.map((reason) => `${name}: ${reason}`);
  });
}
