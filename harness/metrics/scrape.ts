/**
 * Reads server gauges from Prometheus /metrics endpoints during a run: TGI's queue and batch
 * size, the agent's in-flight requests and open circuit breakers. Each gauge is summed over every
 * series of that name on every target (replicas and label sets); null when no target exposed it.
 */
import { request } from 'undici';
import { noServerGauges, type ServerGauges } from './timeseries.ts';

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedMetrics {
  samples: PromSample[];
  /** Lines that were neither comments nor valid samples (1-based line numbers and text). */
  invalidLines: { line: number; text: string }[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(text: string): number | null {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(text)) return null;
  return Number(text);
}

/** Parses `{a="x",b="y"}` at the start of `rest`; returns the labels and what follows. */
function parseLabels(rest: string): { labels: Record<string, string>; after: string } | null {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    while (rest[i] === ' ' || rest[i] === ',') i++;
    if (rest[i] === '}') return { labels, after: rest.slice(i + 1) };
    const name = LABEL_NAME.exec(rest.slice(i))?.[0];
    if (!name) return null;
    i += name.length;
    while (rest[i] === ' ') i++;
    if (rest[i] !== '=') return null;
    i++;
    while (rest[i] === ' ') i++;
    if (rest[i] !== '"') return null;
    i++;
    let value = '';
    for (; i < rest.length && rest[i] !== '"'; i++) {
      if (rest[i] === '\\') {
        const next = rest[++i];
        value += next === 'n' ? '\n' : (next ?? '');
      } else value += rest[i];
    }
    if (rest[i] !== '"') return null;
    labels[name] = value;
    i++;
  }
}

function parseLine(line: string): PromSample | null {
  const name = NAME.exec(line)?.[0];
  if (!name) return null;
  let rest = line.slice(name.length);
  let labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const parsed = parseLabels(rest);
    if (!parsed) return null;
    labels = parsed.labels;
    rest = parsed.after;
  }
  if (!/^\s/.test(rest)) return null;
  const fields = rest.trim().split(/\s+/);
  if (fields.length > 2 || fields[0] === undefined) return null;
  const value = parseValue(fields[0]);
  return value === null ? null : { name, labels, value };
}

/** Prometheus text exposition format 0.0.4 (comments and timestamps ignored). */
export function parsePrometheusText(text: string): ParsedMetrics {
  const samples: PromSample[] = [];
  const invalidLines: ParsedMetrics['invalidLines'] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const sample = parseLine(line);
    if (sample) samples.push(sample);
    else invalidLines.push({ line: index + 1, text: raw });
  });
  return { samples, invalidLines };
}

/** Metric names read into ServerGauges; the agent's are the reference service's (docs/metrics.md). */
export interface GaugeNames {
  queueSize: string;
  batchSize: string;
  agentInFlight: string;
  breakerOpen: string;
}

export const DEFAULT_GAUGE_NAMES: Readonly<GaugeNames> = Object.freeze({
  queueSize: 'tgi_queue_size',
  batchSize: 'tgi_batch_current_size',
  agentInFlight: 'agent_in_flight_requests',
  breakerOpen: 'agent_breaker_open',
});

/** Sums each gauge over every sample of that name; null where none appeared. NaN values are skipped. */
export function gaugesFrom(
  samples: Iterable<PromSample>,
  names: GaugeNames = DEFAULT_GAUGE_NAMES,
): ServerGauges {
  const gauges = noServerGauges();
  const keyOf = new Map<string, keyof ServerGauges>(
    (Object.keys(names) as (keyof GaugeNames)[]).map((k) => [names[k], k]),
  );
  for (const s of samples) {
    const key = keyOf.get(s.name);
    if (key === undefined || Number.isNaN(s.value)) continue;
    gauges[key] = (gauges[key] ?? 0) + s.value;
  }
  return gauges;
}

export interface ScrapeResult {
  gauges: ServerGauges;
  failures: { url: string; message: string }[];
}

export interface ScrapeOptions {
  timeoutMs?: number;
  names?: GaugeNames;
}

async function fetchMetrics(url: string, timeoutMs: number): Promise<string> {
  const res = await request(url, {
    method: 'GET',
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
  return body;
}

/** Scrapes every URL once, in parallel. A target that fails is listed, not fatal. */
export async function scrapeOnce(
  urls: readonly string[],
  options: ScrapeOptions = {},
): Promise<ScrapeResult> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const failures: ScrapeResult['failures'] = [];
  const samples: PromSample[] = [];
  await Promise.all(
    urls.map(async (url) => {
      try {
        samples.push(...parsePrometheusText(await fetchMetrics(url, timeoutMs)).samples);
      } catch (err) {
        failures.push({ url, message: err instanceof Error ? err.message : String(err) });
      }
    }),
  );
  return { gauges: gaugesFrom(samples, options.names), failures };
}

export interface ScrapeLoop {
  stop(): Promise<void>;
}

/**
 * Scrapes every `intervalMs` until stopped; a scrape never overlaps the previous one. The caller
 * stamps results with its own clock: `onResult: (r) => recorder.addScrape(clock.nowMs(), r.gauges)`.
 */
export function startScrapeLoop(
  urls: readonly string[],
  options: ScrapeOptions & { intervalMs?: number; onResult: (result: ScrapeResult) => void },
): ScrapeLoop {
  const intervalMs = options.intervalMs ?? 1000;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = (): void => {
    inFlight = scrapeOnce(urls, options).then((result) => {
      if (stopped) return;
      options.onResult(result);
      timer = setTimeout(tick, intervalMs);
    });
  };
  if (urls.length > 0) tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
