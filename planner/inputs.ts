/**
 * Reading the planner's inputs from disk: sweep results (summary.json, validated against the
 * results schema) and demand or policy files (YAML or JSON). Everything after this works on plain
 * values.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseResultsJson } from '../harness/results/read.ts';
import { RESULTS_FILES, type Summary } from '../harness/results/schema.ts';
import { summarySchema } from '../harness/results/validate.ts';
import type { SweepResults } from './curves.ts';
import { NoSweepError, PlanInputError, PlanInputMissingError } from './errors.ts';

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new PlanInputMissingError(`Cannot read ${what} ${path}: ${(cause as Error).message}`, {
      hint: 'Check the path; results directories hold summary.json.',
      cause,
    });
  }
}

/** Reads a summary file; the parsing and validation are harness/results/read.ts's. */
function readSummary(path: string): Summary {
  return parseResultsJson(path, readText(path, 'summary'), summarySchema);
}

/**
 * Each path is a summary.json, a results directory holding one, or a directory of results
 * directories (every child with a summary.json and sweep steps is taken).
 */
export function loadSweepResults(paths: readonly string[]): SweepResults[] {
  const out: SweepResults[] = [];
  for (const path of paths) {
    if (!existsSync(path)) {
      throw new PlanInputMissingError(`Results path not found: ${path}`, {
        hint: 'Pass the results directory of a sweep run (results/<time>-<scenario>/) or its summary.json.',
      });
    }
    if (statSync(path).isFile()) {
      out.push({ source: path, summary: readSummary(path) });
      continue;
    }
    const direct = join(path, RESULTS_FILES.summary);
    if (existsSync(direct)) {
      out.push({ source: path, summary: readSummary(direct) });
      continue;
    }
    const children = readdirSync(path)
      .map((name) => join(path, name))
      .filter((child) => existsSync(join(child, RESULTS_FILES.summary)))
      .map((child) => ({ source: child, summary: readSummary(join(child, RESULTS_FILES.summary)) }))
      .filter((r) => r.summary.steps.length > 0);
    if (children.length === 0) {
      throw new NoSweepError(`${path} holds no sweep results (no summary.json with sweep steps)`, {
        hint: 'Run a sweep scenario first (one step per offered load), then pass its results directory.',
      });
    }
    out.push(...children);
  }
  return out;
}

/** Parses a YAML or JSON file (YAML is a superset of JSON). */
export function loadStructuredFile(path: string, what: string): unknown {
  if (!existsSync(path)) {
    throw new PlanInputMissingError(`${what} file not found: ${path}`, {
      hint: `Check the path; see docs/planner.md for the ${what} format.`,
    });
  }
  const text = readText(path, what);
  try {
    return parseYaml(text) as unknown;
  } catch (cause) {
    throw new PlanInputError(`${path} is not valid YAML or JSON: ${(cause as Error).message}`, {
      hint: `Fix the syntax of the ${what} file.`,
      cause,
    });
  }
}
