/**
 * report.html: one self-contained page. Charts are inline SVG rendered in Node, the stylesheet is
 * inline, and there is no script, font or image to fetch, so it opens from disk with no network.
 */
import {
  formatCount,
  formatDurationSec,
  formatMetricChange,
  formatSeed,
  formatSignedPercent,
  formatTimestamp,
} from './format.ts';
import { comparisonTable, gateRulesTable } from './html-compare.ts';
import { esc, section } from './html-parts.ts';
import { chartFigure, runSections, runToc } from './html-run.ts';
import { STYLE } from './html-style.ts';
import type { LoadedRun } from './load.ts';
import type { RenderedChart } from './render-charts.ts';
import { judgedReasons, judgedRuns, reportSubject } from './document.ts';
import type { ReportDocument, RunReport } from './report-schema.ts';
import { thresholdFailure } from './run-report.ts';

export interface HtmlInput {
  doc: ReportDocument;
  runs: readonly { loaded: LoadedRun; charts: readonly RenderedChart[] }[];
  compareCharts: readonly RenderedChart[];
}

function verdictLines(doc: ReportDocument, judged: readonly RunReport[]): string[] {
  const lines: string[] = [];
  const gate = doc.gate;
  if (gate !== null) {
    lines.push(...gate.thresholds.filter((x) => !x.ok).map(thresholdFailure));
    for (const r of gate.rules.filter((x) => !x.ok)) {
      const measured =
        r.tolerance.kind === 'absolute' || r.relative === null
          ? formatMetricChange(r.metric, r.delta)
          : formatSignedPercent(r.relative);
      lines.push(`${r.name}: measured ${measured} (see Gate)`);
    }
  }
  for (const reason of judgedReasons(judged)) {
    if (gate === null || !reason.startsWith('threshold ')) lines.push(reason);
  }
  return lines;
}

function passSentence(doc: ReportDocument, judged: readonly RunReport[]): string {
  const thresholds = judged.reduce((n, r) => n + r.verdict.thresholdsPassed, 0);
  const inRuns = judged.length > 1 ? ` in ${formatCount(judged.length)} runs` : '';
  const parts = [`${formatCount(thresholds)} thresholds passed${inRuns}`];
  if (judged.every((r) => r.verdict.sloMet === true)) parts.push('every SLO target met');
  if (judged.every((r) => r.generator.valid)) parts.push('the load generator kept up');
  if (doc.gate !== null) {
    const rulesJudged = doc.gate.rules.filter((r) => r.status !== 'skipped').length;
    const unsure = doc.gate.rules.filter((r) => r.status === 'inconclusive').length;
    parts.push(
      `${formatCount(rulesJudged)} regression rules passed${unsure > 0 ? ` (${formatCount(unsure)} inconclusive)` : ''}`,
    );
  }
  return `${parts.join(', ')}.`;
}

function header(
  doc: ReportDocument,
  judged: readonly RunReport[],
  subject: string,
  toc: [string, string][],
): string {
  const body = doc.ok
    ? `<p>${esc(passSentence(doc, judged))}</p>`
    : `<ul>${verdictLines(doc, judged)
        .map((l) => `<li>${esc(l)}</li>`)
        .join('')}</ul>`;
  const what =
    doc.comparison !== null
      ? 'comparison'
      : doc.runs.length > 1
        ? `${formatCount(doc.runs.length)} runs`
        : 'run';
  const sub = `${what} · ${runFacts(judged)}`;
  const links = toc.map(([id, label]) => `<a href="#${esc(id)}">${esc(label)}</a>`).join('');
  return `<header class="top"><div class="brand">agentload report</div><h1>${esc(subject)}</h1><div class="sub">${esc(sub)}</div>
<div class="verdict ${doc.ok ? 'pass' : 'fail'}"><div class="verdict-word">${doc.ok ? 'PASS' : 'FAIL'}</div><div>${body}</div></div>
<nav class="toc">${links}</nav></header>`;
}

/** Start, duration, seed and profile of the judged run; for a suite, the first start and the total. */
function runFacts(judged: readonly RunReport[]): string {
  const profiles = new Set(judged.map((r) => r.run.stack.profile));
  const profile = profiles.size === 1 ? [...profiles][0] : null;
  if (judged.length === 1) {
    const r = judged[0]!.run;
    return `${formatTimestamp(r.startedAt)} · ${formatDurationSec(r.durationSec)} · seed ${formatSeed(r.seed)}${profile ? ` · ${profile}` : ''}`;
  }
  const totalSec = judged.reduce((sum, r) => sum + r.run.durationSec, 0);
  return `from ${formatTimestamp(judged[0]!.run.startedAt)} · ${formatDurationSec(totalSec)} in all${profile ? ` · ${profile}` : ''}`;
}

function comparisonSections(input: HtmlInput): string {
  const { doc } = input;
  let out = '';
  if (doc.gate !== null) {
    const base =
      doc.gate.baseline === null ? 'no baseline: thresholds only' : `baseline ${doc.gate.baseline}`;
    out += section(
      'gate',
      'Gate',
      gateRulesTable(doc.gate),
      `Current ${doc.gate.current} against ${base}; config ${doc.gate.config.source}.`,
    );
  }
  if (doc.comparison !== null) {
    const charts = input.compareCharts.map(chartFigure).join('');
    out += section(
      'comparison',
      'Baseline against current',
      `${comparisonTable(doc.comparison)}${charts}`,
      `Baseline ${doc.comparison.baseline}, current ${doc.comparison.current}. Changes are shown as measured; the gate says which are more than noise.`,
    );
  }
  return out;
}

export function renderHtml(input: HtmlInput): string {
  const { doc } = input;
  const comparing = doc.comparison !== null;
  // In a comparison the current run (the last) comes first; its baseline follows.
  const order = comparing ? [...input.runs.keys()].reverse() : [...input.runs.keys()];
  const many = input.runs.length > 1;
  const anchorOf = (i: number) => (many ? `run${i + 1}-` : '');
  const current = doc.runs[doc.runs.length - 1]!;
  const toc: [string, string][] = [];
  if (doc.gate !== null) toc.push(['gate', 'Gate']);
  if (comparing) toc.push(['comparison', 'Comparison']);
  const firstShown = order[0]!;
  toc.push(
    ...runToc(
      doc.runs[firstShown]!,
      input.runs[firstShown]!.loaded,
      input.runs[firstShown]!.charts,
      anchorOf(firstShown),
    ),
  );
  if (comparing) toc.push(['run1', 'Baseline run']);
  let body = comparisonSections(input);
  for (const i of order) {
    const run = input.runs[i]!;
    const report = doc.runs[i]!;
    if (many) {
      const role = comparing
        ? i === input.runs.length - 1
          ? 'current'
          : 'baseline'
        : `run ${formatCount(i + 1)}`;
      body += `<h2 class="run-title" id="run${i + 1}">${esc(role)}: ${esc(run.loaded.label)}<small>${esc(report.run.scenario)}</small></h2>`;
    }
    body += runSections(report, run.loaded, run.charts, anchorOf(i));
  }
  const judged = judgedRuns(doc);
  const subject = reportSubject(judged);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`agentload report: ${subject}`)}</title><style>${STYLE}</style></head>
<body><div class="page">${header(doc, judged, subject, toc)}${body}
<footer>Generated by agentload ${esc(current.run.versions.agentload)}. Metric definitions: docs/metrics.md. Report schema: docs/reports.md.</footer>
</div></body></html>
`;
}
