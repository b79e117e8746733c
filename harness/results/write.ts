/**
 * Writes a results directory `<root>/<YYYYMMDD-HHMMSS>-<scenario>/`: samples.ndjson.gz is streamed
 * through gzip as samples arrive (never held in memory); summary.json and timeseries.json are
 * written at the end, each through a temporary file and a rename so a reader never sees half a file.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { RequestSample, Summary, Timeseries } from './schema.ts';
import { RESULTS_FILES } from './schema.ts';
import { ResultsWriteError } from './errors.ts';
import { makeDirs } from '../fs/make-dirs.ts';

const pad = (n: number): string => String(n).padStart(2, '0');

/** `20261127-080102-steady-state` (UTC); the scenario name reduced to [a-z0-9._-]. */
export function resultsDirName(scenario: string, startedAt: Date): string {
  const d = startedAt;
  const time = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  const name =
    scenario
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'run';
  return `${time}-${name}`;
}

function writeError(what: string, cause: unknown): ResultsWriteError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ResultsWriteError(`could not write ${what}: ${detail}`, {
    hint: 'Check that the results directory is writable and the disk has space (--out DIR picks another place).',
    cause,
  });
}

/** Creates `dir` and its parents (results, reports, exported scripts); a failure is a ResultsWriteError. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await makeDirs(dir);
  } catch (err) {
    throw writeError(`directory ${dir}`, err);
  }
}

/** Creates a fresh results directory under `root`; adds -2, -3... if the name is taken. */
export async function createResultsDir(root: string, scenario: string, startedAt: Date): Promise<string> {
  const base = join(root, resultsDirName(scenario, startedAt));
  try {
    await makeDirs(root);
    for (let i = 1; ; i++) {
      const dir = i === 1 ? base : `${base}-${i}`;
      try {
        await mkdir(dir);
        return dir;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || i >= 100) throw err;
      }
    }
  } catch (err) {
    throw writeError(`results directory ${base}`, err);
  }
}

/**
 * Lines are handed to gzip in batches of about this many characters: each zlib write costs the
 * threadpool's per-chunk work, so one write per sample costs several times the CPU of one per
 * batch (figures and the command in docs/metrics.md, "Files and versions").
 */
export const SAMPLES_BATCH_CHARS = 64 * 1024;

/** Streams samples into `<dir>/samples.ndjson.gz`, one JSON object per line. */
export class SamplesWriter {
  private readonly gzip = createGzip();
  private readonly done: Promise<void>;
  private failure: unknown = null;
  private closed = false;
  private written = 0;
  /** Lines not yet handed to gzip. */
  private pending = '';

  private constructor(readonly path: string) {
    this.done = pipeline(this.gzip, createWriteStream(path)).catch((err: unknown) => {
      this.failure = err;
    });
  }

  static open(dir: string): SamplesWriter {
    return new SamplesWriter(join(dir, RESULTS_FILES.samples));
  }

  /** Queues one sample; write errors surface from close(). */
  write(sample: RequestSample): void {
    if (this.closed || this.failure) return;
    this.pending += `${JSON.stringify(sample)}\n`;
    this.written += 1;
    if (this.pending.length >= SAMPLES_BATCH_CHARS) this.flushPending();
  }

  private flushPending(): void {
    if (this.pending === '') return;
    this.gzip.write(this.pending);
    this.pending = '';
  }

  /** Samples queued so far. */
  get count(): number {
    return this.written;
  }

  /** Flushes and closes the file. @throws ResultsWriteError if any write failed. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      if (!this.failure) this.flushPending();
      this.gzip.end();
    }
    await this.done;
    if (this.failure) throw writeError(this.path, this.failure);
  }
}

/** Writes one JSON file through a temporary file and a rename. @throws ResultsWriteError */
export async function writeJson(path: string, value: unknown, indent: number | undefined = 2): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, `${JSON.stringify(value, null, indent)}\n`);
    await rename(tmp, path);
  } catch (err) {
    throw writeError(path, err);
  }
}

/** Writes summary.json (indented, for people) and timeseries.json (compact). */
export async function writeResults(
  dir: string,
  results: { summary: Summary; timeseries: Timeseries },
): Promise<void> {
  await writeJson(join(dir, RESULTS_FILES.summary), results.summary, 2);
  await writeJson(join(dir, RESULTS_FILES.timeseries), results.timeseries, undefined);
}
