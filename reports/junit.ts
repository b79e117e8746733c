/**
 * junit.xml: one test case per threshold, per SLO target and per gate rule, so CI systems that read
 * JUnit (GitHub, GitLab, Jenkins) list each check by name. A failed check is a <failure> whose
 * message says why; an inconclusive gate rule passes with its reason in <system-out>; a skipped one
 * is <skipped/>. With a gate, its thresholds replace the current run's own (no duplicates).
 */
import { judgedRuns } from './document.ts';
import { esc } from './html-parts.ts';
import { formatMetricValue, formatPercentileLabel } from './format.ts';
import type { ReportDocument, RunReport } from './report-schema.ts';

interface Case {
  name: string;
  classname: string;
  failure: string | null;
  skipped: string | null;
  out: string | null;
}

interface Suite {
  name: string;
  cases: Case[];
}

/** XML 1.0 forbids most control characters even escaped: drop them (tab, LF and CR stay). */
function dropControl(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) out += ch;
  }
  return out;
}

/** XML text or attribute value: control characters XML 1.0 forbids dropped, markup escaped. */
function xml(text: string): string {
  return esc(dropControl(text));
}

const ok = (name: string, classname: string, out: string | null = null): Case => ({
  name,
  classname,
  failure: null,
  skipped: null,
  out,
});

function thresholdSuite(r: RunReport): Suite {
  const classname = `agentload.thresholds.${r.run.scenario}`;
  return {
    name: `thresholds: ${r.run.scenario}`,
    cases: r.thresholds.map((t) => ({
      ...ok(`${t.metric} ${t.expression}`, classname),
      failure: t.ok
        ? null
        : `${t.metric} was ${formatMetricValue(t.metric, t.actual)}, which breaks ${t.expression}`,
    })),
  };
}

function sloSuite(r: RunReport): Suite {
  const classname = `agentload.slo.${r.run.scenario}`;
  return {
    name: `slo: ${r.run.scenario}`,
    cases: r.slo.verdicts.map((v) => {
      const stat = v.percentile === null ? 'rate' : formatPercentileLabel(v.percentile);
      const text = `${v.metric} ${stat} was ${formatMetricValue(v.metric, v.actual)} against a limit of ${formatMetricValue(v.metric, v.limit)}`;
      return {
        ...ok(`${v.metric} ${stat} <= ${formatMetricValue(v.metric, v.limit)}`, classname),
        failure: v.ok ? null : text,
      };
    }),
  };
}

function gateSuite(doc: ReportDocument): Suite | null {
  const gate = doc.gate;
  if (gate === null) return null;
  const cases: Case[] = gate.thresholds.map((t) => ({
    ...ok(`${t.metric} ${t.expression}`, `agentload.gate.thresholds`),
    failure: t.ok ? null : t.reason,
  }));
  for (const r of gate.rules) {
    const base = ok(r.name, 'agentload.gate.rules');
    if (r.status === 'fail') cases.push({ ...base, failure: r.reason });
    else if (r.status === 'skipped') cases.push({ ...base, skipped: r.reason });
    else cases.push({ ...base, out: r.reason });
  }
  return { name: 'gate', cases };
}

function caseXml(c: Case): string {
  const open = `    <testcase name="${xml(c.name)}" classname="${xml(c.classname)}" time="0"`;
  if (c.failure === null && c.skipped === null && c.out === null) return `${open}/>`;
  const inner: string[] = [];
  if (c.failure !== null)
    inner.push(
      `      <failure message="${xml(c.failure)}" type="agentload.check">${xml(c.failure)}</failure>`,
    );
  if (c.skipped !== null) inner.push(`      <skipped message="${xml(c.skipped)}"/>`);
  if (c.out !== null) inner.push(`      <system-out>${xml(c.out)}</system-out>`);
  return `${open}>\n${inner.join('\n')}\n    </testcase>`;
}

function suiteXml(s: Suite): string {
  const failures = s.cases.filter((c) => c.failure !== null).length;
  const skipped = s.cases.filter((c) => c.skipped !== null).length;
  const head = `  <testsuite name="${xml(s.name)}" tests="${s.cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0"`;
  if (s.cases.length === 0) return `${head}/>`;
  return `${head}>\n${s.cases.map(caseXml).join('\n')}\n  </testsuite>`;
}

export function renderJunit(doc: ReportDocument): string {
  const suites: Suite[] = [];
  const gate = gateSuite(doc);
  for (const r of judgedRuns(doc)) {
    if (gate === null) suites.push(thresholdSuite(r));
    if (r.slo.verdicts.length > 0) suites.push(sloSuite(r));
  }
  if (gate !== null) suites.push(gate);
  const tests = suites.reduce((a, s) => a + s.cases.length, 0);
  const failures = suites.reduce((a, s) => a + s.cases.filter((c) => c.failure !== null).length, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="agentload" tests="${tests}" failures="${failures}" errors="0" time="0">
${suites.map(suiteXml).join('\n')}
</testsuites>
`;
}
