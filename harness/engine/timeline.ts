import type { FaultSpec, PhaseSpec } from '../config/scenario-schema.ts';
import type { Clock } from './clock.ts';

export interface TimelineHooks {
  /** Called when a phase is due; returns a reason to end the run there (a sweep step broke its SLO), else null. */
  phase(phase: PhaseSpec, previous: PhaseSpec | null): string | null;
  fault(fault: FaultSpec): Promise<void>;
}

type Event = { atMs: number; phase: PhaseSpec } | { atMs: number; fault: FaultSpec };

/**
 * Runs the scenario's phases and faults at their times on the run's clock. Faults are not awaited
 * before the next event (a restart that takes its load time must not delay the next phase);
 * the timeline resolves once every fault it started has settled. Returns why it stopped the run,
 * or null.
 */
export async function runTimeline(
  clock: Clock,
  phases: readonly PhaseSpec[],
  faults: readonly FaultSpec[],
  hooks: TimelineHooks,
  halt: AbortSignal,
): Promise<string | null> {
  const events: Event[] = [
    ...phases.map((phase) => ({ atMs: phase.atMs, phase })),
    ...faults.map((fault) => ({ atMs: fault.atMs, fault })),
  ];
  // Stable sort: at equal times phases (listed first) start before faults fire.
  events.sort((a, b) => a.atMs - b.atMs);
  const started: Promise<void>[] = [];
  let previous: PhaseSpec | null = null;
  let stopReason: string | null = null;
  for (const event of events) {
    await clock.sleepUntil(event.atMs, halt);
    if (halt.aborted) break;
    if ('phase' in event) {
      stopReason = hooks.phase(event.phase, previous);
      if (stopReason !== null) break;
      previous = event.phase;
    } else {
      started.push(hooks.fault(event.fault));
    }
  }
  await Promise.all(started);
  return stopReason;
}
