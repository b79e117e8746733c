/**
 * Reads a results directory back and validates every file against schema.ts, failing with
 * InvalidResultsError (AL_INVALID_RESULTS) that names the file, the field path and what is wrong.
 */
import { createReadStream } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { z } from 'zod';
import { InvalidResultsError } from './errors.ts';
import type { RequestSample, Summary, Timeseries } from './schema.ts';
import { RESULTS_FILES, SUMMARY_SCHEMA_VERSION } from './schema.ts';
import { describeIssues, sampleSchema, summarySchema, timeseriesSchema } from './validate.ts';

export interface ResultsDir {
  dir: string;
  summary: Summary;
  timeseries: Timeseries;
  /** Path of samples.ndjson.gz, or null when the directory has none. */
  samplesPath: string | null;
}

async function assertDir(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new InvalidResultsError(`no results directory at ${dir}`);
}

/**
 * Parses one results JSON file's text: JSON, then the schemaVersion check (so a newer file gets an
 * upgrade hint rather than a list of schema issues), then the zod schema. Synchronous so the
 * planner, which reads its inputs synchronously, shares it.
 */
export function parseResultsJson<T>(path: string, text: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InvalidResultsError(`${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > SUMMARY_SCHEMA_VERSION) {
    throw new InvalidResultsError(
      `${path} has schemaVersion ${version}; this agentload reads version ${SUMMARY_SCHEMA_VERSION}`,
      { hint: 'Read it with the newer agentload that wrote it, or upgrade this one.' },
    );
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidResultsError(`${path} does not match the results schema:`, {
      issues: describeIssues(parsed.error),
    });
  }
  return parsed.data;
}

async function readResultsText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new InvalidResultsError(`${path} is missing or unreadable`, { cause });
  }
}

async function readJsonFile<T>(dir: string, file: string, schema: z.ZodType<T>): Promise<T> {
  await assertDir(dir);
  const path = join(dir, file);
  return parseResultsJson(path, await readResultsText(path), schema);
}

/** Reads and validates a summary file given by its own path rather than its directory. */
export async function readSummaryFile(path: string): Promise<Summary> {
  return parseResultsJson(path, await readResultsText(path), summarySchema);
}

export function readSummary(dir: string): Promise<Summary> {
  return readJsonFile(dir, RESULTS_FILES.summary, summarySchema);
}

export function readTimeseries(dir: string): Promise<Timeseries> {
  return readJsonFile(dir, RESULTS_FILES.timeseries, timeseriesSchema);
}

function parseSampleLine(line: string, path: string, lineNo: number): RequestSample {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    throw new InvalidResultsError(`${path} line ${lineNo} is not valid JSON`, { cause });
  }
  const parsed = sampleSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidResultsError(`${path} line ${lineNo} is not a RequestSample:`, {
      issues: describeIssues(parsed.error, 5),
    });
  }
  return parsed.data;
}

/** Streams the samples of a results directory (or a samples.ndjson.gz path), validating each line. */
export async function* readSamples(dirOrFile: string): AsyncGenerator<RequestSample> {
  const path = dirOrFile.endsWith('.gz') ? dirOrFile : join(dirOrFile, RESULTS_FILES.samples);
  try {
    await access(path);
  } catch (cause) {
    throw new InvalidResultsError(`${path} is missing or unreadable`, { cause });
  }
  const gunzip = createGunzip();
  const piped = pipeline(createReadStream(path), gunzip);
  piped.catch(() => undefined);
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let lineNo = 0;
  try {
    for await (const chunk of gunzip) {
      const lines = (pending + decoder.write(chunk as Buffer)).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        lineNo += 1;
        if (line.trim() !== '') yield parseSampleLine(line, path, lineNo);
      }
    }
    await piped;
  } catch (cause) {
    if (cause instanceof InvalidResultsError) throw cause;
    throw new InvalidResultsError(`${path} is not a complete gzip file (${(cause as Error).message})`, {
      cause,
    });
  } finally {
    gunzip.destroy();
  }
  pending += decoder.end();
  if (pending.trim() !== '') yield parseSampleLine(pending, path, lineNo + 1);
}

/** Reads and validates summary.json and timeseries.json; samples are streamed on demand. */
export async function readResults(dir: string): Promise<ResultsDir> {
  const summary = await readSummary(dir);
  const timeseries = await readTimeseries(dir);
  const samplesPath = join(dir, RESULTS_FILES.samples);
  const hasSamples = await access(samplesPath).then(
    () => true,
    () => false,
  );
  return { dir, summary, timeseries, samplesPath: hasSamples ? samplesPath : null };
}
