import { formatMetricValue, formatPercentileLabel } from '../../reports/format.ts';
import { sloVerdicts } from '../../reports/slo-verdicts.ts';
import type { Summary } from '../results/schema.ts';
import type { RunOutcome } from './runner.ts';

const ms = (v: number | null | undefined): string =>
  v === null || v === undefined ? '-' : `${Math.round(v)} ms`;
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const stat = (m: { stats: { count: number } & Record<'p50' | 'p95', number> }, key: 'p50' | 'p95'): string =>
  m.stats.count === 0 ? '-' : ms(m.stats[key]);

function recoveryText(sec: number | null): string {
  return sec === null ? 'not recovered' : sec === 0 ? 'no burst' : `recovered in ${sec.toFixed(0)} s`;
}

function phaseLine(p: Summary['phases'][number], fullSec: number | null | undefined): string {
  const full =
    fullSec === undefined || fullSec === p.recoverySec ? '' : `, full answers ${recoveryText(fullSec)}`;
  return (
    `  ${p.name.padEnd(14)} ${p.startSec.toFixed(0).padStart(4)}-${p.endSec.toFixed(0)}s  ` +
    `${p.requests} req  ${p.failed} failed (${pct(p.errorRate)})  ${p.degraded} degraded  ` +
    `p95 TTFT ${ms(p.ttftP95Ms)}  errors ${recoveryText(p.recoverySec)}${full}`
  );
}

/**
 * The run's SLO verdicts, as the report judges them (reports/slo-verdicts.ts); empty without SLO
 * targets. Thresholds set the exit code, the report's PASS/FAIL also needs the SLO met, so both are
 * printed.
 */
export function sloLine(summary: Summary): string | null {
  const verdicts = sloVerdicts(summary);
  if (verdicts.length === 0) return null;
  const parts = verdicts.map((v) => {
    const name = v.percentile === null ? v.metric : `${v.metric} ${formatPercentileLabel(v.percentile)}`;
    const actual = formatMetricValue(v.metric, v.actual);
    return `${name} ${actual} ${v.ok ? '<=' : '>'} ${formatMetricValue(v.metric, v.limit)}`;
  });
  const ok = verdicts.every((v) => v.ok);
  return `  ${ok ? 'SLO met   ' : 'SLO missed'} ${parts.join(', ')}${ok ? '' : ' (the report says FAIL; thresholds set the exit code)'}`;
}

/** The end-of-run block printed to stderr: headline figures, phases, steps, SLO, thresholds. */
export function formatRunReport(outcome: RunOutcome): string[] {
  const s = outcome.summary;
  const c = s.counts;
  const lines = [
    `${s.run.scenario}: ${c.requests} requests in ${s.run.durationSec.toFixed(1)} s, ` +
      `${c.failed} failed (${pct(s.rates.errorRate)}), ${c.degraded} degraded, ${c.dropped} dropped` +
      (outcome.interrupted > 0 ? `, ${outcome.interrupted} cut off at the end` : ''),
    `  TTFT p50 ${stat(s.metrics.ttftMs, 'p50')} p95 ${stat(s.metrics.ttftMs, 'p95')}  ` +
      `E2E p95 ${stat(s.metrics.e2eMs, 'p95')}  ITL p95 ${stat(s.metrics.itlMs, 'p95')}  ` +
      `${s.rates.outputTokensPerSec.toFixed(1)} tok/s  goodput ${s.rates.goodputPerSec.toFixed(2)}/s`,
    c.turnsLost === null
      ? '  turns lost: not checked'
      : `  turns lost: ${c.turnsLost} (of ${c.turnsAcknowledged} acknowledged)`,
  ];
  const errors = Object.entries(s.errors).filter(([, n]) => n > 0);
  if (errors.length > 0) lines.push(`  errors: ${errors.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (outcome.endedBy) lines.push(`  ended early (${outcome.endedBy.kind}): ${outcome.endedBy.reason}`);
  if (s.phases.length > 0)
    lines.push('  phases:', ...s.phases.map((p) => phaseLine(p, outcome.fullAnswerRecoverySec[p.name])));
  for (const f of s.faults)
    lines.push(
      `  fault ${f.atSec.toFixed(1)}s ${f.action} ${f.component}: ${f.ok ? 'ok' : `FAILED ${f.detail ?? ''}`}`,
    );
  for (const f of outcome.firstSuccess) {
    const after =
      f.afterSec === null ? 'no full answer after it' : `first full answer ${f.afterSec.toFixed(1)} s later`;
    lines.push(`  after ${f.label} at ${f.atSec.toFixed(1)}s: ${after}`);
  }
  const d = outcome.drift;
  if (d) {
    const slope = (v: number | null, unit: string): string =>
      v === null ? 'n/a' : `${v >= 0 ? '+' : ''}${v.toFixed(1)} ${unit}/min`;
    lines.push(
      `  drift over ${d.windowSec} s: TTFT p95 ${slope(d.ttftP95MsPerMin, 'ms')}, E2E p95 ${slope(d.e2eP95MsPerMin, 'ms')}, ` +
        `server memory ${slope(d.rssMiBPerMin, 'MiB')}`,
    );
  }
  for (const st of s.steps) {
    lines.push(
      `  ${st.name}: offered ${st.offeredRatePerSec ?? '-'}/s achieved ${st.achievedRatePerSec.toFixed(2)}/s  ` +
        `p95 TTFT ${ms(st.ttftMs.p95)}  errors ${pct(st.errorRate)}  dropped ${st.dropped}`,
    );
  }
  if (!s.generator.valid) lines.push(`  generator: ${s.generator.reasons.join('; ')}`);
  const slo = sloLine(s);
  if (slo !== null) lines.push(slo);
  for (const t of s.thresholds) {
    lines.push(
      `  ${t.ok ? 'ok  ' : 'FAIL'} ${t.metric} ${t.expression} (actual ${t.actual === null ? 'no data' : +t.actual.toFixed(3)})`,
    );
  }
  return lines;
}
