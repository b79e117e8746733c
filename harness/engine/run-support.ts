import { request } from 'undici';
import type { Scenario } from '../config/scenario-schema.ts';
import type { Recorder } from '../metrics/recorder.ts';
import type { Clock } from './clock.ts';
import type { Executor } from './executors/index.ts';
import { sessionIteration, turnIteration, type TurnSender } from './iteration.ts';
import type { SessionLedger } from './ledger.ts';
import { applyFault } from './fault-actions.ts';
import type { FaultWatch } from './fault-watch.ts';
import type { RunOutcome, RunTarget } from './runner.ts';
import type { SessionBook } from './session-book.ts';
import { brokenStep } from './step-watch.ts';
import type { TimelineHooks } from './timeline.ts';

/**
 * Loads the HTTP client's code paths before the clock starts, so the first scheduled turn does
 * not pay for module loading and JIT (~50 ms of schedule lag on a cold process). Errors are fine.
 */
export async function warmUp(baseUrl: string): Promise<void> {
  try {
    const res = await request(`${baseUrl.replace(/\/+$/, '')}/healthz`, {
      signal: AbortSignal.timeout(2000),
    });
    await res.body.dump();
  } catch {
    // An unreachable target shows up as connect errors in the run itself.
  }
}

export function iterationOf(executor: Executor, sender: TurnSender, book: SessionBook, clock: Clock) {
  if (executor.iterationUnit === 'session') return sessionIteration(sender, book, clock);
  return turnIteration(sender, book, executor.name, executor.offeredRateAt(executor.startTimeMs) === null);
}

export function counting<A>(
  fn: (a: A) => Promise<void>,
  add: (delta: number) => void,
): (a: A) => Promise<void> {
  return async (a) => {
    add(1);
    try {
      await fn(a);
    } finally {
      add(-1);
    }
  };
}

export async function auditLedger(ledger: SessionLedger, target: RunTarget, log: (line: string) => void) {
  const audit = await ledger.audit({ baseUrl: target.baseUrl });
  log(
    `session check: ${audit.acknowledged} acknowledged turns in ${audit.sessions} sessions, ${audit.lost} lost` +
      (audit.unverifiedSessions > 0 ? `, ${audit.unverifiedSessions} sessions unreadable` : ''),
  );
  for (const p of audit.problems.slice(0, 5)) log(`  ${p.sessionId}: ${p.detail}`);
  return audit;
}

type EndKind = NonNullable<RunOutcome['endedBy']>['kind'];

/** How a run ends early: `stop` lets in-flight turns finish (gracefulStop), `abort` cuts them. */
export class RunEnding {
  readonly stop = new AbortController();
  readonly abort = new AbortController();
  endedBy: RunOutcome['endedBy'] = null;

  /** The first reason wins; a later hard end still cuts what is left. */
  readonly end = (kind: EndKind, reason: string, hard: boolean): void => {
    this.endedBy ??= { kind, reason };
    (hard ? this.abort : this.stop).abort();
  };
}

export interface TimelineDeps {
  scenario: Scenario;
  recorder: Recorder;
  faultWatch: FaultWatch;
  target: RunTarget;
  clock: Clock;
  log: (line: string) => void;
  isFinished: () => boolean;
  end: RunEnding['end'];
}

/** Phases go to the recorder (with the step load for sweeps; a broken step ends a sweep), faults to the stack. */
export function timelineHooks(d: TimelineDeps): TimelineHooks {
  return {
    phase(phase, previous) {
      const broken =
        d.scenario.stopOnSloBreak && previous?.offeredRatePerSec !== undefined
          ? brokenStep(previous.name, d.recorder.stepAggregate(previous.name), d.scenario.slo)
          : null;
      if (broken) {
        d.log(`stopping the sweep: ${broken}`);
        d.end('slo', broken, false);
        return broken;
      }
      const step = phase.offeredRatePerSec !== undefined || phase.targetConcurrency !== undefined;
      // The scheduled boundary, not the moment the timer fired: samples are tagged by it too.
      d.recorder.setPhase(
        phase.name,
        phase.atMs,
        step
          ? {
              offeredRatePerSec: phase.offeredRatePerSec ?? null,
              targetConcurrency: phase.targetConcurrency ?? null,
            }
          : undefined,
      );
      return null;
    },
    async fault(fault) {
      const atMs = d.clock.now();
      d.faultWatch.faultApplied(
        fault.label ?? `${fault.action} ${'kind' in fault ? fault.kind : fault.component}`,
        atMs,
      );
      const event = await applyFault(fault, d.target, atMs);
      const outcome = event.ok ? 'ok' : `FAILED: ${event.detail ?? ''}`;
      d.log(`fault at ${(atMs / 1000).toFixed(1)}s: ${event.action} ${event.component} ${outcome}`);
      if (!d.isFinished()) d.recorder.markFault(event);
    },
  };
}
