/**
 * Is the load generator itself the bottleneck? A saturated generator sends late, and although
 * latencies are measured from the scheduled time (so the lateness is not hidden), the numbers
 * then describe the generator, not the target. Three signals, each a reason to mark the run
 * invalid when over its limit:
 *   schedule lag p99   sentAtMs - scheduledAtMs over all requests (from the recorder); counts only
 *                      when at least MIN_LATE_REQUESTS requests were over the limit: below 100
 *                      requests the p99 is the single worst one, and one stall (a fault action
 *                      forking a process on a busy machine) is not a saturated generator
 *   event-loop delay   p99 of perf_hooks.monitorEventLoopDelay, minus its sampling resolution
 *                      (Node reports the whole timer interval, so an idle loop reads ~resolution)
 *   CPU                process user+system CPU over wall time, in % of one core: the highest
 *                      share over any CPU_WINDOW_SEC window (sampled each second), so that a
 *                      saturated spike inside a long run is not averaged away; the run's average
 *                      where the run was shorter than one window
 */
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { Summary } from '../results/schema.ts';

export type GeneratorHealth = Summary['generator'];

export interface GeneratorLimits {
  scheduleLagP99Ms: number;
  eventLoopDelayP99Ms: number;
  cpuPercent: number;
}

export const DEFAULT_GENERATOR_LIMITS: Readonly<GeneratorLimits> = Object.freeze({
  scheduleLagP99Ms: 50,
  eventLoopDelayP99Ms: 50,
  cpuPercent: 90,
});

/** Length of the window the CPU peak is taken over, seconds. */
export const CPU_WINDOW_SEC = 5;

/** What the monitor measured; the schedule lag comes from the recorder. */
export interface GeneratorSignals {
  eventLoopDelayP99Ms: number;
  /** Average over the run, % of one core. */
  cpuPercent: number | null;
  /** Highest average over any CPU_WINDOW_SEC window; null when the run was shorter than one. */
  cpuPeakPercent?: number | null;
}

export interface GeneratorMonitorOptions {
  /** Event-loop sampling resolution, ms (Node's default 10). */
  resolutionMs?: number;
  /** Injected for tests; defaults to process.cpuUsage and performance.now. */
  cpuUsage?: () => { user: number; system: number };
  nowMs?: () => number;
  /** Take a CPU sample every second on a timer (default); false: the caller calls sampleCpu(). */
  sampleEverySecond?: boolean;
}

interface CpuSample {
  ms: number;
  cpuUs: number;
}

export class GeneratorMonitor {
  private readonly resolutionMs: number;
  private readonly cpuUsage: () => { user: number; system: number };
  private readonly nowMs: () => number;
  private readonly sampleEverySecond: boolean;
  private histogram: IntervalHistogram | null = null;
  private startCpuUs = 0;
  private startMs = 0;
  /** The last CPU_WINDOW_SEC + 1 samples, oldest first. */
  private window: CpuSample[] = [];
  private peakPercent: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(options: GeneratorMonitorOptions = {}) {
    this.resolutionMs = options.resolutionMs ?? 10;
    this.cpuUsage = options.cpuUsage ?? (() => process.cpuUsage());
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.sampleEverySecond = options.sampleEverySecond ?? true;
  }

  start(): void {
    this.histogram = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.histogram.enable();
    const cpu = this.cpuUsage();
    this.startCpuUs = cpu.user + cpu.system;
    this.startMs = this.nowMs();
    this.window = [{ ms: this.startMs, cpuUs: this.startCpuUs }];
    this.peakPercent = null;
    if (this.sampleEverySecond) {
      this.timer = setInterval(() => this.sampleCpu(), 1000);
      this.timer.unref();
    }
  }

  /**
   * Records the CPU used so far; once a sample is CPU_WINDOW_SEC or more after the window's
   * oldest, the share between the two is a candidate for the peak.
   */
  sampleCpu(): void {
    const cpu = this.cpuUsage();
    const sample = { ms: this.nowMs(), cpuUs: cpu.user + cpu.system };
    this.window.push(sample);
    while (this.window.length > 2 && sample.ms - this.window[1]!.ms >= CPU_WINDOW_SEC * 1000)
      this.window.shift();
    const oldest = this.window[0]!;
    const spanMs = sample.ms - oldest.ms;
    if (spanMs < CPU_WINDOW_SEC * 1000) return;
    const percent = ((sample.cpuUs - oldest.cpuUs) / 1000 / spanMs) * 100;
    this.peakPercent = Math.max(this.peakPercent ?? 0, percent);
  }

  /** Signals since start(); safe to call more than once (live views). */
  read(): GeneratorSignals {
    const h = this.histogram;
    const delayMs = h && h.count > 0 ? Math.max(0, h.percentile(99) / 1e6 - this.resolutionMs) : 0;
    const wallMs = this.nowMs() - this.startMs;
    const cpu = this.cpuUsage();
    const cpuMs = (cpu.user + cpu.system - this.startCpuUs) / 1000;
    return {
      eventLoopDelayP99Ms: delayMs,
      cpuPercent: wallMs > 0 && h ? (cpuMs / wallMs) * 100 : null,
      cpuPeakPercent: this.peakPercent,
    };
  }

  stop(): GeneratorSignals {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.histogram) this.sampleCpu();
    const signals = this.read();
    this.histogram?.disable();
    this.histogram = null;
    return signals;
  }
}

const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Requests that must have left later than the schedule-lag limit before the p99 counts. */
export const MIN_LATE_REQUESTS = 3;

export interface ScheduleLag {
  p99Ms: number;
  /** Requests whose schedule lag exceeded limits.scheduleLagP99Ms. */
  lateRequests: number;
}

/** The verdict written to summary.generator: valid unless a signal exceeded its limit. */
export function judgeGenerator(
  lag: ScheduleLag,
  signals: GeneratorSignals,
  limits: GeneratorLimits = DEFAULT_GENERATOR_LIMITS,
): GeneratorHealth {
  const reasons: string[] = [];
  const scheduleLagP99Ms = lag.p99Ms;
  if (scheduleLagP99Ms > limits.scheduleLagP99Ms && lag.lateRequests >= MIN_LATE_REQUESTS) {
    reasons.push(
      `schedule lag p99 ${fmt(scheduleLagP99Ms)} ms > ${limits.scheduleLagP99Ms} ms (${lag.lateRequests} requests over it): requests left later than scheduled (generator or connection pool saturated)`,
    );
  }
  if (signals.eventLoopDelayP99Ms > limits.eventLoopDelayP99Ms) {
    reasons.push(
      `event-loop delay p99 ${fmt(signals.eventLoopDelayP99Ms)} ms > ${limits.eventLoopDelayP99Ms} ms: token timestamps are late by up to that much`,
    );
  }
  const peak = signals.cpuPeakPercent ?? null;
  const advice = 'split the load (execution segments) or lower it';
  if (peak !== null && peak > limits.cpuPercent) {
    const average = signals.cpuPercent === null ? '' : ` (run average ${fmt(signals.cpuPercent)}%)`;
    reasons.push(
      `generator CPU ${fmt(peak)}% of a core over ${CPU_WINDOW_SEC} s${average} > ${limits.cpuPercent}%: ${advice}`,
    );
  } else if (peak === null && signals.cpuPercent !== null && signals.cpuPercent > limits.cpuPercent) {
    reasons.push(`generator CPU ${fmt(signals.cpuPercent)}% of a core > ${limits.cpuPercent}%: ${advice}`);
  }
  return {
    valid: reasons.length === 0,
    reasons,
    scheduleLagP99Ms,
    eventLoopDelayP99Ms: signals.eventLoopDelayP99Ms,
    cpuPercent: signals.cpuPercent,
    cpuPeakPercent: peak,
  };
}
