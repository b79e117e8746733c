/**
 * Snapshot tests of the Markdown and JUnit reports on deterministic inputs (hand-built summaries
 * and a gate judged with a fixed seed), and the schema of report.json.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildReportDocument } from '../../reports/document.ts';
import { parseGateConfig } from '../../reports/gate/config.ts';
import { evaluateGate } from '../../reports/gate/evaluate.ts';
import { TREND_METRICS, trendsFromHistograms } from '../../reports/gate/metric-data.ts';
import { renderJson } from '../../reports/json.ts';
import { renderJunit } from '../../reports/junit.ts';
import { renderHtml } from '../../reports/html.ts';
import { esc } from '../../reports/html-parts.ts';
import { renderMarkdown } from '../../reports/markdown.ts';
import { REPORT_SCHEMA_VERSION, reportSchema, type ReportDocument } from '../../reports/report-schema.ts';
import { buildRunReport } from '../../reports/run-report.ts';
import type { Summary } from '../../harness/results/schema.ts';
import { loadedOf, makeSummary, scaledSummary } from './factories.ts';

function singleRun(): ReportDocument {
  return buildReportDocument([buildRunReport(loadedOf(makeSummary()))], { compare: false, gate: null });
}

function failingRun(): ReportDocument {
  const [ttft, failed] = makeSummary().thresholds;
  const summary = scaledSummary(4, {
    thresholds: [{ ...ttft!, ok: false, actual: 1681.5, failedLive: true }, failed!],
    generator: {
      valid: false,
      reasons: ['schedule lag p99 212 ms > 50 ms'],
      scheduleLagP99Ms: 212,
      eventLoopDelayP99Ms: 80,
      cpuPercent: 97,
    },
  });
  return buildReportDocument([buildRunReport(loadedOf(summary))], { compare: false, gate: null });
}

function gated(): ReportDocument {
  const baseline = makeSummary();
  const current = scaledSummary(1.2, { run: { ...makeSummary().run, id: 'run-43', seed: 43 } });
  const data = (summary: Summary, source: string) => ({
    source,
    summary,
    evidence: 'histogram' as const,
    trends: trendsFromHistograms(summary, TREND_METRICS),
  });
  const gate = evaluateGate({
    config: parseGateConfig({ statistics: { iterations: 500 } }, 'gate.yml'),
    baseline: data(baseline, 'results/base'),
    current: data(current, 'results/current'),
  });
  const runs = [
    buildRunReport(loadedOf(baseline, 'results/base')),
    buildRunReport(loadedOf(current, 'results/current')),
  ];
  return buildReportDocument(runs, { compare: true, gate });
}

describe('renderMarkdown', () => {
  it('puts the verdict first and renders a passing run compactly', async () => {
    const md = renderMarkdown(singleRun(), [
      { title: 'Latency over time', path: 'charts/latency-over-time.svg', run: 0 },
    ]);
    expect(md.split('\n')[0]).toBe('## ✅ PASS: chat-steady');
    await expect(md).toMatchFileSnapshot('__snapshots__/single-run.md');
  });

  it('lists why a run failed: thresholds, SLO and an overloaded generator', async () => {
    const md = renderMarkdown(failingRun());
    expect(md).toContain('## ❌ FAIL');
    expect(md).toContain('could not keep up');
    await expect(md).toMatchFileSnapshot('__snapshots__/failing-run.md');
  });

  it('shows the gate table before the comparison and the current run', async () => {
    const md = renderMarkdown(gated());
    expect(md.indexOf('### Gate')).toBeLessThan(md.indexOf('### Baseline against current'));
    expect(md.indexOf('### Baseline against current')).toBeLessThan(md.indexOf('### Current'));
    await expect(md).toMatchFileSnapshot('__snapshots__/gated.md');
  });
});

describe('a suite report (several runs, no comparison)', () => {
  // The failing run first: the heading must not speak for the last run alone.
  const [ttft, failed] = makeSummary().thresholds;
  const failingLoaded = loadedOf(
    scaledSummary(4, {
      run: { ...makeSummary().run, id: 'run-7', scenario: 'peak' },
      thresholds: [{ ...ttft!, ok: false, actual: 1681.5, failedLive: true }, failed!],
    }),
  );
  const runs = [buildRunReport(failingLoaded), buildRunReport(loadedOf(makeSummary()))];
  const doc = buildReportDocument(runs, { compare: false, gate: null });

  it('fails when any run failed, names every scenario and says which run failed why', () => {
    expect(runs[0]!.verdict.ok).toBe(false);
    expect(runs[1]!.verdict.ok).toBe(true);
    expect(runs[0]!.verdict.reasons.length).toBeGreaterThan(0);
    expect(doc.ok).toBe(false);
    const md = renderMarkdown(doc);
    const lines = md.split('\n');
    expect(lines[0]).toBe('## ❌ FAIL: peak, chat-steady');
    const reasons = lines.filter((l) => l.startsWith('- peak: '));
    expect(reasons.length).toBe(runs[0]!.verdict.reasons.length);
    expect(lines.some((l) => l.startsWith('- chat-steady: '))).toBe(false);

    const html = renderHtml({
      doc,
      runs: [
        { loaded: failingLoaded, charts: [] },
        { loaded: loadedOf(makeSummary()), charts: [] },
      ],
      compareCharts: [],
    });
    expect(html).toContain('<title>agentload report: peak, chat-steady</title>');
    expect(html).toContain('<h1>peak, chat-steady</h1>');
    expect(html).toContain('2 runs · from ');
    expect(html).toContain(`<li>${esc(`peak: ${runs[0]!.verdict.reasons[0]!}`)}</li>`);
  });

  it('numbers the runs of a scenario that ran twice in its reasons', () => {
    const twice = buildReportDocument([runs[0]!, runs[0]!], { compare: false, gate: null });
    const md = renderMarkdown(twice);
    expect(md.split('\n')[0]).toBe('## ❌ FAIL: peak');
    expect(md).toContain('- run 1 (peak): ');
    expect(md).toContain('- run 2 (peak): ');
    expect(md).not.toContain('- peak: ');
  });
});

describe('renderJunit', () => {
  it('has one test case per threshold and SLO target, failures with their reasons', async () => {
    const xml = renderJunit(failingRun());
    expect(xml.match(/<testcase /g)).toHaveLength(2 + 3);
    expect(xml).toContain('<testsuites name="agentload" tests="5" failures="3"');
    await expect(xml).toMatchFileSnapshot('__snapshots__/failing-run.junit.xml');
  });

  it('has one test case per gate rule and gate threshold, in place of the run thresholds', async () => {
    const doc = gated();
    const xml = renderJunit(doc);
    const gateCases = doc.gate!.rules.length + doc.gate!.thresholds.length;
    expect(xml.match(/classname="agentload\.gate\./g)).toHaveLength(gateCases);
    expect(xml).not.toContain('classname="agentload.thresholds.');
    await expect(xml).toMatchFileSnapshot('__snapshots__/gated.junit.xml');
  });

  it('escapes markup in names and reasons', () => {
    const doc = singleRun();
    doc.runs[0]!.thresholds[0]!.expression = 'p(95)<800 & "quoted"';
    const xml = renderJunit(doc);
    expect(xml).toContain('p(95)&lt;800 &amp; &quot;quoted&quot;');
  });
});

describe('report.json', () => {
  it('validates against the exported schema with its version', () => {
    for (const doc of [singleRun(), failingRun(), gated()]) {
      const parsed = reportSchema.parse(JSON.parse(renderJson(doc)));
      expect(parsed.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
      expect(parsed.kind).toBe('agentload.report');
    }
  });

  it('refuses to write a document that breaks its own schema', () => {
    const doc = singleRun();
    (doc.runs[0]!.counts as { requests: number }).requests = -1;
    expect(() => renderJson(doc)).toThrow(/does not match its own schema/);
  });

  it('is documented field by field in docs/reports.md', () => {
    const docs = readFileSync('docs/reports.md', 'utf8');
    const fields = [
      ...Object.keys(reportSchema.shape),
      ...Object.keys(reportSchema.shape.runs.element.shape),
      ...Object.keys(reportSchema.shape.gate.unwrap().shape),
      ...Object.keys(reportSchema.shape.gate.unwrap().shape.rules.element.shape),
      ...Object.keys(reportSchema.shape.comparison.unwrap().shape.rows.element.shape),
    ];
    const missing = [...new Set(fields)].filter((f) => !docs.includes(`\`${f}\``));
    expect(missing).toEqual([]);
  });
});
