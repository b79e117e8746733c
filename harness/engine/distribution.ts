import type { Rng } from './rng.ts';

/**
 * Length and time distributions of a workload (input tokens, max_tokens, turns, think time).
 * Draws are clamped to [min, max] when given; the normal and lognormal tails are otherwise unbounded.
 */
export type Distribution =
  | { kind: 'fixed'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; stddev: number; min?: number; max?: number }
  | { kind: 'lognormal'; median: number; sigma: number; min?: number; max?: number };

export function sample(dist: Distribution, rng: Rng): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.value;
    case 'uniform':
      return dist.min + rng.next() * (dist.max - dist.min);
    case 'normal':
      return clamp(rng.normal(dist.mean, dist.stddev), dist.min, dist.max);
    case 'lognormal':
      return clamp(rng.lognormal(dist.median, dist.sigma), dist.min, dist.max);
  }
}

/** A draw rounded to an integer, at least `floor` (token counts, turn counts). */
export function sampleInt(dist: Distribution, rng: Rng, floor = 0): number {
  return Math.max(floor, Math.round(sample(dist, rng)));
}

/** The distribution's mean (before clamping), for sizing VU pools and planning. */
export function meanOf(dist: Distribution): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.value;
    case 'uniform':
      return (dist.min + dist.max) / 2;
    case 'normal':
      return dist.mean;
    case 'lognormal':
      return dist.median * Math.exp((dist.sigma * dist.sigma) / 2);
  }
}

function clamp(x: number, min: number | undefined, max: number | undefined): number {
  let v = x;
  if (min !== undefined && v < min) v = min;
  if (max !== undefined && v > max) v = max;
  return v;
}
