/** The comparison of two runs and the gate's verdicts, in the HTML report. */
import {
  formatComparisonLabel,
  formatMetricChange,
  formatMetricValue,
  formatSignedPercent,
} from './format.ts';
import { note, num, passFail, table, type Tone } from './html-parts.ts';
import type { Comparison, GateResult, GateRuleVerdict } from './report-schema.ts';

export function comparisonTable(c: Comparison): string {
  const rows = c.rows.map((r) => [
    formatComparisonLabel(r.metric, r.stat),
    num(formatMetricValue(r.metric, r.baseline)),
    num(formatMetricValue(r.metric, r.current)),
    num(formatMetricChange(r.metric, r.delta)),
    r.relative === null ? num('—') : num(formatSignedPercent(r.relative), r.worse ? 'fail' : 'plain'),
  ]);
  const warn = c.sameScenario
    ? ''
    : note('The two runs come from different scenarios: compare with care.', 'warn');
  const head = ['metric', 'baseline', 'current', 'change', 'relative'].map((h, i) =>
    i === 0 ? h : { text: h, numeric: true },
  );
  return `${warn}${table(head, rows, 'figures')}`;
}

const STATUS_TONE: Record<GateRuleVerdict['status'], Tone> = {
  pass: 'pass',
  fail: 'fail',
  inconclusive: 'warn',
  skipped: 'muted',
};

export function gateRulesTable(gate: GateResult): string {
  const thresholdRows = gate.thresholds.map((t) => [
    passFail(t.ok),
    `${t.metric} ${t.expression}`,
    t.origin === 'run' ? 'scenario threshold' : 'gate threshold',
    t.reason,
  ]);
  const ruleRows = gate.rules.map((r) => [
    { text: r.status, tone: STATUS_TONE[r.status] },
    r.name,
    `${r.test.method} on ${r.test.evidence}`,
    r.reason,
  ]);
  const warnings = gate.warnings.map((w) => note(w, 'warn')).join('');
  if (thresholdRows.length + ruleRows.length === 0)
    return `${warnings}${note('The gate had nothing to judge.')}`;
  return `${warnings}${table(['verdict', 'check', 'test', 'why'], [...thresholdRows, ...ruleRows], 'gate')}`;
}
