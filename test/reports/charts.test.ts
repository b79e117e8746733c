import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timeseries, TimeseriesPoint } from '../../harness/results/schema.ts';
import { compareCharts, runCharts } from '../../reports/charts/index.ts';
import { seriesRows, MAX_POINTS } from '../../reports/charts/series.ts';
import { topLevel } from '../../reports/charts/theme.ts';
import { renderSvg } from '../../reports/render-svg.ts';
import { loadRun, type LoadedRun } from '../../reports/load.ts';
import { renderCompareCharts, renderRunCharts, runChartContext } from '../../reports/render-charts.ts';
import { buildRunReport } from '../../reports/run-report.ts';
import { writeDemoRuns } from './demo-runs.ts';
import { loadedOf, makeSummary, tempRoot } from './factories.ts';

const { root, cleanup } = tempRoot();
let baseline: LoadedRun;
let current: LoadedRun;

beforeAll(async () => {
  const dirs = await writeDemoRuns(root);
  baseline = await loadRun(dirs.baseline);
  current = await loadRun(dirs.current);
});
afterAll(cleanup);

type Server = TimeseriesPoint['server'];
const BATCH_ONLY: Server = { queueSize: null, batchSize: 4, agentInFlight: null, breakerOpen: null };
const point = (tSec: number, server: Server = BATCH_ONLY): TimeseriesPoint => ({
  tSec,
  requests: 10,
  completed: 10,
  failed: 0,
  degraded: 0,
  dropped: 0,
  inFlight: 2,
  outputTokens: 100,
  ttftP50Ms: 100,
  ttftP95Ms: tSec === 1234 ? 9000 : 200,
  e2eP95Ms: 500,
  itlP95Ms: 20,
  server,
});

const ctx = (l: LoadedRun) => runChartContext(l, buildRunReport(l));
const markCount = (svg: string): number => (svg.match(/<(path|rect|line|circle|text)\b/g) ?? []).length;

describe('run charts', () => {
  it('renders every chart of a sweep with a fault and a plan, without Vega-Lite warnings', async () => {
    const charts = await renderRunCharts(ctx(current), '');
    expect(charts.map((c) => c.id)).toEqual(Object.keys(runCharts));
    for (const c of charts) {
      expect(c.warnings, c.id).toEqual([]);
      expect(c.svg.startsWith('<svg')).toBe(true);
      expect(markCount(c.svg), c.id).toBeGreaterThan(20);
    }
  });

  it('prefixes every element id so charts inlined in one page do not clip each other', async () => {
    const clipped = topLevel({
      width: 200,
      height: 100,
      data: {
        values: [
          { x: 1, y: 1 },
          { x: 2, y: 5 },
        ],
      },
      mark: { type: 'line', clip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale: { domain: [0, 1.5] } },
        y: { field: 'y', type: 'quantitative' },
      },
    });
    const [a, b] = await Promise.all([renderSvg(clipped, 'one-'), renderSvg(clipped, 'two-')]);
    const ids = [a, b].flatMap((svg) => [...svg.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!));
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size).toBe(ids.length);
    const refs = [...a.matchAll(/url\(#([^)]+)\)/g)];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref[1]!.startsWith('one-')).toBe(true);
  });

  it('leaves out the charts a run has no data for', () => {
    const plain = ctx(loadedOf(makeSummary()));
    const built = Object.values(runCharts)
      .filter((c) => c.build(plain) !== null)
      .map((c) => c.id);
    expect(built).toEqual(['ttft-cdf', 'itl-cdf']);
  });

  it('marks the goodput point and the SLO lines on the sweep chart', () => {
    const report = buildRunReport(current);
    expect(report.sweep!.goodputStep).not.toBeNull();
    const spec = JSON.stringify(runCharts['latency-throughput'].build(runChartContext(current, report)));
    expect(spec).toContain(`"goodput`);
    expect(spec).toContain('SLO p95 800 ms');
  });

  it('leaves out the model-server panel when no queue or batch gauge was scraped', () => {
    const timeseries = (server: Server): Timeseries => ({
      schemaVersion: 1,
      intervalSec: 1,
      points: Array.from({ length: 30 }, (_, i) => point(i, server)),
      annotations: [],
    });
    const titles = (server: Server): string[] => {
      const l = loadedOf(makeSummary(), 'results/x', { timeseries: timeseries(server) });
      const spec = JSON.stringify(runCharts['server-over-time'].build(ctx(l)));
      return ['Model server', 'In flight', 'Circuit breakers open'].filter((t) => spec.includes(`"${t}"`));
    };
    const agentOnly = { queueSize: null, batchSize: null, agentInFlight: 3, breakerOpen: 0 };
    expect(titles(agentOnly)).toEqual(['In flight']);
    expect(titles({ ...agentOnly, batchSize: 4 })).toEqual(['Model server', 'In flight']);
    expect(titles({ ...agentOnly, breakerOpen: 1 })).toEqual(['In flight', 'Circuit breakers open']);
  });

  it('draws the faults and phases of the run on the time charts', () => {
    const spec = JSON.stringify(runCharts['latency-over-time'].build(ctx(current)));
    expect(spec).toContain('kill model-server-1');
    expect(spec).toContain('"name":"rate-4"');
  });
});

describe('comparison charts', () => {
  it('overlays baseline and current', async () => {
    const charts = await renderCompareCharts({ baseline: ctx(baseline), current: ctx(current) });
    expect(charts.map((c) => c.id)).toEqual(Object.keys(compareCharts));
    for (const c of charts) {
      expect(c.warnings).toEqual([]);
      expect(c.svg).toContain('baseline');
      expect(c.svg).toContain('current');
    }
  });
});

describe('seriesRows', () => {
  it('folds a long run into at most MAX_POINTS windows, keeping the worst per-second percentile', () => {
    const series = seriesRows({
      schemaVersion: 1,
      intervalSec: 1,
      points: Array.from({ length: 3600 }, (_, i) => point(i)),
      annotations: [],
    });
    expect(series.rows.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(series.windowSec).toBe(4);
    expect(Math.max(...series.rows.map((r) => r.ttftP95Ms ?? 0))).toBe(9000);
    expect(series.rows[0]!.requestsPerSec).toBe(10);
    expect(series.rows[0]!.queueSize).toBeNull();
  });
});
