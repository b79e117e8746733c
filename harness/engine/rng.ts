/**
 * Seeded randomness: one root RNG per run (seeded from the scenario), forked by label into
 * independent streams, so the arrival times do not shift when the workload draws one more number.
 * Generator: mulberry32 (32-bit state, period 2^32), plenty for load schedules and prompts.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer uniform in [minIncl, maxIncl]. */
  int(minIncl: number, maxIncl: number): number;
  /** Box-Muller: mean + stddev * Z. */
  normal(mean: number, stddev: number): number;
  /** exp(ln(median) + sigma * Z): the median is exp(mu). */
  lognormal(median: number, sigma: number): number;
  /** Exponential with the given mean (inverse CDF: -mean * ln(1 - U)). */
  exponential(mean: number): number;
  /** Index drawn with probability proportional to its weight. */
  weightedIndex(weights: readonly number[]): number;
  /** An independent stream derived from this one's seed and `label` (not from its position). */
  fork(label: string): Rng;
  readonly seed: number;
}

/** mulberry32: uniform in [0, 1) from a 32-bit state; shared by every seeded stream in the project. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the label, mixed with the parent seed. */
function deriveSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function createRng(seed: number): Rng {
  const u = mulberry32(seed);
  const standardNormal = (): number => {
    // 1 - U keeps the log argument in (0, 1].
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    return r * Math.cos(2 * Math.PI * u());
  };
  return {
    seed,
    next: u,
    int: (minIncl, maxIncl) => minIncl + Math.floor(u() * (maxIncl - minIncl + 1)),
    normal: (mean, stddev) => mean + stddev * standardNormal(),
    lognormal: (median, sigma) => Math.exp(Math.log(median) + sigma * standardNormal()),
    exponential: (mean) => -mean * Math.log(1 - u()),
    weightedIndex(weights) {
      const total = weights.reduce((a, w) => a + w, 0);
      let x = u() * total;
      for (let i = 0; i < weights.length; i++) {
        x -= weights[i]!;
        if (x < 0) return i;
      }
      return weights.length - 1;
    },
    fork: (label) => createRng(deriveSeed(seed, label)),
  };
}
