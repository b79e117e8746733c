/**
 * Seeded randomness for the tools service: the project's seeded streams (harness/engine/rng.ts),
 * one per (seed, name), so one tool's draws do not depend on how often another tool was called.
 */
import { createRng, type Rng } from '../../harness/engine/rng.ts';

/** FNV-1a, 32 bits: a stable hash so the same text always maps to the same fake record. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createRandom(seed: number, stream: string): Rng {
  return createRng(seed).fork(stream);
}
