import { describe, expect, it } from 'vitest';
import { createLatencyModel } from '../../../reference-service/tools/latency-model.ts';

const spec = { medianMs: 100, sigma: 0.5, maxMs: 400 };

describe('createLatencyModel', () => {
  it('draws the same sequence for the same seed', () => {
    const a = createLatencyModel(42, 1);
    const b = createLatencyModel(42, 1);
    const draws = (m: ReturnType<typeof createLatencyModel>) =>
      Array.from({ length: 20 }, () => m.drawMs('t', spec));
    expect(draws(a)).toEqual(draws(b));
  });

  it('keeps each tool on its own stream', () => {
    const a = createLatencyModel(42, 1);
    const b = createLatencyModel(42, 1);
    b.drawMs('other', spec);
    expect(a.drawMs('t', spec)).toBe(b.drawMs('t', spec));
  });

  it('centres the draws on the median and never exceeds the cap', () => {
    const model = createLatencyModel(9, 1);
    const draws = Array.from({ length: 5_001 }, () => model.drawMs('t', spec)).sort((x, y) => x - y);
    expect(draws[2_500]!).toBeGreaterThan(90);
    expect(draws[2_500]!).toBeLessThan(110);
    expect(draws[draws.length - 1]!).toBeLessThanOrEqual(400);
  });

  it('answers at once when scaled to 0', () => {
    expect(createLatencyModel(1, 0).drawMs('t', spec)).toBe(0);
  });
});
