/**
 * The one object the engine feeds during a run: samples, dropped iterations, phase changes,
 * faults and scraped gauges go in; live progress, threshold aborts and finally the Summary and
 * Timeseries come out. All times are ms since the run's start, on the engine's clock.
 */
import { HarnessError } from '../errors.ts';
import type {
  FaultEvent,
  RecoverySpec,
  RequestSample,
  SloSpec,
  Summary,
  Timeseries,
} from '../results/schema.ts';
import { resolveRecovery } from '../results/schema.ts';
import { SampleAggregate } from './aggregate.ts';
import {
  DEFAULT_GENERATOR_LIMITS,
  judgeGenerator,
  type GeneratorLimits,
  type GeneratorSignals,
} from './generator-health.ts';
import { PhaseTracker, errorRate, type StepLoad } from './phases.ts';
import { sampleProblems } from './request-metrics.ts';
import { buildSummary, inputsFromAggregate } from './summarize.ts';
import { ThresholdMonitor, type ThresholdVerdict } from './threshold-eval.ts';
import type { ThresholdSpec } from './thresholds.ts';
import { TimeseriesBuilder, type ServerGauges } from './timeseries.ts';

export interface RecorderOptions {
  /** Targets for goodput (per request) and verdicts; default { percentile: 95 } (no targets). */
  slo?: SloSpec;
  /** Parsed with parseThresholds(); judged live by checkThresholds() and at finish(). */
  thresholds?: readonly ThresholdSpec[];
  /** Phase recovery bar; missing fields from resolveRecovery (SLO maxErrorRate, DEFAULT_RECOVERY). */
  recovery?: Partial<RecoverySpec>;
  generatorLimits?: GeneratorLimits;
  /** Receives every recorded sample, e.g. `(s) => samplesWriter.write(s)`. */
  onSample?: (sample: RequestSample) => void;
}

export interface LiveSnapshot {
  elapsedSec: number;
  phase: string | null;
  requests: number;
  completed: number;
  failed: number;
  dropped: number;
  degraded: number;
  /** failed / (completed + failed) so far; null before anything finished. */
  errorRate: number | null;
  /** Requests that finished (completed + failed) in the last whole second. */
  lastSecondFinished: number;
  outputTokensPerSec: number;
  ttftP95Ms: number | null;
  e2eP95Ms: number | null;
}

export interface FinishInput {
  /** The run's end, ms since its start: durationSec = endMs / 1000. */
  endMs: number;
  run: Omit<Summary['run'], 'durationSec'>;
  /** From GeneratorMonitor.stop(); omitted: event-loop delay 0 and CPU unknown. */
  generator?: GeneratorSignals;
  /** Acknowledged turns missing from session history after the run; null/omitted: not audited. */
  turnsLost?: number | null;
}

export class Recorder {
  private readonly slo: SloSpec;
  private readonly recovery: RecoverySpec;
  private readonly run: SampleAggregate;
  private readonly phases: PhaseTracker;
  private readonly series = new TimeseriesBuilder();
  private readonly monitor: ThresholdMonitor;
  private readonly faults: FaultEvent[] = [];
  private finished = false;
  /** Requests later than the generator's schedule-lag limit (judgeGenerator needs a few). */
  private lateRequests = 0;
  private readonly lagLimitMs: number;

  constructor(private readonly options: RecorderOptions = {}) {
    this.lagLimitMs = (options.generatorLimits ?? DEFAULT_GENERATOR_LIMITS).scheduleLagP99Ms;
    this.slo = options.slo ?? { percentile: 95 };
    this.recovery = resolveRecovery(this.slo, options.recovery);
    this.run = new SampleAggregate(this.slo);
    this.phases = new PhaseTracker(this.slo);
    this.monitor = new ThresholdMonitor(options.thresholds ?? []);
  }

  /** @throws HarnessError when the sample is malformed (an engine bug), listing every problem. */
  record(sample: RequestSample): void {
    this.assertOpen();
    const problems = sampleProblems(sample);
    if (problems.length > 0) throw new HarnessError(`malformed RequestSample: ${problems.join('; ')}`);
    const m = this.run.add(sample);
    if (m.scheduleLagMs > this.lagLimitMs) this.lateRequests += 1;
    this.phases.addSample(sample, m);
    this.series.addSample(sample, m);
    this.options.onSample?.(sample);
  }

  /** Iterations due at `atMs` that could not be sent on time: counted, never recorded as latency. */
  recordDropped(atMs: number, count = 1, phase?: string | null): void {
    this.assertOpen();
    this.run.addDropped(count);
    this.phases.addDropped(atMs, count, phase === undefined ? this.phases.current : phase);
    this.series.addDropped(atMs, count);
  }

  /** Starts phase `name` at `atMs` (ending the current one); pass `step` for a sweep step. */
  setPhase(name: string | null, atMs: number, step?: StepLoad): void {
    this.assertOpen();
    const changed = name !== this.phases.current;
    this.phases.start(name, atMs, step);
    if (changed && name !== null) this.series.annotate(atMs, `phase: ${name}`);
  }

  markFault(event: FaultEvent): void {
    this.assertOpen();
    this.faults.push({ ...event });
    const label = `${event.action} ${event.component}${event.ok ? '' : ' (failed)'}`;
    this.series.annotate(event.atSec * 1000, label);
  }

  /** Gauges from scrapeOnce()/startScrapeLoop(), already summed over replicas. */
  addScrape(atMs: number, gauges: ServerGauges): void {
    this.assertOpen();
    this.series.addScrape(atMs, gauges);
  }

  annotate(atMs: number, label: string): void {
    this.series.annotate(atMs, label);
  }

  snapshot(nowMs: number): LiveSnapshot {
    const c = this.run.counts;
    return {
      elapsedSec: nowMs / 1000,
      phase: this.phases.current,
      requests: c.requests,
      completed: c.completed,
      failed: c.failed,
      dropped: c.dropped,
      degraded: c.degraded,
      errorRate: c.completed + c.failed > 0 ? errorRate(c.completed, c.failed) : null,
      lastSecondFinished: this.series.finishedIn(Math.floor(nowMs / 1000) - 1),
      outputTokensPerSec: nowMs > 0 ? c.outputTokens / (nowMs / 1000) : 0,
      ttftP95Ms: this.run.trend('ttftMs').percentile(95),
      e2eP95Ms: this.run.trend('e2eMs').percentile(95),
    };
  }

  /** Sweep step `name` so far (degraded answers counted as failed), for live step verdicts. */
  stepAggregate(name: string): SampleAggregate | null {
    return this.phases.stepAggregate(name);
  }

  /**
   * Call about once a second. Returns the thresholds with abortOnFail that fail on the data so far
   * and whose delayAbortEval has passed: when non-empty, stop the run (exit code 99).
   */
  checkThresholds(nowMs: number): ThresholdVerdict[] {
    if (this.monitor.specs.length === 0) return [];
    return this.monitor.check(inputsFromAggregate(this.run, nowMs / 1000, null), nowMs);
  }

  finish(input: FinishInput): { summary: Summary; timeseries: Timeseries } {
    this.assertOpen();
    this.finished = true;
    const durationSec = Math.max(0, input.endMs) / 1000;
    const turnsLost = input.turnsLost ?? null;
    const timeseries = this.series.build(input.endMs);
    const lag = {
      p99Ms: this.run.trend('scheduleLagMs').percentile(99) ?? 0,
      lateRequests: this.lateRequests,
    };
    const summary = buildSummary({
      run: { ...input.run, durationSec },
      aggregate: this.run,
      turnsLost,
      slo: this.slo,
      recovery: this.recovery,
      phases: this.phases.phaseSummaries(input.endMs, timeseries.points, this.recovery),
      steps: this.phases.sweepSteps(input.endMs),
      faults: this.faults,
      generator: judgeGenerator(
        lag,
        input.generator ?? { eventLoopDelayP99Ms: 0, cpuPercent: null },
        this.options.generatorLimits,
      ),
      thresholds: this.monitor.final(inputsFromAggregate(this.run, durationSec, turnsLost)),
    });
    return { summary, timeseries };
  }

  private assertOpen(): void {
    if (this.finished) throw new HarnessError('the recorder was already finished; create a new one per run');
  }
}
