/**
 * Seeded randomness for the tools service. mulberry32: a 32-bit state PRNG, fast and good enough for
 * latency draws (not for cryptography). Each stream is derived from (seed, name), so one tool's draws
 * do not depend on how often another tool was called.
 */
import { mulberry32 } from '../../harness/engine/rng.ts';

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
}

/** FNV-1a, 32 bits: a stable hash so the same text always maps to the same stream or fake record. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createRandom(seed: number, stream = ''): Random {
  const next = mulberry32((hash32(`${seed}:${stream}`) ^ seed) >>> 0);
  return {
    next,
  };
}

/** Standard normal draw (Box-Muller; 1 - u keeps the log argument in (0, 1]). */
export function normal(random: Random): number {
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Lognormal with the given median: median x e^(sigma x Z). */
export function lognormal(random: Random, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(random));
}
