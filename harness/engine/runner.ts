import { loadEndMs, type PhaseSpec, type Scenario } from '../config/scenario-schema.ts';
import { HarnessError, InvalidConfigError } from '../errors.ts';
import { GeneratorMonitor } from '../metrics/generator-health.ts';
import { Recorder } from '../metrics/recorder.ts';
import { scrapeOnce } from '../metrics/scrape.ts';
import { parseThresholds } from '../metrics/thresholds.ts';
import type { RequestSample, StackDescription, Summary, Timeseries } from '../results/schema.ts';
import type { StackControl, Tenant } from '../stack/types.ts';
import { createClient, type TurnClient } from './client/index.ts';
import { createRealClock, type Clock } from './clock.ts';
import type { Drift, Point } from './drift.ts';
import { createExecutor, type ExecutorReport } from './executors/index.ts';
import { needsControl } from './fault-actions.ts';
import { FaultWatch, type FirstSuccess } from './fault-watch.ts';
import { TurnSender } from './iteration.ts';
import { SessionLedger, type LedgerAudit } from './ledger.ts';
import type { Progress } from './progress.ts';
import { createRng } from './rng.ts';
import { analyzeRun } from './run-analysis.ts';
import { auditLedger, counting, iterationOf, RunEnding, timelineHooks, warmUp } from './run-support.ts';
import { SessionBook } from './session-book.ts';
import { includes, segmentScenario, type SegmentPlan } from './segment.ts';
import { runTicks, scrapeRss, type Scrape } from './ticks.ts';
import { runTimeline } from './timeline.ts';
import { Workload } from './workload.ts';

/** Where the load goes and what the engine may do to the stack behind it. */
export interface RunTarget {
  /** The agent (behind its load balancer) or, for bare model-server scenarios, the model server. */
  baseUrl: string;
  tenants: readonly Tenant[];
  /** Prometheus endpoints scraped every second into the time series. */
  metricsUrls: readonly string[];
  /** Process control for fault scenarios; null for an external target. */
  control: StackControl | null;
  adminToken: string | null;
  stack: StackDescription;
}

export interface RunOptions {
  scenario: Scenario;
  target: RunTarget;
  runId: string;
  clock?: Clock;
  /** Aborts the run (SIGINT): executors cut everything, the results so far are still written. */
  signal?: AbortSignal;
  /** Injected in tests; default: the streaming client on target.baseUrl. */
  client?: TurnClient;
  /** Injected in tests; null turns scraping off. Default: scrapeOnce. */
  scrape?: Scrape | null;
  onSample?: (sample: RequestSample) => void;
  onProgress?: (progress: Progress) => void;
  log?: (line: string) => void;
  version?: string;
  /** This process's share of a split run (segment.ts); null or absent: the whole load. */
  segment?: SegmentPlan | null;
}

export interface RunOutcome {
  summary: Summary;
  timeseries: Timeseries;
  executors: Record<string, ExecutorReport>;
  ledger: LedgerAudit | null;
  /** Why the run ended early: SIGINT, a threshold with abortOnFail, a sweep step past its SLO. */
  endedBy: { kind: 'signal' | 'threshold' | 'slo'; reason: string } | null;
  /** Turns cut off by gracefulStop or an abort: not in the samples (k6 interrupted iterations). */
  interrupted: number;
  /** Per fault, the time until a turn got through again (cold starts, restarts). */
  firstSuccess: FirstSuccess[];
  /** Latency and memory slopes, when the scenario asks for drift (soak). */
  drift: Drift | null;
  /**
   * Per phase, recoverySec with degraded answers counted as failures: when users got full answers
   * again (a spike can be absorbed by degrading, which summary.phases[].recoverySec does not see).
   */
  fullAnswerRecoverySec: Record<string, number | null>;
}

/** Fails before anything starts when the scenario needs what the target cannot give. */
export function checkTarget(scenario: Scenario, target: RunTarget): void {
  const issues = scenario.faults.flatMap((f, i) =>
    needsControl(f) && !target.control
      ? [
          {
            path: `faults[${i}]`,
            message: `"${f.action}" needs a stack the harness controls (--stack local)`,
          },
        ]
      : [],
  );
  if (issues.length > 0) throw new InvalidConfigError(`scenario ${scenario.name}`, issues);
}

export function phaseAt(phases: readonly PhaseSpec[], tMs: number): string | null {
  let name: string | null = null;
  for (const p of phases) if (p.atMs <= tMs) name = p.name;
  return name;
}

/**
 * Runs one scenario: executors (when) drive the workload (what) through the client, every sample
 * goes to the recorder, the fault timeline fires at its times, /metrics is scraped and progress
 * reported once a second, thresholds with abortOnFail are judged live. Returns the summary and time
 * series; writing them is the caller's.
 */
export async function runScenario(options: RunOptions): Promise<RunOutcome> {
  const target = options.target;
  const segment = options.segment ?? null;
  const scenario = segmentScenario(options.scenario, segment);
  checkTarget(scenario, target);
  if (!options.clock) await warmUp(target.baseUrl);
  const clock = options.clock ?? createRealClock();
  const log = options.log ?? (() => {});
  const rng = createRng(scenario.seed);
  const workload = new Workload(scenario.workload, rng.fork('workload'), target.tenants, options.runId);
  const recorder = new Recorder({
    slo: { ...scenario.slo },
    thresholds: parseThresholds(scenario.thresholds),
    recovery: { ...scenario.recovery },
    ...(options.onSample ? { onSample: options.onSample } : {}),
  });
  const client =
    options.client ??
    createClient({
      baseUrl: target.baseUrl,
      connections: scenario.workload.connections,
      now: () => clock.now(),
      requestTimeoutMs: scenario.workload.requestTimeoutMs,
      captureText: scenario.workload.target !== 'agent',
    });
  const ledger = scenario.workload.target === 'agent' && scenario.ledger ? new SessionLedger() : null;
  const faultWatch = new FaultWatch();
  const rssPoints: Point[] = [];
  const ending = new RunEnding();
  const { stop, abort } = ending;
  const end = ending.end;
  const onSignal = (): void => end('signal', 'interrupted', true);
  options.signal?.addEventListener('abort', onSignal, { once: true });
  if (options.signal?.aborted) onSignal();

  let recordError: unknown = null;
  let inFlight = 0;
  let interrupted = 0;
  const book = new SessionBook(workload);
  const sender = new TurnSender({
    clock,
    client,
    workload,
    ledger,
    phaseAt: (t) => phaseAt(scenario.phases, t),
    onInterrupted: () => interrupted++,
    record(sample) {
      try {
        recorder.record(sample);
        faultWatch.add(sample);
      } catch (error) {
        recordError ??= error;
      }
    },
  });
  const executors = Object.entries(scenario.executors).map(([name, config]) => createExecutor(name, config));
  const monitor = new GeneratorMonitor();
  monitor.start();
  const startedAt = new Date();
  const halt = AbortSignal.any([stop.signal, abort.signal]);

  let finished = false;
  const timeline = runTimeline(
    clock,
    scenario.phases,
    scenario.faults,
    timelineHooks({
      scenario,
      recorder,
      faultWatch,
      target,
      clock,
      log,
      isFinished: () => finished,
      end,
    }),
    halt,
  );

  const ticks = runTicks(clock, halt, {
    plannedSec: loadEndMs(scenario.executors) / 1000,
    recorder,
    inFlight: () => inFlight,
    isFinished: () => finished,
    metricsUrls: target.metricsUrls,
    scrape: options.scrape === undefined ? (urls) => scrapeOnce(urls) : options.scrape,
    rss: scenario.drift && options.scrape !== null ? { scrape: scrapeRss, points: rssPoints } : null,
    onProgress: options.onProgress,
    onThresholdAbort: (reason) => end('threshold', reason, true),
  });

  const reports = await Promise.all(
    executors.map((executor) =>
      executor.run({
        clock,
        rng: rng.fork(`executor:${executor.name}`),
        stop: stop.signal,
        abort: abort.signal,
        keep: segment ? (i) => includes(segment, i) : undefined,
        dropped(atMs) {
          recorder.recordDropped(atMs, 1, phaseAt(scenario.phases, atMs));
        },
        iterate: counting(iterationOf(executor, sender, book, clock), (d) => (inFlight += d)),
      }),
    ),
  );
  const endMs = clock.now();
  stop.abort();
  await timeline;
  await ticks.done();
  options.signal?.removeEventListener('abort', onSignal);
  if (!options.client) await client.close();
  if (recordError) throw new HarnessError('the engine produced a malformed sample', { cause: recordError });

  const audit = ledger ? await auditLedger(ledger, target, log) : null;
  finished = true;
  const { summary, timeseries } = recorder.finish({
    endMs,
    generator: monitor.stop(),
    turnsLost: audit ? SessionLedger.turnsLost(audit) : null,
    run: {
      id: options.runId,
      scenario: scenario.name,
      seed: scenario.seed,
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      target: target.baseUrl,
      stack: target.stack,
      versions: { agentload: options.version ?? '0.0.0', node: process.version },
      segment: segment?.segment ?? null,
      source: 'agentload',
    },
  });
  if (audit) summary.counts.turnsAcknowledged = audit.acknowledged;
  const analysis = analyzeRun({
    summary,
    timeseries,
    faultWatch,
    recovery: scenario.recovery,
    drift: scenario.drift,
    rssPoints,
  });
  return {
    ...analysis,
    summary,
    timeseries,
    executors: Object.fromEntries(executors.map((e, i) => [e.name, reports[i]!])),
    ledger: audit,
    endedBy: ending.endedBy,
    interrupted,
  };
}
