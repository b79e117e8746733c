/** A few lines about a results directory for the terminal, after `ingest` and `merge`. */
import type { Summary } from '../results/schema.ts';
import { formatCount, formatMs, formatPercent, formatRate } from '../../reports/format.ts';

export function formatBrief(summary: Summary, dir: string): string[] {
  const c = summary.counts;
  const m = summary.metrics;
  const lines = [
    `${summary.run.scenario} (${summary.run.source}): ${formatCount(c.requests)} requests, ` +
      `${formatCount(c.completed)} completed, ${formatCount(c.failed)} failed, ${formatCount(c.dropped)} dropped, ` +
      `over ${formatMs(summary.run.durationSec * 1000)}`,
    `  ${formatRate(summary.rates.requestsPerSec)}, ${formatRate(summary.rates.outputTokensPerSec, 'tok/s')}, ` +
      `errors ${formatPercent(summary.rates.errorRate)}, goodput ${formatRate(summary.rates.goodputPerSec)}`,
    `  TTFT p50 ${formatMs(m.ttftMs.stats.count ? m.ttftMs.stats.p50 : null)} p95 ` +
      `${formatMs(m.ttftMs.stats.count ? m.ttftMs.stats.p95 : null)}, E2E p95 ` +
      `${formatMs(m.e2eMs.stats.count ? m.e2eMs.stats.p95 : null)}, ITL p95 ${formatMs(m.itlMs.stats.count ? m.itlMs.stats.p95 : null)}`,
  ];
  for (const t of summary.thresholds) {
    const actual = t.actual === null ? 'no data' : String(Math.round(t.actual * 1000) / 1000);
    lines.push(`  ${t.ok ? 'ok  ' : 'FAIL'} ${t.metric} ${t.expression} (${actual})`);
  }
  if (!summary.generator.valid) lines.push(...summary.generator.reasons.map((r) => `  generator: ${r}`));
  lines.push(`results: ${dir}`);
  return lines;
}

/** Every threshold held (a run with none passes). */
export function thresholdsPassed(summary: Summary): boolean {
  return summary.thresholds.every((t) => t.ok);
}
