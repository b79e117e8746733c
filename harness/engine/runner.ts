import { request } from 'undici';
import { loadEndMs, type FaultSpec, type PhaseSpec, type Scenario } from '../config/scenario-schema.ts';
import { HarnessError, InvalidConfigError } from '../errors.ts';
import { GeneratorMonitor } from '../metrics/generator-health.ts';
import { recoverySec } from '../metrics/phases.ts';
import { Recorder } from '../metrics/recorder.ts';
import { scrapeOnce } from '../metrics/scrape.ts';
import { parseThresholds } from '../metrics/thresholds.ts';
import type { RequestSample, StackDescription, Summary, Timeseries } from '../results/schema.ts';
import type { StackControl, Tenant } from '../stack/types.ts';
import { createClient, type TurnClient } from './client/index.ts';
import { createRealClock, type Clock } from './clock.ts';
import { createExecutor, type Executor, type ExecutorReport } from './executors/index.ts';
import { computeDrift, type Drift, type Point } from './drift.ts';
import { applyFault, needsControl } from './fault-actions.ts';
import { FaultWatch, type FirstSuccess } from './fault-watch.ts';
import { sessionIteration, TurnSender, turnIteration } from './iteration.ts';
import { SessionLedger, type LedgerAudit } from './ledger.ts';
import type { Progress } from './progress.ts';
import { createRng } from './rng.ts';
import { SessionBook } from './session-book.ts';
import { StepWatch } from './step-watch.ts';
import { runTicks, scrapeRss, type Scrape } from './ticks.ts';
import { includes, segmentScenario, type SegmentPlan } from './segment.ts';
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
  const steps = new StepWatch(scenario.slo);
  const faultWatch = new FaultWatch();
  const rssPoints: Point[] = [];
  const stop = new AbortController();
  const abort = new AbortController();
  let endedBy: RunOutcome['endedBy'] = null;
  const end = (kind: 'signal' | 'threshold' | 'slo', reason: string, hard: boolean): void => {
    if (!endedBy) endedBy = { kind, reason };
    (hard ? abort : stop).abort();
  };
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
        steps.add(sample);
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

  const timeline = runTimeline(
    clock,
    scenario.phases,
    scenario.faults,
    {
      phase(phase, previous) {
        const broken =
          scenario.stopOnSloBreak && previous?.offeredRatePerSec !== undefined
            ? steps.broken(previous.name)
            : null;
        if (broken) {
          log(`stopping the sweep: ${broken}`);
          end('slo', broken, false);
          return broken;
        }
        const step = phase.offeredRatePerSec !== undefined || phase.targetConcurrency !== undefined;
        // The scheduled boundary, not the moment the timer fired: samples are tagged by it too.
        recorder.setPhase(
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
      async fault(fault: FaultSpec) {
        const atMs = clock.now();
        faultWatch.faultApplied(
          fault.label ?? `${fault.action} ${'kind' in fault ? fault.kind : fault.component}`,
          atMs,
        );
        const event = await applyFault(fault, target, atMs);
        log(
          `fault at ${(atMs / 1000).toFixed(1)}s: ${event.action} ${event.component} ${event.ok ? 'ok' : `FAILED: ${event.detail ?? ''}`}`,
        );
        if (!finished) recorder.markFault(event);
      },
    },
    halt,
  );

  let finished = false;
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
          const phase = phaseAt(scenario.phases, atMs);
          recorder.recordDropped(atMs, 1, phase);
          steps.addDropped(phase);
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
  const firstSuccess = faultWatch.results();
  for (const f of firstSuccess) {
    if (f.afterSec !== null)
      timeseries.annotations.push({
        tSec: f.atSec + f.afterSec,
        label: `first full answer after ${f.label}`,
      });
  }
  const fullAnswers = timeseries.points.map((p) => ({
    ...p,
    failed: p.failed + p.degraded,
    completed: Math.max(0, p.completed - p.degraded),
  }));
  const fullAnswerRecoverySec = Object.fromEntries(
    summary.phases.map((p) => [
      p.name,
      recoverySec(fullAnswers, p.startSec, p.endSec, { ...scenario.recovery }),
    ]),
  );
  return {
    fullAnswerRecoverySec,
    firstSuccess,
    drift: scenario.drift ? computeDrift(timeseries, rssPoints) : null,
    summary,
    timeseries,
    executors: Object.fromEntries(executors.map((e, i) => [e.name, reports[i]!])),
    ledger: audit,
    endedBy,
    interrupted,
  };
}

/**
 * Loads the HTTP client's code paths before the clock starts, so the first scheduled turn does
 * not pay for module loading and JIT (~50 ms of schedule lag on a cold process). Errors are fine.
 */
async function warmUp(baseUrl: string): Promise<void> {
  try {
    const res = await request(`${baseUrl.replace(/\/+$/, '')}/healthz`, {
      signal: AbortSignal.timeout(2000),
    });
    await res.body.dump();
  } catch {
    // An unreachable target shows up as connect errors in the run itself.
  }
}

function iterationOf(executor: Executor, sender: TurnSender, book: SessionBook, clock: Clock) {
  if (executor.iterationUnit === 'session') return sessionIteration(sender, book, clock);
  return turnIteration(sender, book, executor.name, executor.offeredRateAt(executor.startTimeMs) === null);
}

function counting<A>(fn: (a: A) => Promise<void>, add: (delta: number) => void): (a: A) => Promise<void> {
  return async (a) => {
    add(1);
    try {
      await fn(a);
    } finally {
      add(-1);
    }
  };
}

async function auditLedger(ledger: SessionLedger, target: RunTarget, log: (line: string) => void) {
  const audit = await ledger.audit({ baseUrl: target.baseUrl });
  log(
    `session check: ${audit.acknowledged} acknowledged turns in ${audit.sessions} sessions, ${audit.lost} lost` +
      (audit.unverifiedSessions > 0 ? `, ${audit.unverifiedSessions} sessions unreadable` : ''),
  );
  for (const p of audit.problems.slice(0, 5)) log(`  ${p.sessionId}: ${p.detail}`);
  return audit;
}
