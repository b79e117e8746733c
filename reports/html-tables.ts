/** The tables of a run's HTML section: verdicts, latency figures, phases, faults, errors, sweep. */
import {
  formatCount,
  formatDurationSec,
  formatMetricValue,
  formatMs,
  formatNumber,
  formatPercent,
  formatPercentileLabel,
  formatRate,
} from './format.ts';
import { note, num, passFail, table, type Cell } from './html-parts.ts';
import type { Distribution, RunReport } from './report-schema.ts';

const SLO_NAMES = { ttft: 'TTFT', itl: 'ITL', e2e: 'E2E', errorRate: 'error rate' } as const;

export function sloTable(report: RunReport): string {
  if (report.slo.verdicts.length === 0) return note('The scenario set no SLO target.');
  const rows = report.slo.verdicts.map((v) => {
    const stat = v.percentile === null ? 'rate' : formatPercentileLabel(v.percentile);
    return [
      `${SLO_NAMES[v.target]} (${v.metric})`,
      stat,
      num(`≤ ${formatMetricValue(v.metric, v.limit)}`),
      num(formatMetricValue(v.metric, v.actual)),
      passFail(v.ok, 'met', 'missed'),
    ];
  });
  return table(
    [
      'SLO target',
      'judged on',
      { text: 'limit', numeric: true },
      { text: 'actual', numeric: true },
      'verdict',
    ],
    rows,
  );
}

export function thresholdsTable(report: RunReport): string {
  if (report.thresholds.length === 0) return note('The scenario set no threshold.');
  const rows = report.thresholds.map((t) => [
    t.metric,
    { text: t.expression, title: t.abortOnFail ? 'abortOnFail' : '' },
    num(formatMetricValue(t.metric, t.actual)),
    t.failedLive ? { text: 'failed during the run', tone: 'warn' as const } : '',
    passFail(t.ok),
  ]);
  return table(['threshold', 'expression', { text: 'actual', numeric: true }, 'live', 'verdict'], rows);
}

const LATENCY_ROWS: readonly (readonly [keyof RunReport['latency'], string])[] = [
  ['ttftMs', 'TTFT: time to first token'],
  ['itlMs', 'ITL: gap between tokens'],
  ['tpotMs', 'TPOT: mean time per output token'],
  ['e2eMs', 'E2E: whole request'],
  ['firstByteMs', 'first byte'],
  ['scheduleLagMs', 'schedule lag (generator)'],
];

function latencyRow(label: string, d: Distribution): Cell[] {
  const ms = (v: number): Cell => num(d.count === 0 ? '—' : formatMs(v));
  return [
    { text: label },
    num(formatCount(d.count)),
    ms(d.mean),
    ms(d.p50),
    ms(d.p90),
    ms(d.p95),
    ms(d.p99),
    ms(d.p999),
    ms(d.max),
  ];
}

export function latencyTable(report: RunReport): string {
  const head = ['metric', 'count', 'mean', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'].map((h, i) =>
    i === 0 ? h : { text: h, numeric: true },
  );
  return table(
    head,
    LATENCY_ROWS.map(([key, label]) => latencyRow(label, report.latency[key])),
    'figures',
  );
}

export function phasesTable(report: RunReport): string {
  if (report.phases.length === 0) return '';
  const rows = report.phases.map((p) => [
    p.name,
    num(`${formatNumber(p.startSec)}–${formatNumber(p.endSec)} s`),
    num(formatCount(p.requests)),
    num(formatCount(p.failed)),
    num(formatCount(p.degraded)),
    num(formatCount(p.dropped)),
    num(formatPercent(p.errorRate)),
    num(formatMs(p.ttftP95Ms)),
    num(formatMs(p.e2eP95Ms)),
    num(p.recoverySec === null ? '—' : formatDurationSec(p.recoverySec)),
  ]);
  const head = [
    'phase',
    'window',
    'requests',
    'failed',
    'degraded',
    'dropped',
    'error rate',
    'TTFT p95',
    'E2E p95',
    'recovered after',
  ];
  return `<h3>Phases</h3>${table(
    head.map((h, i) => (i === 0 ? h : { text: h, numeric: true })),
    rows,
  )}`;
}

export function faultsTable(report: RunReport): string {
  if (report.faults.length === 0) return '';
  const rows = report.faults.map((f) => [
    num(`${formatNumber(f.atSec)} s`),
    f.component,
    f.action,
    passFail(f.ok, 'applied', 'failed'),
    f.detail ?? '',
  ]);
  return `<h3>Faults injected</h3>${table([{ text: 'at', numeric: true }, 'component', 'action', 'result', 'detail'], rows)}`;
}

export function errorsTable(report: RunReport): string {
  const entries = Object.entries(report.errors).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return '';
  const finished = report.counts.completed + report.counts.failed;
  const rows = entries.map(([cls, n]) => [
    cls,
    num(formatCount(n)),
    num(formatPercent(finished > 0 ? n / finished : null)),
  ]);
  return `<h3>Errors by class</h3>${table(['error class', { text: 'requests', numeric: true }, { text: 'share of finished', numeric: true }], rows)}`;
}

export function sweepTable(report: RunReport): string {
  const sweep = report.sweep;
  if (sweep === null) return '';
  const rows = sweep.steps.map((s) => [
    s.name === sweep.goodputStep ? { text: `${s.name} ★`, title: 'goodput point' } : s.name,
    num(
      s.offeredRatePerSec === null
        ? `${formatNumber(s.targetConcurrency)} VUs`
        : formatRate(s.offeredRatePerSec),
    ),
    num(formatRate(s.achievedRatePerSec)),
    num(formatRate(s.goodputPerSec)),
    num(formatRate(s.outputTokensPerSec, 'tok/s')),
    {
      ...num(formatPercent(s.errorRate)),
      title: s.degraded ? `${formatCount(s.degraded)} degraded answers counted as failed` : '',
    },
    num(formatMs(s.ttftP95Ms)),
    num(formatMs(s.itlP95Ms)),
    num(formatMs(s.e2eP95Ms)),
    passFail(s.withinSlo, 'within', 'over'),
  ]);
  const head = [
    'step',
    'offered',
    'achieved',
    'goodput',
    'output',
    'errors',
    'TTFT p95',
    'ITL p95',
    'E2E p95',
    'SLO',
  ];
  return table(
    head.map((h, i) => (i === 0 || i === head.length - 1 ? h : { text: h, numeric: true })),
    rows,
  );
}
