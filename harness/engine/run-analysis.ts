import type { RecoverySpec, Summary, Timeseries } from '../results/schema.ts';
import { recoverySec } from '../metrics/phases.ts';
import { computeDrift, type Drift, type Point } from './drift.ts';
import type { FaultWatch, FirstSuccess } from './fault-watch.ts';

export interface RunAnalysis {
  firstSuccess: FirstSuccess[];
  fullAnswerRecoverySec: Record<string, number | null>;
  drift: Drift | null;
}

/**
 * What the engine derives after a run beyond the recorder's summary: the time to the first full
 * answer after each fault (also annotated in the time series), each phase's recovery with degraded
 * answers counted as failures, and drift slopes when asked for.
 */
export function analyzeRun(input: {
  summary: Summary;
  timeseries: Timeseries;
  faultWatch: FaultWatch;
  recovery: RecoverySpec;
  drift: boolean;
  rssPoints: readonly Point[];
}): RunAnalysis {
  const { summary, timeseries } = input;
  const firstSuccess = input.faultWatch.results();
  for (const f of firstSuccess) {
    if (f.afterSec !== null) {
      timeseries.annotations.push({
        tSec: f.atSec + f.afterSec,
        label: `first full answer after ${f.label}`,
      });
    }
  }
  const fullAnswers = timeseries.points.map((p) => ({
    ...p,
    failed: p.failed + p.degraded,
    completed: Math.max(0, p.completed - p.degraded),
  }));
  const fullAnswerRecoverySec = Object.fromEntries(
    summary.phases.map((p) => [
      p.name,
      recoverySec(fullAnswers, p.startSec, p.endSec, { ...input.recovery }),
    ]),
  );
  return {
    firstSuccess,
    fullAnswerRecoverySec,
    drift: input.drift ? computeDrift(timeseries, input.rssPoints) : null,
  };
}
