/** One run's part of the HTML report: metadata, headline figures, verdicts, charts and tables. */
import {
  formatCount,
  formatDurationSec,
  formatMs,
  formatPercent,
  formatPercentileLabel,
  formatRate,
  formatSeed,
  formatTimestamp,
} from './format.ts';
import { CPU_WINDOW_SEC } from '../harness/metrics/generator-health.ts';
import { PERCENTILE_STAT } from './distributions.ts';
import { esc, facts, note, section, tiles, type Tile } from './html-parts.ts';
import { planBody } from './html-plan.ts';
import {
  errorsTable,
  faultsTable,
  latencyTable,
  phasesTable,
  sloTable,
  sweepTable,
  thresholdsTable,
} from './html-tables.ts';
import type { LoadedRun } from './load.ts';
import type { RenderedChart } from './render-charts.ts';
import type { RunReport } from './report-schema.ts';

export function chartFigure(chart: RenderedChart): string {
  return `<figure class="chart" data-chart="${esc(chart.id)}"><figcaption><h3>${esc(chart.title)}</h3><p>${esc(chart.caption)}</p></figcaption>${chart.svg}</figure>`;
}

function metadata(r: RunReport): string {
  const s = r.run.stack;
  const g = r.generator;
  const replicas = [
    s.modelReplicas === null ? null : `${formatCount(s.modelReplicas)} model`,
    s.agentReplicas === null ? null : `${formatCount(s.agentReplicas)} agent`,
  ].filter((x): x is string => x !== null);
  return facts([
    ['scenario', r.run.scenario],
    ['seed', formatSeed(r.run.seed)],
    ['started', formatTimestamp(r.run.startedAt)],
    ['duration', formatDurationSec(r.run.durationSec)],
    ['target', r.run.target],
    ['stack', `${s.kind}${s.inMemoryState ? ' (in-memory state, no Redis)' : ''}`],
    ['model server', `${s.modelServer}${s.profile ? ` · ${s.profile}` : ''}`],
    ['replicas', replicas.length > 0 ? replicas.join(', ') : '—'],
    ['versions', `agentload ${r.run.versions.agentload} · node ${r.run.versions.node}`],
    ['run id', `${r.run.id}${r.run.segment ? ` (segment ${r.run.segment})` : ''} · ${r.run.source}`],
    ['generator', g.valid ? 'kept up' : `overloaded: ${g.reasons.join('; ')}`],
    [
      'generator lag p99',
      `schedule ${formatMs(g.scheduleLagP99Ms)} · event loop ${formatMs(g.eventLoopDelayP99Ms)} · CPU ${g.cpuPercent === null ? '—' : formatPercent(g.cpuPercent / 100, 2)}` +
        (g.cpuPeakPercent === undefined || g.cpuPeakPercent === null
          ? ''
          : ` (peak ${formatPercent(g.cpuPeakPercent / 100, 2)} over ${CPU_WINDOW_SEC} s)`),
    ],
  ]);
}

function sloTone(r: RunReport, target: 'ttft' | 'itl' | 'e2e' | 'errorRate'): Tile['tone'] {
  const v = r.slo.verdicts.find((x) => x.target === target);
  return v === undefined ? undefined : v.ok ? 'pass' : 'fail';
}

function headlineTiles(r: RunReport): string {
  const c = r.counts;
  // The tiles show the SLO percentile when the summary records it, else p95.
  const shown = PERCENTILE_STAT[String(r.slo.percentile)] === undefined ? 95 : r.slo.percentile;
  const stat = PERCENTILE_STAT[String(shown)]!;
  const pick = (key: 'ttftMs' | 'itlMs' | 'e2eMs') =>
    r.latency[key].count === 0 ? null : r.latency[key][stat];
  const label = formatPercentileLabel(shown);
  const good = c.goodRequests === null || c.requests === 0 ? null : c.goodRequests / c.requests;
  const items: Tile[] = [
    { label: 'requests', value: formatCount(c.requests), note: formatRate(r.rates.requestsPerSec) },
    {
      label: 'error rate',
      value: formatPercent(r.rates.errorRate),
      note: `${formatCount(c.failed)} failed`,
      tone: sloTone(r, 'errorRate'),
    },
    {
      label: 'goodput',
      value: formatRate(r.rates.goodputPerSec),
      note: good === null ? undefined : `${formatPercent(good)} of requests within SLO`,
    },
    { label: `TTFT ${label}`, value: formatMs(pick('ttftMs')), tone: sloTone(r, 'ttft') },
    { label: `ITL ${label}`, value: formatMs(pick('itlMs')), tone: sloTone(r, 'itl') },
    { label: `E2E ${label}`, value: formatMs(pick('e2eMs')), tone: sloTone(r, 'e2e') },
    {
      label: 'output tokens',
      value: formatRate(r.rates.outputTokensPerSec, 'tok/s'),
      note: `${formatCount(c.outputTokens)} in all`,
    },
    { label: 'degraded answers', value: formatCount(c.degraded), tone: c.degraded > 0 ? 'warn' : undefined },
    {
      label: 'turns lost',
      value: c.turnsLost === null ? 'not audited' : formatCount(c.turnsLost),
      note: `${formatCount(c.turnsAcknowledged)} acknowledged`,
      tone: c.turnsLost === null ? undefined : c.turnsLost > 0 ? 'fail' : 'pass',
    },
    {
      label: 'dropped iterations',
      value: formatCount(c.dropped),
      note: 'not sent on time',
      tone: c.dropped > 0 ? 'warn' : undefined,
    },
  ];
  return tiles(items);
}

const byId = (charts: readonly RenderedChart[], id: string): string => {
  const chart = charts.find((c) => c.id === id);
  return chart === undefined ? '' : chartFigure(chart);
};

function chartsBody(r: RunReport, charts: readonly RenderedChart[], anchor: string): string {
  const parts: string[] = [];
  parts.push(
    section(
      `${anchor}latency`,
      'Latency',
      byId(charts, 'latency-over-time') || note('No timeseries.json: no charts over time.'),
    ),
  );
  parts.push(section(`${anchor}throughput`, 'Throughput', byId(charts, 'throughput-over-time')));
  const errors = byId(charts, 'errors-over-time');
  parts.push(
    section(
      `${anchor}errors`,
      'Errors and degraded answers',
      `${errors || note('No failed, degraded or dropped requests.', 'pass')}${errorsTable(r)}`,
    ),
  );
  parts.push(
    section(
      `${anchor}distributions`,
      'Distributions',
      `<div class="pair">${byId(charts, 'ttft-cdf')}${byId(charts, 'itl-cdf')}</div>${latencyTable(r)}`,
    ),
  );
  const server = byId(charts, 'server-over-time');
  if (server) parts.push(section(`${anchor}server`, 'Server side', server));
  if (r.phases.length > 0 || r.faults.length > 0) {
    parts.push(section(`${anchor}phases`, 'Phases and faults', `${phasesTable(r)}${faultsTable(r)}`));
  }
  if (r.sweep !== null) {
    parts.push(
      section(
        `${anchor}sweep`,
        'Sweep: latency against throughput',
        `${byId(charts, 'latency-throughput')}${sweepTable(r)}`,
      ),
    );
  }
  return parts.join('');
}

/** The sections of one run; `anchor` prefixes element ids when a report holds several runs. */
export function runSections(
  r: RunReport,
  loaded: LoadedRun,
  charts: readonly RenderedChart[],
  anchor: string,
): string {
  const verdicts = `<h3>SLO targets</h3>${sloTable(r)}<h3>Thresholds</h3>${thresholdsTable(r)}`;
  const notes = r.notes.map((n) => note(n, 'warn')).join('');
  const overview = section(`${anchor}overview`, 'Overview', `${headlineTiles(r)}${verdicts}${notes}`);
  const meta = section(`${anchor}metadata`, 'Run', metadata(r));
  const plan =
    loaded.plan === null
      ? ''
      : section(`${anchor}plan`, 'Capacity plan', planBody(loaded.plan, byId(charts, 'autoscaling')));
  return `${meta}${overview}${chartsBody(r, charts, anchor)}${plan}`;
}

/** The table-of-contents links of one run's sections. */
export function runToc(
  r: RunReport,
  loaded: LoadedRun,
  charts: readonly RenderedChart[],
  anchor: string,
): [string, string][] {
  const links: [string, string][] = [
    [`${anchor}metadata`, 'Run'],
    [`${anchor}overview`, 'Verdicts'],
    [`${anchor}latency`, 'Latency'],
    [`${anchor}throughput`, 'Throughput'],
    [`${anchor}errors`, 'Errors'],
    [`${anchor}distributions`, 'Distributions'],
  ];
  if (charts.some((c) => c.id === 'server-over-time')) links.push([`${anchor}server`, 'Server']);
  if (r.phases.length > 0 || r.faults.length > 0) links.push([`${anchor}phases`, 'Phases & faults']);
  if (r.sweep !== null) links.push([`${anchor}sweep`, 'Sweep']);
  if (loaded.plan !== null) links.push([`${anchor}plan`, 'Capacity plan']);
  return links;
}
