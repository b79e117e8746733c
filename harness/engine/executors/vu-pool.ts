/**
 * VU slots of an open-model executor. k6 drops the iteration that found no free VU and allocates
 * the next VU in the background; here a VU is only a slot (no JS runtime to boot), so one is
 * allocated on the spot while fewer than maxVUs exist, and only an iteration that finds all maxVUs
 * busy is dropped.
 */
export class VuPool {
  /** Free VU ids as a binary min-heap: acquire and release are O(log n) at any maxVUs. */
  private readonly free: number[] = [];
  private allocated = 0;
  private busy = 0;
  private peak = 0;

  constructor(
    preAllocatedVUs: number,
    private readonly maxVUs: number,
  ) {
    // 0..n-1 in order is already a valid min-heap.
    for (let i = 0; i < preAllocatedVUs; i++) this.free.push(this.allocated++);
  }

  /** A free VU id, or null when all maxVUs are busy. Lowest ids first, so VU reuse is stable. */
  acquire(): number | null {
    let vu = this.popLowest();
    if (vu === undefined) {
      if (this.allocated >= this.maxVUs) return null;
      vu = this.allocated++;
    }
    this.busy++;
    this.peak = Math.max(this.peak, this.busy);
    return vu;
  }

  release(vu: number): void {
    this.busy--;
    const heap = this.free;
    let i = heap.push(vu) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= vu) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = vu;
  }

  private popLowest(): number | undefined {
    const heap = this.free;
    const lowest = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return lowest;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]! < heap[left]! ? right : left;
      if (heap[child]! >= last) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return lowest;
  }

  get busyVus(): number {
    return this.busy;
  }

  get peakVus(): number {
    return this.peak;
  }

  get allocatedVus(): number {
    return this.allocated;
  }
}
