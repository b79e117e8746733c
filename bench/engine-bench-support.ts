/**
 * Shared plumbing of the engine benchmarks: child processes (servers and generator workers), CPU
 * accounting, a fixed-rate send loop, percentiles and the printed table.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../harness/engine/clock.ts';
import { constantArrivalRate } from '../harness/engine/executors/constant-arrival-rate.ts';
import type { ExecutorReport, IterationContext } from '../harness/engine/executors/types.ts';
import { createRng } from '../harness/engine/rng.ts';
import { nearestRank } from '../harness/metrics/timeseries.ts';

const TSX = ['--import', 'tsx'];

export interface Child {
  process: ChildProcess;
  /** Resolves with the next IPC message of `type`. */
  next<T>(type: string): Promise<T>;
  stop(): Promise<void>;
}

/** Forks a TypeScript entry point with an IPC channel. */
export function forkTs(entry: string, args: string[], execArgv: string[] = []): Child {
  const child = fork(fileURLToPath(new URL(entry, import.meta.url)), args, {
    execArgv: [...TSX, ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, ((msg: unknown) => void)[]>();
  child.on('message', (msg) => {
    const type = (msg as { type?: string }).type ?? '';
    const queue = waiting.get(type);
    queue?.shift()?.(msg);
  });
  return {
    process: child,
    next<T>(type: string): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const onExit = (code: number | null): void =>
          reject(new Error(`${entry} exited (${code}) before sending ${type}`));
        const queue = waiting.get(type) ?? [];
        queue.push((m) => {
          child.off('exit', onExit);
          resolve(m as T);
        });
        waiting.set(type, queue);
        child.once('exit', onExit);
      });
    },
    stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

export interface ServerChild extends Child {
  url: string;
  port: number;
}

export async function startServer(
  kind: 'trivial' | 'ttft' | 'hold',
  options: object = {},
): Promise<ServerChild> {
  const child = forkTs('./engine-bench-server.ts', [kind, JSON.stringify(options)]);
  const { port } = await child.next<{ port: number }>('listening');
  return { ...child, port, url: `http://127.0.0.1:${port}` };
}

/** Milliseconds on CLOCK_MONOTONIC: the same value in every process on the machine. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** utime + stime of a process, ms (resolution: one clock tick, 10 ms). */
export function processCpuMs(pid: number): number {
  return statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'), 'self');
}

/**
 * CPU ms from a /proc/<pid>/stat line: fields 14-15 (utime, stime) for 'self', 16-17 (cutime,
 * cstime: waited-for children) for 'children', in clock ticks of 10 ms (CLK_TCK 100).
 */
export function statCpuMs(stat: string, whose: 'self' | 'children'): number {
  // After "pid (comm) " the state, field 3, is index 0: field n is index n - 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const first = whose === 'self' ? 14 - 3 : 16 - 3;
  return (Number(fields[first]) + Number(fields[first + 1])) * 10;
}

export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/**
 * Calls `fire(scheduledAtMs)` for request i at t0 + i / rate. Wakes with setTimeout and sends every
 * request that has come due; a due time is never skipped, so lateness shows as schedule lag.
 */
export function runFixedRate(opts: {
  now: () => number;
  ratePerSec: number;
  durationSec: number;
  fire: (scheduledAtMs: number) => void;
}): Promise<number> {
  const intervalMs = 1000 / opts.ratePerSec;
  const total = Math.floor(opts.ratePerSec * opts.durationSec);
  const t0 = opts.now();
  let i = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const nowMs = opts.now();
      while (i < total && t0 + i * intervalMs <= nowMs) opts.fire(t0 + intervalMs * i++);
      if (i >= total) return resolve(total);
      setTimeout(tick, Math.max(0, Math.floor(t0 + i * intervalMs - opts.now())));
    };
    tick();
  });
}

/**
 * The engine's own constant-arrival-rate executor on `clock` (whose frame ctx.scheduledAtMs is in),
 * with VUs enough that none is ever missing and a lateness tolerance wide enough that lag shows as
 * lag rather than as drops.
 */
export function runConstantArrivalRate(opts: {
  clock: Clock;
  ratePerSec: number;
  durationSec: number;
  maxVUs: number;
  iterate: (ctx: IterationContext) => Promise<void>;
}): Promise<ExecutorReport> {
  const executor = constantArrivalRate('bench', {
    executor: 'constant-arrival-rate',
    ratePerSec: opts.ratePerSec,
    durationMs: opts.durationSec * 1000,
    startTimeMs: opts.clock.now(),
    gracefulStopMs: 10_000,
    preAllocatedVUs: opts.maxVUs,
    maxVUs: opts.maxVUs,
    lateToleranceMs: 10_000,
  });
  return executor.run({
    clock: opts.clock,
    rng: createRng(1),
    iterate: opts.iterate,
    dropped: () => undefined,
    stop: new AbortController().signal,
    abort: new AbortController().signal,
  });
}

/** Nearest-rank percentile of an ascending array (the time series' rule); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  return nearestRank(sorted, p) ?? NaN;
}

export function sortedCopy(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

export function printTable(title: string, rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const headers = Object.keys(rows[0] as object);
  const cells = rows.map((r) => headers.map((h) => fmt(r[h])));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (values: string[]) =>
    `| ${values.map((v, i) => v.padStart(widths[i] as number)).join(' | ')} |`;
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

function fmt(v: string | number | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return 'n/a';
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 3);
}

/** Node, cores and the 1-minute load average: tails mean little when other work shares the cores. */
export function nodeVersionLine(): string {
  const load = loadavg()[0] as number;
  return `node ${process.version}, ${availableParallelism()} cores, load average ${load.toFixed(2)} at start`;
}
