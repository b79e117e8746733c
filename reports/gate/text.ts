/** The gate's verdict for a terminal or a CI log: one line per check, failures first. */
import { formatConfidence, formatCount, formatSeed } from '../format.ts';
import type { GateResult } from '../report-schema.ts';

const WORD = { pass: 'PASS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE', skipped: 'SKIPPED' } as const;

export function formatGateText(result: GateResult): string {
  const lines: string[] = [];
  const checks = result.thresholds.length + result.rules.length;
  const failed = result.thresholds.filter((t) => !t.ok).length + result.rules.filter((r) => !r.ok).length;
  lines.push(
    `agentload gate: ${result.ok ? 'PASS' : 'FAIL'} (${formatCount(failed)} of ${formatCount(checks)} checks failed)`,
    `  current:  ${result.current}`,
    `  baseline: ${result.baseline ?? '(none: thresholds only)'}`,
    `  config:   ${result.config.source}; ${result.config.method} at ${formatConfidence(result.config.confidence)} confidence, seed ${formatSeed(result.config.seed)}`,
  );
  const rows = [
    ...result.thresholds.map((t) => ({
      ok: t.ok,
      word: t.ok ? 'PASS' : 'FAIL',
      name: `threshold ${t.metric} ${t.expression}`,
      reason: t.reason,
    })),
    ...result.rules.map((r) => ({ ok: r.ok, word: WORD[r.status], name: r.name, reason: r.reason })),
  ];
  rows.sort((a, b) => Number(a.ok) - Number(b.ok));
  for (const r of rows) lines.push(`  ${r.word.padEnd(12)} ${r.name}`, `               ${r.reason}`);
  for (const w of result.warnings) lines.push(`  warning: ${w}`);
  return `${lines.join('\n')}\n`;
}
