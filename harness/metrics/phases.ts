/**
 * Phases (fault windows, named stretches of a scenario) and sweep steps. A phase runs from the
 * setPhase call that starts it to the next one (or the run's end). Requests belong to the phase
 * they were *scheduled* in (RequestSample.phase, tagged by the engine), so a slow request that
 * ends after its phase still counts there; dropped iterations belong to the phase current when
 * they were due. Per-step rates divide by the step's window length.
 */
import { HarnessError } from '../errors.ts';
import type {
  PhaseSummary,
  RecoverySpec,
  RequestSample,
  SloSpec,
  SweepStep,
  TimeseriesPoint,
} from '../results/schema.ts';
import { SampleAggregate } from './aggregate.ts';
import type { RequestMetrics } from './request-metrics.ts';

/** What the runner knows about a sweep step's offered load. */
export interface StepLoad {
  offeredRatePerSec: number | null;
  targetConcurrency: number | null;
}

interface PhaseWindow {
  name: string;
  startMs: number;
  endMs: number | null;
  step: StepLoad | null;
  agg: SampleAggregate;
}

const PHASE_TRENDS = ['ttftMs', 'e2eMs'] as const;
const STEP_TRENDS = ['ttftMs', 'itlMs', 'e2eMs'] as const;

export class PhaseTracker {
  private readonly windows = new Map<string, PhaseWindow>();
  private currentName: string | null = null;

  constructor(private readonly slo: SloSpec | undefined) {}

  get current(): string | null {
    return this.currentName;
  }

  /**
   * Ends the current phase at `atMs` and starts `name` (null: no phase until the next call).
   * Naming the current phase again changes nothing.
   */
  start(name: string | null, atMs: number, step?: StepLoad): void {
    if (name !== null && name === this.currentName) return;
    const open = this.currentName === null ? undefined : this.windows.get(this.currentName);
    if (open && open.endMs === null) open.endMs = atMs;
    this.currentName = name;
    if (name === null) return;
    const known = this.windows.get(name);
    if (known && known.endMs !== null) {
      throw new HarnessError(`phase "${name}" was started twice; phase names must be unique within a run`);
    }
    if (known) {
      known.startMs = Math.min(known.startMs, atMs);
      if (step && !known.step && known.agg.counts.requests === 0) {
        // An executor timer due in the step's first millisecond can fire before the timeline's
        // setPhase and drop an iteration into a plain window; the step's own aggregate (ITL,
        // degraded counted as failed) takes it over. A sample needs a round trip after its
        // timer, so it does not land first (if one did, the window stays a plain aggregate).
        const dropped = known.agg.counts.dropped;
        known.agg = this.newAggregate(step);
        known.agg.addDropped(dropped);
      }
      known.step = step ?? known.step;
      return;
    }
    this.windows.set(name, this.newWindow(name, atMs, step ?? null));
  }

  addSample(sample: RequestSample, m: RequestMetrics): void {
    if (sample.phase === null) return;
    this.window(sample.phase, sample.scheduledAtMs).agg.add(sample, m);
  }

  addDropped(atMs: number, count: number, phase: string | null = this.currentName): void {
    if (phase !== null) this.window(phase, atMs).agg.addDropped(count);
  }

  phaseSummaries(endMs: number, points: readonly TimeseriesPoint[], recovery: RecoverySpec): PhaseSummary[] {
    const out: PhaseSummary[] = [];
    for (const w of this.windows.values()) {
      if (w.step) continue;
      const c = w.agg.counts;
      const ttft = w.agg.trend('ttftMs');
      const e2e = w.agg.trend('e2eMs');
      out.push({
        name: w.name,
        startSec: w.startMs / 1000,
        endSec: (w.endMs ?? endMs) / 1000,
        requests: c.requests,
        completed: c.completed,
        failed: c.failed,
        degraded: c.degraded,
        dropped: c.dropped,
        errorRate: errorRate(c.completed, c.failed),
        ttftP95Ms: ttft.percentile(95),
        e2eP95Ms: e2e.percentile(95),
        histograms: { ttftMs: ttft.snapshot(), e2eMs: e2e.snapshot() },
        recoverySec: recoverySec(points, w.startMs / 1000, (w.endMs ?? endMs) / 1000, recovery),
      });
    }
    return out;
  }

  sweepSteps(endMs: number): SweepStep[] {
    const out: SweepStep[] = [];
    for (const w of this.windows.values()) {
      if (!w.step) continue;
      const c = w.agg.counts;
      const durationSec = Math.max(0, (w.endMs ?? endMs) - w.startMs) / 1000;
      const perSec = (n: number): number => (durationSec > 0 ? n / durationSec : 0);
      const [ttft, itl, e2e] = STEP_TRENDS.map((k) => w.agg.trend(k));
      out.push({
        name: w.name,
        offeredRatePerSec: w.step.offeredRatePerSec,
        targetConcurrency: w.step.targetConcurrency,
        durationSec,
        requests: c.requests,
        completed: c.completed,
        failed: c.failed,
        degraded: c.degraded,
        dropped: c.dropped,
        achievedRatePerSec: perSec(c.completed),
        goodputPerSec: perSec(c.goodRequests),
        outputTokensPerSec: perSec(c.outputTokens),
        meanInFlight: perSec(c.inFlightMs / 1000),
        meanInputTokens: c.inputTokenRequests > 0 ? c.inputTokens / c.inputTokenRequests : 0,
        meanOutputTokens: c.completed > 0 ? c.outputTokens / c.completed : 0,
        errorRate: errorRate(c.completed, c.failed),
        ttftMs: ttft!.stats(),
        itlMs: itl!.stats(),
        e2eMs: e2e!.stats(),
        histograms: { ttftMs: ttft!.snapshot(), itlMs: itl!.snapshot(), e2eMs: e2e!.snapshot() },
      });
    }
    return out;
  }

  /** The aggregate of sweep step `name` so far; null when no step of that name was started. */
  stepAggregate(name: string): SampleAggregate | null {
    const w = this.windows.get(name);
    return w?.step ? w.agg : null;
  }

  /** A phase first seen on a sample (the engine tagged it without setPhase) opens lazily. */
  private window(name: string, atMs: number): PhaseWindow {
    let w = this.windows.get(name);
    if (!w) {
      w = this.newWindow(name, atMs, null);
      this.windows.set(name, w);
    }
    return w;
  }

  private newWindow(name: string, startMs: number, step: StepLoad | null): PhaseWindow {
    return { name, startMs, endMs: null, step, agg: this.newAggregate(step) };
  }

  private newAggregate(step: StepLoad | null): SampleAggregate {
    return step
      ? new SampleAggregate(this.slo, STEP_TRENDS, { degradedAsFailed: true })
      : new SampleAggregate(this.slo, PHASE_TRENDS);
  }
}

/** failed / (completed + failed); 0 when nothing finished. */
export function errorRate(completed: number, failed: number): number {
  const finished = completed + failed;
  return finished > 0 ? failed / finished : 0;
}

/**
 * Seconds from `startSec` until the 1-second error rate (failed / finished, bucketed by end time)
 * is back at or under the bar and stays there for `holdSec` buckets. 0 when no bucket inside the
 * phase's window [startSec, endSec) went over the bar; the recovery itself may come after the
 * phase ended (a fault window's errors outlast it); null when it never recovered before the run
 * ended. Buckets in which nothing finished are no evidence either way, but a hold window needs at
 * least one finished request.
 */
export function recoverySec(
  points: readonly TimeseriesPoint[],
  startSec: number,
  endSec: number,
  spec: RecoverySpec,
): number | null {
  const finished = (p: TimeseriesPoint): number => p.completed + p.failed;
  const over = (p: TimeseriesPoint): boolean => finished(p) > 0 && p.failed / finished(p) > spec.errorRateBar;
  const first = Math.max(0, Math.floor(startSec));
  let firstOver = -1;
  for (let i = first; i < Math.min(points.length, Math.max(first + 1, Math.ceil(endSec))); i++) {
    if (over(points[i]!)) {
      firstOver = i;
      break;
    }
  }
  if (firstOver < 0) return 0;
  const hold = Math.max(1, Math.round(spec.holdSec));
  for (let r = firstOver + 1; r + hold <= points.length; r++) {
    const window = points.slice(r, r + hold);
    if (window.some(over) || !window.some((p) => finished(p) > 0)) continue;
    return Math.max(0, r - startSec);
  }
  return null;
}
