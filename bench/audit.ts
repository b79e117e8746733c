/**
 * The reliability and security audit: runs test/reliability and test/security (vitest, real
 * servers) with the fuzz count raised, collects the figure each case records
 * (test/support/audit-figures.ts), and prints one table: case, result, requests tried, failures,
 * figure. The same table, with the date and commit, can be written into docs/reliability.md.
 *
 *   node --import tsx bench/audit.ts                      # 10 000 fuzz requests per route
 *   node --import tsx bench/audit.ts --fuzz-runs 500 --only security
 *   node --import tsx bench/audit.ts --update-doc docs/reliability.md
 *
 * Exit code: 0 when every case passed, 99 (thresholds failed) when one did, 103 when the run broke.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode } from '../harness/cli/exit-codes.ts';
import type { FigureRecord } from '../test/support/audit-figures.ts';

interface AuditOptions {
  fuzzRuns: number;
  timingSamples: number;
  only: string | null;
  updateDoc: string | null;
}

interface Row {
  caseId: string;
  result: 'pass' | 'FAIL' | 'skipped';
  tried: number | null;
  failures: number | null;
  figure: string;
}

interface VitestJson {
  testResults: {
    name: string;
    status: string;
    assertionResults: { title: string; ancestorTitles: string[]; status: string }[];
  }[];
}

const docStart = '<!-- audit-table:start -->';
const docEnd = '<!-- audit-table:end -->';

function parseOptions(argv: string[]): AuditOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      'fuzz-runs': { type: 'string', default: process.env.AGENTLOAD_FUZZ_RUNS ?? '10000' },
      'timing-samples': { type: 'string', default: '10000' },
      only: { type: 'string' },
      'update-doc': { type: 'string' },
    },
  });
  const count = (name: string, raw: string | undefined): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
    return n;
  };
  return {
    fuzzRuns: count('fuzz-runs', values['fuzz-runs']),
    timingSamples: count('timing-samples', values['timing-samples']),
    only: values.only ?? null,
    updateDoc: values['update-doc'] ?? null,
  };
}

/** Runs the suites under vitest; resolves with vitest's exit code. */
function runVitest(options: AuditOptions, figuresPath: string, jsonPath: string): Promise<number> {
  const dirs = ['test/reliability', 'test/security'].filter((d) => !options.only || d.includes(options.only));
  const filters = options.only && dirs.length === 0 ? [options.only] : dirs;
  const args = [
    join('node_modules', 'vitest', 'vitest.mjs'),
    'run',
    ...filters,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${jsonPath}`,
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      AGENTLOAD_AUDIT_FIGURES: figuresPath,
      AGENTLOAD_FUZZ_RUNS: String(options.fuzzRuns),
      AGENTLOAD_TIMING_SAMPLES: String(options.timingSamples),
    },
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

/** One row per recorded figure; a test file that failed before recording gets a row of its own. */
function buildRows(figures: FigureRecord[], results: VitestJson): Row[] {
  const files = new Map(results.testResults.map((r) => [relative(process.cwd(), r.name), r]));
  const perFile = new Map<string, number>();
  for (const f of figures) perFile.set(f.file ?? '', (perFile.get(f.file ?? '') ?? 0) + 1);
  const testStatus = (file: string, test: string | null): string | undefined =>
    files.get(file)?.assertionResults.find((a) => [...a.ancestorTitles, a.title].join(' > ') === test)
      ?.status;
  const rows: Row[] = figures.map((f) => {
    const file = files.get(f.file ?? '');
    // Several figures in a file are one per test (fuzzing); a single figure speaks for the file.
    const status = (perFile.get(f.file ?? '') ?? 0) > 1 ? testStatus(f.file ?? '', f.test) : file?.status;
    return {
      caseId: f.caseId,
      result: status === 'passed' && f.failures === 0 ? 'pass' : 'FAIL',
      tried: f.tried,
      failures: f.failures,
      figure: f.figure,
    };
  });
  for (const [name, file] of files) {
    if (perFile.has(name)) continue;
    const skipped = file.assertionResults.every((a) => a.status === 'skipped' || a.status === 'pending');
    rows.push({
      caseId: name,
      result: skipped ? 'skipped' : 'FAIL',
      tried: null,
      failures: null,
      figure: skipped ? 'skipped (a required program is missing)' : 'failed before recording a figure',
    });
  }
  return rows.sort((a, b) => a.caseId.localeCompare(b.caseId, 'en', { numeric: true }));
}

function formatMarkdown(rows: Row[]): string {
  const cell = (v: string | number | null): string => String(v ?? '-').replace(/\|/g, '\\|');
  const lines = ['| Case | Result | Requests tried | Failures | Figure |', '|---|---|---:|---:|---|'];
  for (const r of rows)
    lines.push(`| ${[r.caseId, r.result, r.tried, r.failures, r.figure].map(cell).join(' | ')} |`);
  return lines.join('\n');
}

function formatText(rows: Row[]): string {
  const head = ['Case', 'Result', 'Tried', 'Failures'];
  const body = rows.map((r) => [r.caseId, r.result, String(r.tried ?? '-'), String(r.failures ?? '-')]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const out = [line(head), line(widths.map((w) => '-'.repeat(w)))];
  rows.forEach((r, i) => out.push(line(body[i]!), `    ${r.figure}`));
  return out.join('\n');
}

function provenance(options: AuditOptions): string {
  const commit =
    spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).stdout.trim() !== '';
  return (
    `Measured ${new Date().toISOString().slice(0, 10)} on commit ${commit}${dirty ? ' (with uncommitted changes)' : ''}, ` +
    `Node ${process.version}, ${availableParallelism()} CPUs; ${options.fuzzRuns} fuzz requests per route, ` +
    `${options.timingSamples} timing samples; \`node --import tsx bench/audit.ts\`.`
  );
}

function updateDoc(path: string, block: string): void {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(docStart);
  const end = text.indexOf(docEnd);
  if (start < 0 || end < start)
    throw new Error(`${path} has no ${docStart} ... ${docEnd} markers to replace`);
  writeFileSync(path, `${text.slice(0, start + docStart.length)}\n${block}\n${text.slice(end)}`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'agentload-audit-'));
  try {
    const figuresPath = join(dir, 'figures.jsonl');
    const jsonPath = join(dir, 'vitest.json');
    // Before the run: the commit and tree state the suites were started on.
    const stamp = provenance(options);
    const vitestCode = await runVitest(options, figuresPath, jsonPath);
    if (!existsSync(jsonPath)) {
      console.error(`vitest exited ${vitestCode} without a report; see its output above`);
      return ExitCode.harnessBroken;
    }
    const figures = existsSync(figuresPath)
      ? readFileSync(figuresPath, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as FigureRecord)
      : [];
    const rows = buildRows(figures, JSON.parse(readFileSync(jsonPath, 'utf8')) as VitestJson);
    console.log(`\n${stamp}\n\n${formatText(rows)}\n`);
    if (options.updateDoc) {
      updateDoc(options.updateDoc, `${stamp}\n\n${formatMarkdown(rows)}`);
      console.log(`table written to ${options.updateDoc}`);
    }
    return rows.some((r) => r.result === 'FAIL') || vitestCode !== 0
      ? ExitCode.thresholdsFailed
      : ExitCode.ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(ExitCode.invalidConfig);
  },
);
