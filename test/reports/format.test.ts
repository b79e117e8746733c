import { describe, expect, it } from 'vitest';
import {
  formatComparisonLabel,
  formatCount,
  formatDurationSec,
  formatMetricChange,
  formatMetricValue,
  formatMs,
  formatNumber,
  formatPValue,
  formatPercent,
  formatSignedPercent,
  formatTimestamp,
  formatUsd,
} from '../../reports/format.ts';

describe('format', () => {
  it('shows latencies in ms under a second, in s under a minute, then minutes', () => {
    expect(formatMs(0.4234)).toBe('0.423 ms');
    expect(formatMs(12.34)).toBe('12.3 ms');
    expect(formatMs(734.4)).toBe('734 ms');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(125_000)).toBe('2 min 05 s');
    expect(formatMs(null)).toBe('—');
    expect(formatMs(Number.NaN)).toBe('—');
  });

  it('groups thousands the same way whatever the machine locale', () => {
    expect(formatCount(1234567.4)).toBe('1,234,567');
    expect(formatNumber(12345.6)).toBe('12,346');
    expect(formatNumber(0.012345)).toBe('0.0123');
  });

  it('prints shares as percentages and changes with their sign', () => {
    expect(formatPercent(0.0123)).toBe('1.23%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatSignedPercent(0.1234)).toBe('+12.3%');
    expect(formatSignedPercent(-0.041)).toBe('-4.1%');
    expect(formatSignedPercent(0.00001)).toBe('±0%');
    expect(formatMetricChange('http_req_failed', 0.012)).toBe('+1.2 pp');
    expect(formatMetricChange('ttft_ms', -45)).toBe('-45 ms');
  });

  it('prints each published metric in its unit', () => {
    expect(formatMetricValue('e2e_ms', 2500)).toBe('2.5 s');
    expect(formatMetricValue('degraded_rate', 0.5)).toBe('50%');
    expect(formatMetricValue('output_tokens_per_sec', 512.3)).toBe('512 tok/s');
    expect(formatMetricValue('turns_lost', 3)).toBe('3');
    expect(formatComparisonLabel('ttft_ms', 'p95')).toBe('ttft_ms p95');
    expect(formatComparisonLabel('http_req_failed', 'rate')).toBe('http_req_failed');
  });

  it('prints times in UTC, durations, money and p-values', () => {
    expect(formatTimestamp('2026-11-27T08:00:00.000Z')).toBe('2026-11-27 08:00:00 UTC');
    expect(formatTimestamp('not a date')).toBe('not a date');
    expect(formatDurationSec(42)).toBe('42 s');
    expect(formatDurationSec(3725)).toBe('1 h 02 min');
    expect(formatUsd(45)).toBe('$45.00');
    expect(formatUsd(1234.5)).toBe('$1,235');
    expect(formatUsd(0.0421)).toBe('$0.042');
    expect(formatPValue(0.0004)).toBe('p < 0.001');
    expect(formatPValue(0.0312)).toBe('p = 0.031');
  });
});
