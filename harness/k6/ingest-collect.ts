/**
 * One pass over the k6 JSON files of a run (one per runner): what ingest needs from them. Request
 * records and their token gaps when the script came from `agentload export k6`; otherwise the raw
 * points of the metrics docs/metrics.md names (and http_req_duration) for a summary without samples.
 */
import { K6OutputError } from './errors.ts';
import { readK6Json, type K6Metric, type K6Point } from './k6-json.ts';
import { RECORD_METRIC, recordOf, type RequestRecord } from './ingest-records.ts';

/** Metrics kept point by point when a file has no request records. */
export const RAW_METRICS = [
  'ttft_ms',
  'first_byte_ms',
  'itl_ms',
  'tpot_ms',
  'e2e_ms',
  'http_req_duration',
  'http_reqs',
  'http_req_failed',
  'degraded_rate',
  'output_tokens',
  'input_tokens',
  'good_requests',
] as const;
export type RawMetric = (typeof RAW_METRICS)[number];

export interface RawPoint {
  timeMs: number;
  value: number;
  tags: Record<string, string>;
}

export interface Collected {
  files: number;
  metrics: Map<string, K6Metric>;
  records: RequestRecord[];
  /** Token gaps by file index and request id. */
  gaps: Map<string, number[]>;
  dropped: { timeMs: number; count: number }[];
  raw: Map<RawMetric, RawPoint[]>;
  /** The `agentload_scenario` tag the export puts on every point. */
  scenarioTag: string | null;
  /** Origin of the first request URL seen (the `url` tag of http_reqs). */
  target: string | null;
  earliestMs: number;
  latestMs: number;
}

function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

function notePoint(c: Collected, p: K6Point): void {
  c.earliestMs = Math.min(c.earliestMs, p.timeMs);
  c.latestMs = Math.max(c.latestMs, p.timeMs);
  c.scenarioTag ??= p.tags['agentload_scenario'] ?? null;
  if (p.metric === 'http_reqs') c.target ??= originOf(p.tags['url']);
  if (p.metric === 'dropped_iterations') c.dropped.push({ timeMs: p.timeMs, count: p.value });
}

/** Reads every file; a run must come all from exported scripts or all from other scripts. */
export async function collect(files: readonly string[]): Promise<Collected> {
  const c: Collected = {
    files: files.length,
    metrics: new Map(),
    records: [],
    gaps: new Map(),
    dropped: [],
    raw: new Map(RAW_METRICS.map((m) => [m, []])),
    scenarioTag: null,
    target: null,
    earliestMs: Number.POSITIVE_INFINITY,
    latestMs: Number.NEGATIVE_INFINITY,
  };
  const kinds = new Set<'records' | 'raw'>();
  for (const [index, path] of files.entries()) {
    const raw = new Map<RawMetric, RawPoint[]>(RAW_METRICS.map((m) => [m, []]));
    const before = c.records.length;
    let points = 0;
    for await (const line of readK6Json(path)) {
      if (line.kind === 'metric') {
        if (!c.metrics.has(line.metric.name)) c.metrics.set(line.metric.name, line.metric);
        continue;
      }
      const p = line.point;
      points += 1;
      notePoint(c, p);
      const id = p.metadata['al_req'];
      if (p.metric === RECORD_METRIC) {
        const record = recordOf(p, `${path} (${p.metric})`);
        c.records.push({ ...record, id: `${index}:${record.id}` });
      } else if (p.metric === 'itl_ms' && id) {
        const key = `${index}:${id}`;
        const list = c.gaps.get(key) ?? [];
        list.push(p.value);
        c.gaps.set(key, list);
      }
      raw.get(p.metric as RawMetric)?.push({ timeMs: p.timeMs, value: p.value, tags: p.tags });
    }
    if (points === 0) throw new K6OutputError(`${path} holds no metric points: the k6 run recorded nothing`);
    const hasRecords = c.records.length > before;
    kinds.add(hasRecords ? 'records' : 'raw');
    if (!hasRecords) for (const [m, list] of raw) c.raw.get(m)!.push(...list);
  }
  if (kinds.size > 1) {
    throw new K6OutputError('some files come from a script exported by agentload and some do not', {
      hint: 'Ingest the runners of one run together, all started from the same exported script.',
    });
  }
  return c;
}
