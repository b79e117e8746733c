import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Collect once the young generation is this full (V8 itself schedules a scavenge near 80 %). */
const FILL_RATIO = 0.5;

type GcFunction = (options?: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

let exposed: GcFunction | null | undefined;

/**
 * V8's `gc` function without `--expose-gc` on the command line: the flag set at run time applies
 * to contexts created after it, and a new context hands its `gc` back (the way jest-leak-detector
 * gets it). Null when this V8 refuses.
 */
function exposeGc(): GcFunction | null {
  if (exposed !== undefined) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    exposed = typeof gc === 'function' ? (gc as GcFunction) : null;
  } catch {
    exposed = null;
  }
  return exposed;
}

/**
 * A scavenge (minor GC) at a moment the caller chooses. V8 runs one as a task when the young
 * generation nears full, and that task lands wherever the event loop happens to be: just before a
 * step boundary it makes the step late by the pause (0.3 to 1.5 ms at 1,000 streams). The step
 * loop calls this in the slack after a boundary's writes, so the young generation rarely fills up
 * in between. Returns a function that collects when the young generation is at least half full
 * (true when it did), or null when `gc` cannot be had.
 */
export function createYoungGc(): (() => boolean) | null {
  const gc = exposeGc();
  if (gc === null) return null;
  return () => {
    for (const space of getHeapSpaceStatistics()) {
      if (space.space_name !== 'new_space') continue;
      const capacity = space.space_used_size + space.space_available_size;
      if (capacity === 0 || space.space_used_size < FILL_RATIO * capacity) return false;
      gc({ type: 'minor', execution: 'sync' });
      return true;
    }
    return false;
  };
}
