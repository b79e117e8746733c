/**
 * Opens report.html in headless Chromium from disk: every chart rendered with marks, no console
 * error, no network request, and a screenshot kept as artifacts/report-screenshot.png.
 * Skips (with the reason) when /usr/bin/chromium is missing, unless REQUIRE_CHROMIUM=1.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGate } from '../../reports/gate/run-gate.ts';
import { writeReports } from '../../reports/write-reports.ts';
import { writeDemoRuns } from './demo-runs.ts';
import { tempRoot } from './factories.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const available = existsSync(CHROMIUM);
const required = process.env['REQUIRE_CHROMIUM'] === '1';
const SKIP_NOTE = `${CHROMIUM} is missing (apt-get install chromium); set REQUIRE_CHROMIUM=1 to fail instead of skipping`;

interface PageCheck {
  charts: { id: string; marks: number; width: number; height: number }[];
  consoleErrors: string[];
  requests: string[];
}

async function openReport(browser: Browser, htmlPath: string, screenshot?: string): Promise<PageCheck> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
  const charts = await page.$$eval('figure.chart', (figures) =>
    figures.map((f) => {
      const svg = f.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      return {
        id: f.getAttribute('data-chart') ?? '?',
        marks: svg
          ? svg.querySelectorAll(
              'g[class*="mark-"] > path, g[class*="mark-"] > rect, g[class*="mark-"] > line, g[class*="mark-"] path',
            ).length
          : 0,
        width: box?.width ?? 0,
        height: box?.height ?? 0,
      };
    }),
  );
  if (screenshot !== undefined) await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { charts, consoleErrors, requests };
}

describe('report.html in a browser', () => {
  const { root, cleanup } = tempRoot();
  let browser: Browser | null = null;
  let dirs: { baseline: string; current: string };

  beforeAll(async () => {
    if (!available) return;
    dirs = await writeDemoRuns(root);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    cleanup();
  });

  it('is required when REQUIRE_CHROMIUM=1', () => {
    if (required) expect(available, SKIP_NOTE).toBe(true);
  });

  it('renders every chart of a run with marks, without console errors or network requests', async (ctx) => {
    if (!available) return ctx.skip(SKIP_NOTE);
    const paths = await writeReports([dirs.current], { formats: ['html'], outDir: join(root, 'single') });
    mkdirSync('artifacts', { recursive: true });
    const shot = resolve('artifacts', 'report-screenshot.png');
    const check = await openReport(browser!, paths.htmlPath!, shot);
    expect(check.charts.map((c) => c.id)).toEqual([
      'latency-over-time',
      'throughput-over-time',
      'errors-over-time',
      'ttft-cdf',
      'itl-cdf',
      'server-over-time',
      'latency-throughput',
      'autoscaling',
    ]);
    for (const c of check.charts) {
      expect(c.marks, c.id).toBeGreaterThan(3);
      expect(c.width, c.id).toBeGreaterThan(200);
      expect(c.height, c.id).toBeGreaterThan(100);
    }
    expect(check.consoleErrors).toEqual([]);
    expect(check.requests).toEqual([]);
    expect(existsSync(shot)).toBe(true);
  });

  it('renders the gate and comparison view of two runs', async (ctx) => {
    if (!available) return ctx.skip(SKIP_NOTE);
    const out = join(root, 'gate');
    const outcome = await runGate({
      current: dirs.current,
      baseline: dirs.baseline,
      outDir: out,
      formats: ['html'],
    });
    expect(outcome.exitCode).toBe(1);
    const check = await openReport(
      browser!,
      outcome.reports!.htmlPath!,
      resolve('artifacts', 'report-gate-screenshot.png'),
    );
    expect(check.charts.filter((c) => c.id.startsWith('compare-'))).toHaveLength(2);
    expect(check.charts.length).toBeGreaterThanOrEqual(2 + 8 + 7);
    for (const c of check.charts) expect(c.marks, c.id).toBeGreaterThan(3);
    expect(check.consoleErrors).toEqual([]);
    expect(check.requests).toEqual([]);
  });
});
