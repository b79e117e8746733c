import type { Rng } from '../../harness/engine/rng.ts';
import { createRandom } from './random.ts';

/**
 * Tool latency: lognormal per tool (median and sigma), the usual shape of a service call with a long
 * right tail, capped at `maxMs` so one unlucky draw cannot stall a test. Scaled by `scale` (0 turns
 * waiting off, for fast tests) and by the fault latency multiplier.
 */
export interface LatencySpec {
  medianMs: number;
  sigma: number;
  maxMs: number;
}

export interface LatencyModel {
  /** Draws the next latency for `tool`, ms, before any fault multiplier. */
  drawMs(tool: string, spec: LatencySpec): number;
}

export function createLatencyModel(seed: number, scale: number): LatencyModel {
  const streams = new Map<string, Rng>();
  return {
    drawMs(tool, spec) {
      let random = streams.get(tool);
      if (random === undefined) {
        random = createRandom(seed, `latency:${tool}`);
        streams.set(tool, random);
      }
      const drawn = Math.min(random.lognormal(spec.medianMs, spec.sigma), spec.maxMs);
      return drawn * scale;
    },
  };
}
