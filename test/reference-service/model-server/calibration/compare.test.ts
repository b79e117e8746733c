import { describe, expect, it } from 'vitest';
import { ANCHORS, type Anchor } from '../../../../reference-service/model-server/calibration/anchors.ts';
import {
  compareAll,
  compareAnchor,
  fp8Variant,
  ttftKneeConcurrency,
} from '../../../../reference-service/model-server/calibration/compare.ts';
import { loadProfile } from '../../../../reference-service/model-server/profiles.ts';

describe('ttftKneeConcurrency', () => {
  it('interpolates the concurrency where TTFT reaches 10x its first value', () => {
    const points = [
      { concurrency: 1, ttftMs: 100 },
      { concurrency: 50, ttftMs: 500 },
      { concurrency: 100, ttftMs: 1500 },
    ];
    expect(ttftKneeConcurrency(points)).toBe(75);
    expect(ttftKneeConcurrency(points, 100)).toBeNaN();
  });
});

describe('calibration against published anchors', () => {
  const rows = compareAll();

  it('keeps every fitted figure within 5% (a catalog change that breaks the fit fails here)', () => {
    const fits = rows.filter((r) => r.role === 'fit');
    expect(fits.length).toBeGreaterThanOrEqual(14);
    for (const r of fits)
      expect({ id: r.anchorId, metric: r.metric, err: Math.abs(r.errorPct) < 5 }).toMatchObject({
        err: true,
      });
  });

  it('predicts a finite number for every figure of every representable anchor, FP8 what-ifs included', () => {
    const runnable = rows.filter((r) => !r.metric.startsWith('TTFT knee'));
    for (const r of runnable)
      expect({ id: r.anchorId, metric: r.metric, finite: Number.isFinite(r.predicted) }).toMatchObject({
        finite: true,
      });
    expect(rows.some((r) => r.variant === 'fp8 what-if')).toBe(true);
    const listedOnly = ANCHORS.filter((a) => a.role === 'not-representable').map((a) => a.id);
    expect(rows.filter((r) => listedOnly.includes(r.anchorId))).toEqual([]);
  });

  it('computes predictions from the profile, not from stored numbers', () => {
    const anchor: Anchor = {
      id: 'probe',
      source: 'test',
      profile: 'llama-3.1-8b@h100',
      precision: 'bf16',
      role: 'check',
      mismatch: '',
      metrics: [{ kind: 'itlAtC1Ms', inputTokens: 100, outputTokens: 50, publishedMs: 10 }],
    };
    const h100 = compareAnchor(anchor)[0]!.predicted;
    const a100 = compareAnchor({ ...anchor, profile: 'llama-3.1-8b@a100-80g' })[0]!.predicted;
    expect(a100 / h100).toBeGreaterThan(1.3);
  });

  it('builds the FP8 variant with one-byte weights and KV and twice the peak FLOPs', () => {
    const fp8 = fp8Variant(loadProfile('llama-3.1-70b@h100-tp2'));
    expect(fp8.model.bytesPerParam).toBe(1);
    expect(fp8.gpu.bf16Tflops).toBe(1978);
  });
});
