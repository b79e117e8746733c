/**
 * A mergeable latency/count distribution: an HDR histogram (3 significant digits) of
 * round(value x scale) integers, plus exact moments (count, sum, min, max, m2).
 *
 * Precision: with scale 1000 a millisecond value is recorded in microseconds, so values under
 * 2.048 ms are exact to 1 us and larger ones to 1 part in 1024 (HDR sub-bucket width, 3 digits).
 * A percentile is the HDR value at the nearest rank ceil(p/100 x count), taken as the *highest*
 * value equivalent to that bucket and capped at the exact max: it is never below the true
 * nearest-rank value (but for the 0.5 us rounding to integers) and at most 1/1024 above it, so a
 * `p(95)<X` threshold can not pass on bucket rounding.
 * Mean, min, max and stddev come from the exact moments, not from the buckets.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { HarnessError } from '../errors.ts';
import type { DistributionStats, HistogramMoments, HistogramSnapshot } from '../results/schema.ts';

/** Default scale for millisecond metrics: 1 unit = 1 microsecond. */
export const MS_SCALE = 1000;
const SIGNIFICANT_DIGITS = 3;

function newHdr(): Histogram {
  return build({ numberOfSignificantValueDigits: SIGNIFICANT_DIGITS, autoResize: true });
}

function emptyMoments(): HistogramMoments {
  return { count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, m2: 0 };
}

/** Chan et al.'s parallel combination of two moment sets. */
function mergeMoments(a: HistogramMoments, b: HistogramMoments): HistogramMoments {
  if (a.count === 0) return { ...b };
  if (b.count === 0) return { ...a };
  const count = a.count + b.count;
  const delta = b.sum / b.count - a.sum / a.count;
  return {
    count,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count,
  };
}

export class MetricHistogram {
  readonly scale: number;
  private readonly hdr: Histogram;
  /** null once merged with a snapshot that carried none: stats then come from the buckets. */
  private moments: HistogramMoments | null = emptyMoments();

  constructor(scale: number = MS_SCALE, hdr?: Histogram) {
    if (!(scale > 0) || !Number.isFinite(scale)) {
      throw new HarnessError(`histogram scale must be a positive finite number, got ${scale}`);
    }
    this.scale = scale;
    this.hdr = hdr ?? newHdr();
  }

  static fromSnapshot(snapshot: HistogramSnapshot): MetricHistogram {
    if (snapshot.encoding !== 'hdr-compressed-base64') {
      throw new HarnessError(`unknown histogram encoding ${JSON.stringify(snapshot.encoding)}`);
    }
    let hdr: Histogram;
    try {
      hdr = decodeFromCompressedBase64(snapshot.data);
    } catch (cause) {
      throw new HarnessError('histogram data is not a valid compressed HDR histogram', { cause });
    }
    hdr.autoResize = true;
    const histogram = new MetricHistogram(snapshot.scale, hdr);
    if (hdr.totalCount === 0) histogram.moments = emptyMoments();
    else if (snapshot.moments?.count === hdr.totalCount) histogram.moments = { ...snapshot.moments };
    else histogram.moments = null;
    return histogram;
  }

  get count(): number {
    return this.hdr.totalCount;
  }

  /** Records a value in the metric's unit; negative values count as 0 (clock granularity). */
  record(value: number, count = 1): void {
    if (!Number.isFinite(value)) throw new HarnessError(`cannot record non-finite value ${value}`);
    const v = Math.max(0, value);
    this.hdr.recordValueWithCount(Math.round(v * this.scale), count);
    const m = this.moments;
    if (!m) return;
    // Chan's update with a group of `count` equal values (its own m2 is 0), in place: hot path.
    const n = m.count + count;
    const delta = m.count === 0 ? 0 : v - m.sum / m.count;
    m.m2 += (delta * delta * m.count * count) / n;
    m.count = n;
    m.sum += v * count;
    if (v < m.min) m.min = v;
    if (v > m.max) m.max = v;
  }

  /** Adds every value of `other` (same scale); exact: equals recording the union. */
  add(other: MetricHistogram): void {
    if (other.scale !== this.scale) {
      throw new HarnessError(`cannot merge histograms of scale ${other.scale} into scale ${this.scale}`);
    }
    if (other.count === 0) return;
    this.hdr.add(other.hdr);
    this.moments = this.moments && other.moments ? mergeMoments(this.moments, other.moments) : null;
  }

  /** Value at percentile p (0-100), in the metric's unit; null when empty. See the module comment. */
  percentile(p: number): number | null {
    if (this.count === 0) return null;
    const raw = this.hdr.getValueAtPercentile(p) / this.scale;
    if (!this.moments) return raw;
    return Math.min(Math.max(raw, this.moments.min), this.moments.max);
  }

  stats(): DistributionStats {
    const count = this.count;
    if (count === 0) {
      return { count: 0, min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
    }
    const pct = (p: number): number => this.percentile(p) ?? 0;
    const m = this.moments;
    return {
      count,
      min: m ? m.min : this.hdr.minNonZeroValue / this.scale,
      max: m ? m.max : this.hdr.maxValue / this.scale,
      mean: m ? m.sum / m.count : this.hdr.mean / this.scale,
      stddev: m ? Math.sqrt(m.m2 / m.count) : this.hdr.stdDeviation / this.scale,
      p50: pct(50),
      p90: pct(90),
      p95: pct(95),
      p99: pct(99),
      p999: pct(99.9),
    };
  }

  snapshot(): HistogramSnapshot {
    const snapshot: HistogramSnapshot = {
      encoding: 'hdr-compressed-base64',
      scale: this.scale,
      data: encodeIntoCompressedBase64(this.hdr),
    };
    if (this.moments && this.moments.count > 0) snapshot.moments = { ...this.moments };
    return snapshot;
  }
}

/** Merges serialized histograms exactly (never averaging percentiles). */
export function mergeSnapshots(
  snapshots: readonly HistogramSnapshot[],
  scale: number = MS_SCALE,
): MetricHistogram {
  const merged = new MetricHistogram(snapshots[0]?.scale ?? scale);
  for (const snapshot of snapshots) merged.add(MetricHistogram.fromSnapshot(snapshot));
  return merged;
}
