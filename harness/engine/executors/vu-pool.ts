/**
 * VU slots of an open-model executor. k6 drops the iteration that found no free VU and allocates
 * the next VU in the background; here a VU is only a slot (no JS runtime to boot), so one is
 * allocated on the spot while fewer than maxVUs exist, and only an iteration that finds all maxVUs
 * busy is dropped.
 */
export class VuPool {
  private readonly free: number[] = [];
  private allocated = 0;
  private busy = 0;
  private peak = 0;

  constructor(
    preAllocatedVUs: number,
    private readonly maxVUs: number,
  ) {
    for (let i = 0; i < preAllocatedVUs; i++) this.free.push(this.allocated++);
  }

  /** A free VU id, or null when all maxVUs are busy. Lowest ids first, so VU reuse is stable. */
  acquire(): number | null {
    let vu = this.free.shift();
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
    const at = this.free.findIndex((v) => v > vu);
    if (at < 0) this.free.push(vu);
    else this.free.splice(at, 0, vu);
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
