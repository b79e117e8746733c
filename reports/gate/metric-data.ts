/**
 * Per-request figures the gate tests, from samples.ndjson.gz when the run has it, else from the
 * summary's HDR histograms (the weaker fallback: values rounded to 3 significant digits, and no
 * per-request values for Mann-Whitney).
 * Latencies count completed requests only (docs/metrics.md). ITL gaps within one request are not
 * independent, so an ITL test counts one observation per request that streamed gaps, not one per
 * gap: its interval is conservative (as wide as if each request's gaps moved together).
 */
import { MetricHistogram } from '../../harness/metrics/histogram.ts';
import { requestMetrics } from '../../harness/metrics/request-metrics.ts';
import { readSamples } from '../../harness/results/read.ts';
import type { RequestSample, Summary } from '../../harness/results/schema.ts';
import type { LoadedRun } from '../load.ts';
import type { GateMetric } from './config.ts';
import { sortedQuantile, type MeanMoments, type QuantileSource } from './statistics.ts';

export type TrendMetric = 'ttft_ms' | 'itl_ms' | 'tpot_ms' | 'e2e_ms' | 'first_byte_ms';

export const TREND_METRICS: readonly TrendMetric[] = [
  'ttft_ms',
  'itl_ms',
  'tpot_ms',
  'e2e_ms',
  'first_byte_ms',
];

const SUMMARY_KEY = {
  ttft_ms: 'ttftMs',
  itl_ms: 'itlMs',
  tpot_ms: 'tpotMs',
  e2e_ms: 'e2eMs',
  first_byte_ms: 'firstByteMs',
} as const satisfies Record<TrendMetric, keyof Summary['metrics']>;

export interface TrendData {
  evidence: 'samples' | 'histogram';
  source: QuantileSource;
  /** Nearest-rank percentile as the run reports it; null when empty. */
  percentile(p: number): number | null;
  moments: MeanMoments;
  /** Ascending, one value per request (ITL: the request's mean gap); null from a histogram. */
  perRequest: Float64Array | null;
}

export interface RunData {
  source: string;
  summary: Summary;
  evidence: 'samples' | 'histogram';
  trends: Partial<Record<TrendMetric, TrendData>>;
}

export const isTrendMetric = (m: GateMetric): m is TrendMetric =>
  (TREND_METRICS as readonly string[]).includes(m);

function momentsOf(values: Float64Array): MeanMoments {
  const n = values.length;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = n > 0 ? sum / n : 0;
  let m2 = 0;
  for (const v of values) m2 += (v - mean) ** 2;
  return { mean, stddev: n > 0 ? Math.sqrt(m2 / n) : 0, n };
}

function fromSorted(values: number[]): TrendData {
  const sorted = Float64Array.from(values).sort();
  const quantile = sortedQuantile(sorted);
  return {
    evidence: 'samples',
    source: { n: sorted.length, quantile },
    percentile: (p) => (sorted.length === 0 ? null : quantile(p / 100)),
    moments: momentsOf(sorted),
    perRequest: sorted,
  };
}

function fromHistogram(
  h: MetricHistogram,
  n: number,
  perRequest: Float64Array | null,
  evidence: TrendData['evidence'],
): TrendData {
  const stats = h.stats();
  return {
    evidence,
    source: { n, quantile: (u) => h.percentile(u * 100) ?? 0 },
    percentile: (p) => h.percentile(p),
    moments: { mean: stats.mean, stddev: stats.stddev, n },
    perRequest,
  };
}

/** Collects per-request figures sample by sample (one pass; only the metrics asked for). */
class TrendCollector {
  private readonly want: Set<TrendMetric>;
  private readonly values: Record<Exclude<TrendMetric, 'itl_ms'>, number[]> = {
    ttft_ms: [],
    tpot_ms: [],
    e2e_ms: [],
    first_byte_ms: [],
  };
  private readonly gaps = new MetricHistogram();
  private readonly meanGaps: number[] = [];

  constructor(
    private readonly summary: Summary,
    metrics: readonly TrendMetric[],
  ) {
    this.want = new Set(metrics);
  }

  add(sample: RequestSample): void {
    const m = requestMetrics(sample, this.summary.slo);
    if (!m.completed) return;
    this.push('ttft_ms', m.ttftMs);
    this.push('tpot_ms', m.tpotMs);
    this.push('first_byte_ms', m.firstByteMs);
    this.push('e2e_ms', m.e2eMs);
    if (this.want.has('itl_ms') && sample.tokenGapsMs.length > 0) {
      let sum = 0;
      for (const g of sample.tokenGapsMs) {
        this.gaps.record(g);
        sum += g;
      }
      this.meanGaps.push(sum / sample.tokenGapsMs.length);
    }
  }

  private push(metric: Exclude<TrendMetric, 'itl_ms'>, value: number | null): void {
    if (value !== null && this.want.has(metric)) this.values[metric].push(value);
  }

  finish(): RunData['trends'] {
    const out: RunData['trends'] = {};
    for (const metric of this.want) {
      if (metric === 'itl_ms') {
        out.itl_ms = fromHistogram(
          this.gaps,
          this.meanGaps.length,
          Float64Array.from(this.meanGaps).sort(),
          'samples',
        );
      } else out[metric] = fromSorted(this.values[metric]);
    }
    return out;
  }
}

/** Per-request figures from samples held in memory (tests, small runs). */
export function trendsFromSamples(
  samples: Iterable<RequestSample>,
  summary: Summary,
  metrics: readonly TrendMetric[],
): RunData['trends'] {
  const collector = new TrendCollector(summary, metrics);
  for (const s of samples) collector.add(s);
  return collector.finish();
}

export function trendsFromHistograms(summary: Summary, metrics: readonly TrendMetric[]): RunData['trends'] {
  const out: RunData['trends'] = {};
  for (const metric of metrics) {
    const h = MetricHistogram.fromSnapshot(summary.metrics[SUMMARY_KEY[metric]].histogram);
    // Requests behind the ITL gaps: those with two tokens or more, i.e. the TPOT count.
    const n = metric === 'itl_ms' ? summary.metrics.tpotMs.stats.count : h.count;
    out[metric] = fromHistogram(h, n, null, 'histogram');
  }
  return out;
}

export async function loadRunData(loaded: LoadedRun, metrics: readonly TrendMetric[]): Promise<RunData> {
  if (loaded.samplesPath === null || metrics.length === 0) {
    return {
      source: loaded.source,
      summary: loaded.summary,
      evidence: loaded.samplesPath === null ? 'histogram' : 'samples',
      trends: trendsFromHistograms(loaded.summary, metrics),
    };
  }
  const collector = new TrendCollector(loaded.summary, metrics);
  for await (const sample of readSamples(loaded.samplesPath)) collector.add(sample);
  return { source: loaded.source, summary: loaded.summary, evidence: 'samples', trends: collector.finish() };
}
