/**
 * report.md: for a pull-request comment or a CI step summary ($GITHUB_STEP_SUMMARY). Verdicts
 * first, compact tables, charts as links to the SVG files written next to it.
 */
import {
  formatComparisonLabel,
  formatCount,
  formatDurationSec,
  formatMetricChange,
  formatMetricValue,
  formatMs,
  formatPercent,
  formatPercentileLabel,
  formatRate,
  formatSeed,
  formatSignedPercent,
} from './format.ts';
import { judgedReasons, judgedRuns, reportSubject } from './document.ts';
import type { GateResult, ReportDocument, RunReport } from './report-schema.ts';

export interface ChartLink {
  title: string;
  /** Relative to report.md. */
  path: string;
  /** Which run it belongs to (index into doc.runs); null for a comparison chart. */
  run: number | null;
}

/** The comparison rows a pull-request comment shows (report.html and report.json have them all). */
const COMPACT_ROWS = new Set([
  'ttft_ms p50',
  'ttft_ms p95',
  'ttft_ms p99',
  'itl_ms p95',
  'tpot_ms p95',
  'e2e_ms p95',
  'e2e_ms p99',
  'http_req_failed rate',
  'degraded_rate rate',
  'goodput_per_sec value',
  'output_tokens_per_sec value',
]);

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const mark = (ok: boolean): string => (ok ? '✅' : '❌');
const STATUS_MARK = { pass: '✅', fail: '❌', inconclusive: '⚠️', skipped: '➖' } as const;

function mdTable(head: readonly string[], rows: readonly (readonly string[])[], numericFrom = 99): string[] {
  const align = head.map((_, i) => (i >= numericFrom ? '---:' : '---'));
  return [
    `| ${head.map(cell).join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

function gateLines(gate: GateResult): string[] {
  const lines = ['### Gate', ''];
  const base = gate.baseline === null ? 'no baseline (thresholds only)' : `\`${gate.baseline}\``;
  lines.push(`Current \`${gate.current}\` against ${base}.`, '');
  for (const w of gate.warnings) lines.push(`> ⚠️ ${w}`, '');
  const rows = [
    ...gate.thresholds.map((t) => [mark(t.ok), `${t.metric} \`${t.expression}\``, t.reason]),
    ...gate.rules.map((r) => [STATUS_MARK[r.status], r.name, r.reason]),
  ];
  if (rows.length === 0) return [...lines, 'Nothing to judge.', ''];
  return [...lines, ...mdTable(['', 'check', 'why'], rows), ''];
}

function verdictRows(r: RunReport, withThresholds: boolean): string[][] {
  const rows: string[][] = r.slo.verdicts.map((v) => [
    mark(v.ok),
    `SLO ${v.metric} ${v.percentile === null ? 'rate' : formatPercentileLabel(v.percentile)}`,
    `≤ ${formatMetricValue(v.metric, v.limit)}`,
    formatMetricValue(v.metric, v.actual),
  ]);
  if (!withThresholds) return rows;
  for (const t of r.thresholds)
    rows.push([mark(t.ok), `${t.metric}`, `\`${t.expression}\``, formatMetricValue(t.metric, t.actual)]);
  return rows;
}

function figuresRow(r: RunReport): string[] {
  const c = r.counts;
  return [
    formatCount(c.requests),
    formatPercent(r.rates.errorRate),
    formatRate(r.rates.goodputPerSec),
    formatMs(r.latency.ttftMs.count === 0 ? null : r.latency.ttftMs.p95),
    formatMs(r.latency.itlMs.count === 0 ? null : r.latency.itlMs.p95),
    formatMs(r.latency.e2eMs.count === 0 ? null : r.latency.e2eMs.p95),
    formatRate(r.rates.outputTokensPerSec, 'tok/s'),
    c.turnsLost === null ? 'not audited' : formatCount(c.turnsLost),
    formatCount(c.dropped),
  ];
}

function runLines(
  r: RunReport,
  title: string,
  links: readonly ChartLink[],
  withThresholds: boolean,
): string[] {
  const lines = [`### ${title}`, ''];
  const s = r.run.stack;
  lines.push(
    `\`${r.run.scenario}\` · seed ${formatSeed(r.run.seed)} · ${formatDurationSec(r.run.durationSec)} · ${s.kind}${s.profile ? ` · ${s.profile}` : ''} · agentload ${r.run.versions.agentload}`,
    '',
  );
  if (!r.generator.valid)
    lines.push(`> ⚠️ The load generator could not keep up: ${r.generator.reasons.join('; ')}`, '');
  const verdicts = verdictRows(r, withThresholds);
  if (verdicts.length > 0) lines.push(...mdTable(['', 'check', 'limit', 'actual'], verdicts, 2), '');
  const head = [
    'requests',
    'error rate',
    'goodput',
    'TTFT p95',
    'ITL p95',
    'E2E p95',
    'output',
    'turns lost',
    'dropped',
  ];
  lines.push(...mdTable(head, [figuresRow(r)], 0), '');
  if (r.sweep?.goodputStep != null) {
    lines.push(
      `Sweep goodput point: step \`${r.sweep.goodputStep}\` at ${formatRate(r.sweep.goodputPerSec)} within SLO.`,
      '',
    );
  }
  const plan = r.plan?.recommended;
  if (plan != null) {
    lines.push(
      `Capacity plan: ${formatCount(plan.replicas)} replicas, ${formatCount(plan.gpus)} GPUs for ${formatRate(r.plan!.peakRatePerSec)} at peak (goodput ${formatRate(plan.goodputPerReplicaPerSec)} per replica).`,
      '',
    );
  }
  if (links.length > 0) lines.push(`Charts: ${links.map((l) => `[${l.title}](${l.path})`).join(' · ')}`, '');
  for (const n of r.notes) lines.push(`> ${n}`, '');
  return lines;
}

function comparisonLines(doc: ReportDocument, links: readonly ChartLink[]): string[] {
  const c = doc.comparison;
  if (c === null) return [];
  const rows = c.rows
    .filter((r) => COMPACT_ROWS.has(`${r.metric} ${r.stat}`) && (r.baseline !== null || r.current !== null))
    .map((r) => [
      formatComparisonLabel(r.metric, r.stat),
      formatMetricValue(r.metric, r.baseline),
      formatMetricValue(r.metric, r.current),
      `${formatMetricChange(r.metric, r.delta)}${r.relative === null ? '' : ` (${formatSignedPercent(r.relative)})`}${r.worse ? ' 🔺' : ''}`,
    ]);
  const lines = ['### Baseline against current', ''];
  if (!c.sameScenario) lines.push('> ⚠️ The two runs come from different scenarios.', '');
  lines.push(...mdTable(['metric', 'baseline', 'current', 'change'], rows, 1), '');
  if (links.length > 0) lines.push(`Charts: ${links.map((l) => `[${l.title}](${l.path})`).join(' · ')}`, '');
  return lines;
}

export function renderMarkdown(doc: ReportDocument, links: readonly ChartLink[] = []): string {
  const judged = judgedRuns(doc);
  const lines = [`## ${doc.ok ? '✅ PASS' : '❌ FAIL'}: ${reportSubject(judged)}`, ''];
  if (!doc.ok && judged.length > 1) {
    for (const reason of judgedReasons(judged)) lines.push(`- ${reason}`);
    lines.push('');
  }
  if (doc.gate !== null) lines.push(...gateLines(doc.gate));
  lines.push(
    ...comparisonLines(
      doc,
      links.filter((l) => l.run === null),
    ),
  );
  // Compared with a baseline, only the current run is detailed: the baseline is in the table above.
  const comparing = doc.comparison !== null;
  const shown = comparing ? [doc.runs.length - 1] : [...doc.runs.keys()];
  for (const i of shown) {
    const r = doc.runs[i]!;
    const role = comparing ? 'Current' : doc.runs.length > 1 ? `Run ${formatCount(i + 1)}` : 'Run';
    lines.push(
      ...runLines(
        r,
        `${role}: ${r.run.id}`,
        links.filter((l) => l.run === i),
        doc.gate === null,
      ),
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
