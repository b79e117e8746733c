/**
 * writeReports: the one entry point `agentload run`, `agentload suite`, `agentload report` and
 * `agentload gate` call. Reads the results directories, builds the report document, renders the
 * charts once, and writes the requested formats into outDir:
 *   report.html   self-contained page          report.json   the document (docs/reports.md)
 *   report.md     + charts/<id>.svg next to it  junit.xml     one test case per check
 */
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InvalidConfigError } from '../harness/errors.ts';
import { ResultsWriteError } from '../harness/results/errors.ts';
import { buildReportDocument } from './document.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import { loadRun, type LoadedRun } from './load.ts';
import { renderMarkdown, type ChartLink } from './markdown.ts';
import {
  renderCompareCharts,
  renderRunCharts,
  runChartContext,
  type RenderedChart,
} from './render-charts.ts';
import type { GateResult, ReportDocument } from './report-schema.ts';
import { buildRunReport } from './run-report.ts';
import { makeDirs } from '../harness/fs/make-dirs.ts';

export const REPORT_FORMATS = ['html', 'md', 'json', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
const DEFAULT_REPORT_FORMATS: readonly ReportFormat[] = ['html', 'md', 'json'];

const REPORT_FILES = {
  html: 'report.html',
  md: 'report.md',
  json: 'report.json',
  junit: 'junit.xml',
  chartsDir: 'charts',
} as const;

export interface WriteReportsOptions {
  /** Default html, md, json. */
  formats?: readonly ReportFormat[];
  /** Default: the last results directory (the current run of a comparison). */
  outDir?: string;
  /** Compare the first directory (baseline) with the second; default: two directories of one scenario. */
  compare?: boolean;
  /** The gate's verdicts, shown first in every format. */
  gate?: GateResult | null;
}

export interface ReportPaths {
  htmlPath?: string;
  markdownPath?: string;
  jsonPath?: string;
  junitPath?: string;
  /** SVG files written next to report.md. */
  chartPaths: string[];
  /** The overall verdict (every run's and the gate's). */
  ok: boolean;
}

const FORMAT_ALIASES: Record<string, ReportFormat> = { markdown: 'md', xml: 'junit' };

/** "html,md" -> ['html', 'md']; @throws InvalidConfigError naming the unknown formats. */
export function parseFormats(text: string, source = '--format'): ReportFormat[] {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const out: ReportFormat[] = [];
  const bad: string[] = [];
  for (const name of names) {
    const format = FORMAT_ALIASES[name] ?? name;
    if ((REPORT_FORMATS as readonly string[]).includes(format)) {
      if (!out.includes(format as ReportFormat)) out.push(format as ReportFormat);
    } else bad.push(name);
  }
  if (bad.length > 0 || out.length === 0) {
    const message =
      bad.length > 0 ? `unknown format ${bad.map((b) => `"${b}"`).join(', ')}` : 'give at least one format';
    throw new InvalidConfigError(source, [
      { path: source, message: `${message}; use ${REPORT_FORMATS.join(', ')}` },
    ]);
  }
  return out;
}

async function write(path: string, text: string): Promise<string> {
  try {
    await writeFile(path, text);
    return path;
  } catch (cause) {
    throw new ResultsWriteError(`could not write ${path}: ${(cause as Error).message}`, {
      hint: 'Check that the output directory is writable (--out DIR picks another).',
      cause,
    });
  }
}

interface Rendered {
  doc: ReportDocument;
  runCharts: RenderedChart[][];
  compareCharts: RenderedChart[];
}

async function render(
  loaded: readonly LoadedRun[],
  compare: boolean,
  gate: GateResult | null,
  charts: boolean,
): Promise<Rendered> {
  const reports = loaded.map(buildRunReport);
  const doc = buildReportDocument(reports, { compare, gate });
  if (!charts) return { doc, runCharts: loaded.map(() => []), compareCharts: [] };
  const contexts = loaded.map((l, i) => runChartContext(l, reports[i]!));
  const many = loaded.length > 1;
  const runCharts: RenderedChart[][] = [];
  for (const [i, ctx] of contexts.entries())
    runCharts.push(await renderRunCharts(ctx, many ? `run${i + 1}-` : ''));
  const compareCharts =
    doc.comparison === null
      ? []
      : await renderCompareCharts({ baseline: contexts[0]!, current: contexts[1]! });
  return { doc, runCharts, compareCharts };
}

/** writeReports for runs already loaded (the gate has them in hand). */
export async function writeReportsFor(
  loaded: readonly LoadedRun[],
  options: WriteReportsOptions = {},
): Promise<ReportPaths> {
  if (loaded.length === 0) {
    throw new InvalidConfigError('report', [
      { path: 'results', message: 'give at least one results directory' },
    ]);
  }
  const formats = options.formats ?? DEFAULT_REPORT_FORMATS;
  const compare =
    options.compare ??
    (loaded.length === 2 && loaded[0]!.summary.run.scenario === loaded[1]!.summary.run.scenario);
  const outDir = options.outDir ?? loaded[loaded.length - 1]!.dir;
  const wantCharts = formats.includes('html') || formats.includes('md');
  const { doc, runCharts, compareCharts } = await render(loaded, compare, options.gate ?? null, wantCharts);
  await makeDirs(outDir).catch((cause: unknown) => {
    throw new ResultsWriteError(`could not create ${outDir}: ${(cause as Error).message}`, { cause });
  });
  const paths: ReportPaths = { chartPaths: [], ok: doc.ok };
  if (formats.includes('html')) {
    const runs = loaded.map((l, i) => ({ loaded: l, charts: runCharts[i]! }));
    paths.htmlPath = await write(join(outDir, REPORT_FILES.html), renderHtml({ doc, runs, compareCharts }));
  }
  if (formats.includes('md')) {
    const chartsDir = join(outDir, REPORT_FILES.chartsDir);
    await makeDirs(chartsDir);
    const links: ChartLink[] = [];
    const all = [
      ...runCharts.flatMap((cs, run) => cs.map((c) => ({ c, run }) as const)),
      ...compareCharts.map((c) => ({ c, run: null })),
    ];
    for (const { c, run } of all) {
      const path = await write(join(chartsDir, c.fileName), c.svg);
      paths.chartPaths.push(path);
      links.push({ title: c.title, path: relative(outDir, path).split('\\').join('/'), run });
    }
    paths.markdownPath = await write(join(outDir, REPORT_FILES.md), renderMarkdown(doc, links));
  }
  if (formats.includes('json'))
    paths.jsonPath = await write(join(outDir, REPORT_FILES.json), renderJson(doc));
  if (formats.includes('junit'))
    paths.junitPath = await write(join(outDir, REPORT_FILES.junit), renderJunit(doc));
  return paths;
}

/**
 * Reads each results directory (or summary.json) and writes the requested report formats.
 * @throws InvalidResultsError (AL_INVALID_RESULTS) for a missing or invalid results directory,
 *   ResultsWriteError (AL_RESULTS_WRITE) when outDir is not writable.
 */
export async function writeReports(
  resultsDirs: readonly string[],
  options: WriteReportsOptions = {},
): Promise<ReportPaths> {
  const loaded: LoadedRun[] = [];
  for (const dir of resultsDirs) loaded.push(await loadRun(dir));
  return writeReportsFor(loaded, options);
}
