/**
 * Time simulation of a target-concurrency autoscaler (Knative KPA / HPA on in-flight requests)
 * against a demand curve, with the measured cold start.
 *
 * Each step: replicas whose start finished become ready; capacity = ready x goodput per replica;
 * a fluid backlog grows by (lambda - capacity) dt and drains when capacity exceeds lambda. The
 * step is over SLO when the backlog's wait (backlog / capacity) exceeds the queueing budget.
 * The autoscaler sees offered concurrency lambda x S (Little) averaged over its window and wants
 * ceil(avg / (N* x u)) replicas, clamped to [min, max]. Scale-up starts replicas: from the warm
 * pool first (ready after warmStartSec; the pool refills after a cold start), the rest cold
 * (ready after coldStartSec). Scale-down follows the HPA stabilization rule: never below the
 * largest desired count of the last scaleDownDelaySec.
 */
import type { AutoscalerPolicy, Reasoning } from './types.ts';

/** The policy's autoscaler (replica bounds, window, delay, warm pool, step) and the fleet it scales. */
export interface AutoscaleInput extends AutoscalerPolicy {
  /** Offered requests/s at each step. */
  demandPerSec: readonly number[];
  goodputPerReplica: number;
  serviceSec: number;
  targetConcurrencyPerReplica: number;
  coldStartSec: number;
  queueBudgetSec: number;
}

export interface AutoscaleRun {
  secondsOverSlo: number;
  /** Time of the first step over SLO, s; null if none. */
  firstOverSloSec: number | null;
  /** Requests that arrived while over capacity (fluid). */
  excessRequests: number;
  meanReadyReplicas: number;
  peakReadyReplicas: number;
}

class SlidingMax {
  private readonly items: { i: number; v: number }[] = [];
  push(i: number, v: number, width: number): number {
    while (this.items.length > 0 && this.items[this.items.length - 1]!.v <= v) this.items.pop();
    this.items.push({ i, v });
    while (this.items[0]!.i <= i - width) this.items.shift();
    return this.items[0]!.v;
  }
}

function desiredAt(input: AutoscaleInput, windowMean: number): number {
  const want = Math.ceil((windowMean * input.serviceSec) / input.targetConcurrencyPerReplica - 1e-9);
  return Math.min(Math.max(want, input.minReplicas), input.maxReplicas);
}

export function simulateAutoscaler(input: AutoscaleInput): AutoscaleRun {
  const { demandPerSec: demand, stepSec: dt } = input;
  const windowSteps = Math.max(1, Math.round(input.windowSec / dt));
  const downSteps = Math.max(1, Math.round(input.scaleDownDelaySec / dt));
  let ready = desiredAt(input, demand[0] ?? 0);
  const starting: number[] = [];
  const warmRefills: number[] = [];
  let warm = input.warmPool;
  let backlog = 0;
  let windowSum = 0;
  const stableMax = new SlidingMax();
  const run: AutoscaleRun = {
    secondsOverSlo: 0,
    firstOverSloSec: null,
    excessRequests: 0,
    meanReadyReplicas: 0,
    peakReadyReplicas: ready,
  };
  for (let i = 0; i < demand.length; i += 1) {
    const t = i * dt;
    ready += drainDue(starting, t);
    warm += drainDue(warmRefills, t);
    const lambda = demand[i]!;
    const capacity = ready * input.goodputPerReplica;
    backlog = Math.max(0, backlog + (lambda - capacity) * dt);
    run.excessRequests += Math.max(0, lambda - capacity) * dt;
    const over = capacity <= 0 ? backlog > 0 : backlog / capacity > input.queueBudgetSec;
    if (over) {
      run.secondsOverSlo += dt;
      run.firstOverSloSec ??= t;
    }
    windowSum += lambda - (i >= windowSteps ? demand[i - windowSteps]! : 0);
    const desired = desiredAt(input, windowSum / Math.min(i + 1, windowSteps));
    const floor = stableMax.push(i, desired, downSteps);
    const missing = desired - ready - starting.length;
    if (missing > 0) {
      const fromWarm = Math.min(missing, warm);
      warm -= fromWarm;
      for (let k = 0; k < fromWarm; k += 1) {
        starting.push(t + input.warmStartSec);
        warmRefills.push(t + input.coldStartSec);
      }
      for (let k = fromWarm; k < missing; k += 1) starting.push(t + input.coldStartSec);
    } else if (ready > floor) {
      ready = floor;
    }
    run.meanReadyReplicas += ready / demand.length;
    run.peakReadyReplicas = Math.max(run.peakReadyReplicas, ready);
  }
  return run;
}

/** Removes the due entries (ready time <= t) and returns how many there were. */
function drainDue(times: number[], t: number): number {
  let n = 0;
  for (let k = times.length - 1; k >= 0; k -= 1) {
    if (times[k]! <= t + 1e-9) {
      times.splice(k, 1);
      n += 1;
    }
  }
  return n;
}

/** Smallest value in [lo, hi] for which `ok` holds, assuming ok is monotone; null if even hi fails. */
function smallest(lo: number, hi: number, ok: (v: number) => boolean): number | null {
  if (!ok(hi)) return null;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface AutoscaleResult {
  coldStartSec: number;
  targetConcurrencyPerReplica: number;
  stepSec: number;
  horizonSec: number;
  run: AutoscaleRun;
  /** Smallest minReplicas with no second over SLO. */
  minReplicasForNoOverSlo: number | null;
  /** Smallest warm pool (at the policy's minReplicas) with no second over SLO; null if none does. */
  warmPoolForNoOverSlo: number | null;
  reasoning: Reasoning[];
}

function autoscaleReasoning(
  input: AutoscaleInput,
  run: AutoscaleRun,
  ceiling: number,
  minReplicas: number | null,
  warmPool: number | null,
): Reasoning[] {
  return [
    {
      name: 'most replicas ready at once',
      formula: 'desired = ceil(mean over window of lambda x S / (N* x u)), clamped to [min, max]',
      inputs: {
        serviceSec: input.serviceSec,
        targetConcurrencyPerReplica: input.targetConcurrencyPerReplica,
        windowSec: input.windowSec,
      },
      value: run.peakReadyReplicas,
    },
    {
      name: 'seconds over SLO',
      formula:
        'sum of dt where backlog / (ready x goodput) > queue budget; backlog += (lambda - capacity) dt',
      inputs: {
        coldStartSec: input.coldStartSec,
        queueBudgetSec: input.queueBudgetSec,
        stepSec: input.stepSec,
      },
      value: run.secondsOverSlo,
    },
    {
      name: 'minimum replicas that remove the seconds over SLO',
      formula: 'smallest minReplicas (binary search) with seconds over SLO = 0',
      inputs: { searchedFrom: input.minReplicas, searchedTo: ceiling },
      value: minReplicas,
    },
    {
      name: 'warm pool that removes the seconds over SLO',
      formula: 'smallest warm pool (binary search) with seconds over SLO = 0',
      inputs: { warmStartSec: input.warmStartSec, minReplicas: input.minReplicas },
      value: warmPool,
    },
  ];
}

export function planAutoscaling(input: AutoscaleInput): AutoscaleResult {
  const run = simulateAutoscaler(input);
  const peak = input.demandPerSec.reduce((m, v) => Math.max(m, v), 0);
  const ceiling = Math.max(input.minReplicas, Math.ceil(peak / input.goodputPerReplica - 1e-9), 1);
  const clean = (r: AutoscaleRun) => r.secondsOverSlo === 0;
  const minReplicas =
    run.secondsOverSlo === 0
      ? input.minReplicas
      : smallest(input.minReplicas, ceiling, (m) =>
          clean(
            simulateAutoscaler({ ...input, minReplicas: m, maxReplicas: Math.max(input.maxReplicas, m) }),
          ),
        );
  const warmPool =
    run.secondsOverSlo === 0
      ? input.warmPool
      : smallest(input.warmPool, Math.max(ceiling, input.warmPool), (w) =>
          clean(simulateAutoscaler({ ...input, warmPool: w })),
        );
  return {
    coldStartSec: input.coldStartSec,
    targetConcurrencyPerReplica: input.targetConcurrencyPerReplica,
    stepSec: input.stepSec,
    horizonSec: input.demandPerSec.length * input.stepSec,
    run,
    minReplicasForNoOverSlo: minReplicas,
    warmPoolForNoOverSlo: warmPool,
    reasoning: autoscaleReasoning(input, run, ceiling, minReplicas, warmPool),
  };
}
