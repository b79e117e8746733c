import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import { afterAll, expect } from 'vitest';

/**
 * Figures the reliability and security cases measure, for the table `bench/audit.ts` prints. A test
 * records its figure before asserting, so a failing case still shows what it measured. Outside an
 * audit run (no AGENTLOAD_AUDIT_FIGURES) recording is a no-op.
 */
export interface CaseFigure {
  /** Stable id and short name, e.g. 'R1 limiter atomicity across replicas'. */
  caseId: string;
  /** Requests (or generated inputs) the case sent. */
  tried: number;
  /** Requests that broke the property the case asserts (0 when it holds). */
  failures: number;
  /** What was measured, in words and numbers. */
  figure: string;
}

/** One line of the figures file: the figure plus where it came from (for the pass/fail column). */
export interface FigureRecord extends CaseFigure {
  /** Test file, relative to the repository root. */
  file: string | null;
  /** The test running when it was recorded ('describe > it'); from an afterAll hook, the file's last test. */
  test: string | null;
}

export function recordFigure(figure: CaseFigure): void {
  const out = process.env.AGENTLOAD_AUDIT_FIGURES;
  if (!out) return;
  const state = expect.getState();
  const record: FigureRecord = {
    ...figure,
    file: state.testPath ? relative(process.cwd(), state.testPath) : null,
    test: state.currentTestName ?? null,
  };
  appendFileSync(out, `${JSON.stringify(record)}\n`);
}

/** A case's figures summed over its tests: each test adds what it sent, broke and measured. */
export interface CaseTally {
  tried: number;
  failures: number;
  readonly figures: string[];
}

/**
 * Registers an afterAll in the calling describe block that records the case's tally as one figure
 * (its parts joined by '; '), so every test of the case counts towards the row `bench/audit.ts` prints.
 */
export function caseFigure(caseId: string): CaseTally {
  const tally: CaseTally = { tried: 0, failures: 0, figures: [] };
  afterAll(() =>
    recordFigure({ caseId, tried: tally.tried, failures: tally.failures, figure: tally.figures.join('; ') }),
  );
  return tally;
}

/** Generated requests per route: `AGENTLOAD_FUZZ_RUNS` (the audit sets 10 000), else `fallback`. */
export function fuzzRunsPerRoute(fallback = 200): number {
  const raw = process.env.AGENTLOAD_FUZZ_RUNS;
  if (raw === undefined || raw === '') return fallback;
  const runs = Number(raw);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`AGENTLOAD_FUZZ_RUNS="${raw}" is not a positive integer; unset it or give e.g. 10000`);
  }
  return runs;
}

/** Samples for timing figures (not asserted): `AGENTLOAD_TIMING_SAMPLES`, else `fallback`. */
export function timingSamples(fallback = 2_000): number {
  const runs = Number(process.env.AGENTLOAD_TIMING_SAMPLES ?? fallback);
  return Number.isInteger(runs) && runs > 0 ? runs : fallback;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
