import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../harness/engine/rng.ts';
import { VuPool } from '../../../../harness/engine/executors/vu-pool.ts';

/** The rule, written the slow way: the lowest free id, else a new one while fewer than max exist. */
class NaivePool {
  private readonly free = new Set<number>();
  private allocated = 0;
  constructor(
    pre: number,
    private readonly max: number,
  ) {
    for (; this.allocated < pre; this.allocated++) this.free.add(this.allocated);
  }
  acquire(): number | null {
    if (this.free.size > 0) {
      const lowest = Math.min(...this.free);
      this.free.delete(lowest);
      return lowest;
    }
    return this.allocated < this.max ? this.allocated++ : null;
  }
  release(vu: number): void {
    this.free.add(vu);
  }
}

describe('VuPool', () => {
  it('hands out pre-allocated ids lowest first, allocates up to maxVUs, then refuses', () => {
    const pool = new VuPool(2, 3);
    expect([pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]).toEqual([0, 1, 2, null]);
    expect(pool.busyVus).toBe(3);
    expect(pool.allocatedVus).toBe(3);
    pool.release(1);
    expect(pool.acquire()).toBe(1);
    expect(pool.peakVus).toBe(3);
  });

  it('always returns the lowest free id, over random acquire/release sequences', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rng = createRng(seed);
      const pre = Math.floor(rng.next() * 50);
      const max = pre + Math.floor(rng.next() * 50) + 1;
      const pool = new VuPool(pre, max);
      const naive = new NaivePool(pre, max);
      const busy: number[] = [];
      let acquired = 0;
      for (let step = 0; step < 5_000; step++) {
        if (busy.length > 0 && rng.next() < 0.5) {
          const [vu] = busy.splice(Math.floor(rng.next() * busy.length), 1);
          pool.release(vu!);
          naive.release(vu!);
        } else {
          const got = pool.acquire();
          expect(got).toBe(naive.acquire());
          if (got !== null) {
            busy.push(got);
            acquired++;
          }
        }
        expect(pool.busyVus).toBe(busy.length);
      }
      expect(acquired).toBeGreaterThan(1_000);
    }
  });
});
