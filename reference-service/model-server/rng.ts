/**
 * Seeded randomness for the simulator. Every draw that shapes an answer (words, output length,
 * injected failures) comes from a stream derived from the server seed and the request, so the same
 * seed and the same prompt give the same output on every run and every replica.
 * Generator: mulberry32 (32-bit state); seeds are mixed with FNV-1a.
 */
import { mulberry32 } from '../../harness/engine/rng.ts';

export interface SimRng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer uniform in [minIncl, maxIncl]. */
  int(minIncl: number, maxIncl: number): number;
}

export function createSimRng(seed: number): SimRng {
  const next = mulberry32(seed);
  return {
    next,
    int: (minIncl, maxIncl) => minIncl + Math.floor(next() * (maxIncl - minIncl + 1)),
  };
}

/** FNV-1a over the parts, joined by a separator byte, mixed into `seed`. */
export function hashSeed(seed: number, ...parts: readonly (string | number)[]): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const part of parts) {
    const s = typeof part === 'number' ? part.toString(36) : part;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h ^= 0x1f;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
