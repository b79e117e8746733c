/**
 * Reading k6's `--out json=FILE` output (k6 internal/output/json/wrapper.go; docs "results-output/
 * real-time/json"): newline-delimited JSON, gzipped when the name ends in .gz, one object a line:
 *   {"type":"Metric","data":{"name","type","contains","thresholds","submetrics"},"metric":name}
 *   {"type":"Point","data":{"time":RFC3339 with ns,"value","tags":{...},"metadata"?:{...}},"metric":name}
 * Metric values are in ms for time metrics. Lines are validated one by one; an unknown `type` is
 * skipped (newer k6 may add kinds), a malformed line fails with its file and line number.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { formatPath } from '../errors.ts';
import { K6OutputError } from './errors.ts';

const metricLineSchema = z.object({
  type: z.literal('Metric'),
  metric: z.string().min(1),
  data: z.object({
    name: z.string().min(1),
    type: z.enum(['counter', 'gauge', 'rate', 'trend']),
    contains: z.string().optional(),
    thresholds: z.array(z.unknown()).nullable().optional(),
  }),
});

const pointLineSchema = z.object({
  type: z.literal('Point'),
  metric: z.string().min(1),
  data: z.object({
    time: z.string(),
    value: z.number(),
    tags: z.record(z.string(), z.string()).nullable().optional(),
    metadata: z.record(z.string(), z.string()).nullable().optional(),
  }),
});

export interface K6Metric {
  name: string;
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  /** Threshold expressions as k6 printed them (strings; object forms keep their `threshold`). */
  thresholds: string[];
}

export interface K6Point {
  metric: string;
  /** Epoch milliseconds, with the sub-millisecond part k6 wrote. */
  timeMs: number;
  value: number;
  tags: Record<string, string>;
  metadata: Record<string, string>;
}

export type K6Line = { kind: 'metric'; metric: K6Metric } | { kind: 'point'; point: K6Point };

const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/;

/** RFC 3339 with up to nanoseconds (Go's time.Time JSON) to epoch ms; null when malformed. */
export function parseK6Time(text: string): number | null {
  const m = TIME.exec(text);
  if (!m) return null;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(whole)) return null;
  const fraction = m[2] ? Number(`0.${m[2]}`) * 1000 : 0;
  return whole + fraction;
}

function thresholdText(t: unknown): string | null {
  if (typeof t === 'string') return t;
  const source =
    (t as { threshold?: unknown; source?: unknown } | null)?.threshold ?? (t as { source?: unknown })?.source;
  return typeof source === 'string' ? source : null;
}

export function parseK6Line(line: string, where: string): K6Line | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new K6OutputError(`${where} is not JSON: ${line.slice(0, 80)}`);
  }
  const kind = (value as { type?: unknown } | null)?.type;
  if (kind === 'Metric') {
    const parsed = metricLineSchema.safeParse(value);
    if (!parsed.success)
      throw new K6OutputError(`${where} is not a k6 Metric line: ${parsed.error.issues[0]?.message}`);
    const d = parsed.data.data;
    const thresholds = (d.thresholds ?? []).map(thresholdText).filter((t): t is string => t !== null);
    return { kind: 'metric', metric: { name: d.name, type: d.type, thresholds } };
  }
  if (kind === 'Point') {
    const parsed = pointLineSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new K6OutputError(`${where} is not a k6 Point line: ${formatPath(issue.path)}: ${issue.message}`);
    }
    const d = parsed.data.data;
    const timeMs = parseK6Time(d.time);
    if (timeMs === null) throw new K6OutputError(`${where}: "${d.time}" is not an RFC 3339 time`);
    return {
      kind: 'point',
      point: {
        metric: parsed.data.metric,
        timeMs,
        value: d.value,
        tags: d.tags ?? {},
        metadata: d.metadata ?? {},
      },
    };
  }
  return null;
}

/** Streams one k6 JSON output file (.json or .json.gz) line by line. */
export async function* readK6Json(path: string): AsyncGenerator<K6Line> {
  try {
    await access(path);
  } catch (cause) {
    throw new K6OutputError(`${path} does not exist or cannot be read`, { cause });
  }
  const file = createReadStream(path);
  const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo += 1;
      if (line.trim() === '') continue;
      const parsed = parseK6Line(line, `${path} line ${lineNo}`);
      if (parsed) yield parsed;
    }
  } catch (cause) {
    if (cause instanceof K6OutputError) throw cause;
    throw new K6OutputError(`${path} could not be read to the end (${(cause as Error).message})`, { cause });
  } finally {
    lines.close();
    file.destroy();
  }
}
