import { describe, expect, it } from 'vitest';
import { crossing, interpolate, isotonicIncreasing } from '../../planner/monotone.ts';

describe('isotonicIncreasing', () => {
  it('pools adjacent violators into their mean', () => {
    expect(isotonicIncreasing([1, 3, 2, 4])).toEqual([1, 2.5, 2.5, 4]);
  });

  it('pools with weights', () => {
    // (3 x 1 + 1 x 3) / 4 = 1.5
    expect(isotonicIncreasing([3, 1], [1, 3])).toEqual([1.5, 1.5]);
  });

  it('keeps an already increasing series as it is', () => {
    expect(isotonicIncreasing([1, 2, 2, 5])).toEqual([1, 2, 2, 5]);
  });

  it('pools a whole decreasing series into one block', () => {
    expect(isotonicIncreasing([4, 3, 2])).toEqual([3, 3, 3]);
  });
});

describe('interpolate', () => {
  it('interpolates linearly between points and clamps outside', () => {
    expect(interpolate([1, 3], [10, 30], 2)).toBe(20);
    expect(interpolate([1, 3], [10, 30], 0)).toBe(10);
    expect(interpolate([1, 3], [10, 30], 9)).toBe(30);
  });
});

describe('crossing', () => {
  it('reads off the load where the curve reaches the limit', () => {
    expect(crossing([1, 2, 3, 4, 5], [100, 200, 300, 400, 500], 350)).toEqual({
      x: 3.5,
      status: 'within',
      overIndex: 3,
    });
  });

  it('reports censored when the limit is never reached', () => {
    expect(crossing([1, 2], [1, 2], 10)).toEqual({ x: 2, status: 'censored', overIndex: -1 });
  });

  it('reports unmet when the lowest load already exceeds the limit', () => {
    expect(crossing([1, 2], [20, 30], 10).status).toBe('unmet');
  });

  it('puts the crossing at the last good point when the next one never completed', () => {
    expect(crossing([1, 2], [5, Number.POSITIVE_INFINITY], 10).x).toBe(1);
  });
});
