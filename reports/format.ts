/**
 * The only place where numbers become strings for people (reports, gate explanations, chart
 * titles). Deterministic: fixed 'en-US' grouping, no time zone but UTC, so snapshots are stable.
 * Every function takes null for "not measured" and prints an em dash for it.
 */

const NONE = '—';
const grouping = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Rounds to `digits` significant digits without exponent notation. */
function significant(value: number, digits: number): string {
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return value.toFixed(Math.min(decimals, 6));
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** 12345 -> "12,345". */
export function formatCount(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NONE;
  return grouping.format(Math.round(value));
}

/** A plain number with 3 significant digits (grouped above 1000): 0.0123, 4.56, 789, 12,345. */
export function formatNumber(value: number | null, digits = 3): string {
  if (value === null || !Number.isFinite(value)) return NONE;
  if (Math.abs(value) >= 10 ** digits) return formatCount(value);
  return trimZeros(significant(value, digits));
}

/** Milliseconds for a latency: "0.42 ms", "12.3 ms", "734 ms", "1.23 s", "2 min 05 s". */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return NONE;
  const abs = Math.abs(ms);
  if (abs < 1000) return `${formatNumber(ms)} ms`;
  if (abs < 60_000) return `${formatNumber(ms / 1000)} s`;
  return formatDurationSec(ms / 1000);
}

/** Seconds of wall time: "42 s", "3 min 05 s", "1 h 02 min". */
export function formatDurationSec(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return NONE;
  const sign = sec < 0 ? '-' : '';
  const total = Math.round(Math.abs(sec));
  if (Math.abs(sec) < 60) return `${sign}${formatNumber(Math.abs(sec))} s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${sign}${h} h ${String(m).padStart(2, '0')} min`;
  return `${sign}${m} min ${String(s).padStart(2, '0')} s`;
}

/** A rate per second with its unit: "12.3 req/s", "1,234 tok/s". */
export function formatRate(perSec: number | null, unit = 'req/s'): string {
  if (perSec === null || !Number.isFinite(perSec)) return NONE;
  return `${formatNumber(perSec)} ${unit}`;
}

/** A fraction 0-1 as a percentage: 0.0123 -> "1.23%", 0 -> "0%". */
export function formatPercent(fraction: number | null, digits = 3): string {
  if (fraction === null || !Number.isFinite(fraction)) return NONE;
  return `${formatNumber(fraction * 100, digits)}%`;
}

/** A relative change (0.123 = 12.3% more) with its sign: "+12.3%", "-4.1%", "±0%". */
export function formatSignedPercent(fraction: number | null): string {
  if (fraction === null || !Number.isFinite(fraction)) return NONE;
  const pct = fraction * 100;
  const text = trimZeros(Math.abs(pct) >= 100 ? pct.toFixed(0) : pct.toFixed(1));
  if (text === '0' || text === '-0') return '±0%';
  return pct > 0 ? `+${text}%` : `${text}%`;
}

/** A signed absolute change in a metric's unit, e.g. "+12.3 ms" or "-0.5 pp". */
export function formatSigned(value: number | null, format: (v: number) => string): string {
  if (value === null || !Number.isFinite(value)) return NONE;
  const text = format(Math.abs(value));
  if (value === 0) return `±${text}`;
  return value > 0 ? `+${text}` : `-${text}`;
}

/** A change in a 0-1 fraction as percentage points: 0.012 -> "1.2 pp". */
export function formatPoints(fraction: number | null): string {
  if (fraction === null || !Number.isFinite(fraction)) return NONE;
  return `${formatNumber(fraction * 100, 2)} pp`;
}

/** A p-value: "p = 0.031", "p < 0.001". */
export function formatPValue(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return NONE;
  if (p < 0.001) return 'p < 0.001';
  return `p = ${formatNumber(p, 2)}`;
}

/** A confidence level 0-1: 0.95 -> "95%". */
export function formatConfidence(level: number): string {
  return `${formatNumber(level * 100, 3)}%`;
}

/** US dollars: "$1,234", "$12.30", "$0.042". */
export function formatUsd(usd: number | null): string {
  if (usd === null || !Number.isFinite(usd)) return NONE;
  if (Math.abs(usd) >= 100) return `$${formatCount(usd)}`;
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(2)}`;
  return `$${formatNumber(usd, 2)}`;
}

/** An ISO timestamp as "2026-11-27 08:00:00 UTC"; anything unparsable is shown as given. */
export function formatTimestamp(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "p(95)" from 95, "p(99.9)" from 99.9. */
export function formatPercentileLabel(percentile: number): string {
  return `p${trimZeros(String(percentile))}`;
}

/** A value of a published metric (docs/metrics.md) in that metric's unit. */
export function formatMetricValue(metric: string, value: number | null): string {
  if (metric.endsWith('_ms')) return formatMs(value);
  if (metric === 'http_req_failed' || metric === 'degraded_rate') return formatPercent(value);
  if (metric === 'output_tokens_per_sec') return formatRate(value, 'tok/s');
  if (metric === 'goodput_per_sec') return formatRate(value, 'req/s');
  return formatNumber(value);
}

/** A signed change of a published metric in its unit (latency in ms/s, rates in points). */
export function formatMetricChange(metric: string, delta: number | null): string {
  if (metric === 'http_req_failed' || metric === 'degraded_rate')
    return formatSigned(delta, (v) => formatPoints(v));
  return formatSigned(delta, (v) => formatMetricValue(metric, v));
}

/** "ttft_ms p95"; a share, rate or count is named by its metric alone. */
export function formatComparisonLabel(metric: string, stat: string): string {
  return /^p\d/.test(stat) || stat === 'mean' ? `${metric} ${stat}` : metric;
}

/** A seed as an identifier: no grouping ("12345", not "12,345"). */
export function formatSeed(seed: number): string {
  return Number.isInteger(seed) ? seed.toString(10) : String(seed);
}
