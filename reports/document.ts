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
  // With a gate, the current run's verdict and the gate decide; a baseline's own failures do not.
  const judged = options.gate !== null || comparison !== null ? runs.slice(-1) : runs;
  return {
    kind: 'agentload.report',
    schemaVersion: REPORT_SCHEMA_VERSION,
    ok: gateOk && judged.every((r) => r.verdict.ok),
    runs: [...runs],
    comparison,
    gate: options.gate,
  };
}
