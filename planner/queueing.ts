/**
 * Queueing at the fleet level. Model: the servers are batch slots (c = replicas x slots per
 * replica), each serving one request for the mean service time S (Little: S = concurrency /
 * goodput at the operating point), arrivals at rate lambda.
 *
 * Erlang C (M/M/c, FIFO, a = lambda S, rho = a / c < 1):
 *   C(c, a) = c B(c, a) / (c - a (1 - B(c, a))), with Erlang B by B(0) = 1, B(k) = a B / (k + a B)
 *   E[W] = C / (c mu - lambda),  P(W > t) = C exp(-(c mu - lambda) t)
 * Allen-Cunneen (GI/G/c): multiply the wait by f = (SCV_arrival + SCV_service) / 2; the tail is
 * taken as exponential with the same probability of waiting and mean stretched by f:
 *   P(W > t) ~ C exp(-(c mu - lambda) t / f).
 * Output-length variance makes SCV_service > 1 for LLM serving, so waits exceed the M/M/c figure.
 * Slot speed depends on occupancy in a continuous-batching server; using the service time measured
 * at the goodput concurrency makes the model right at the planned occupancy and pessimistic below.
 */
import type { Reasoning } from './types.ts';

/** Little's law: mean number in the system L = lambda W. */
export function littlesLaw(ratePerSec: number, timeInSystemSec: number): number {
  return ratePerSec * timeInSystemSec;
}

/** Erlang B blocking probability for `servers` servers and offered load `erlangs`. */
export function erlangB(servers: number, erlangs: number): number {
  let b = 1;
  for (let k = 1; k <= servers; k += 1) b = (erlangs * b) / (k + erlangs * b);
  return b;
}

/** Erlang C: probability an arrival waits. 1 when the load reaches the server count. */
export function erlangC(servers: number, erlangs: number): number {
  if (erlangs <= 0) return 0;
  if (erlangs >= servers) return 1;
  const b = erlangB(servers, erlangs);
  return (servers * b) / (servers - erlangs * (1 - b));
}

export interface QueueInput {
  ratePerSec: number;
  servers: number;
  serviceMs: number;
  arrivalScv: number;
  serviceScv: number;
}

export interface QueueFigures {
  servers: number;
  offeredErlangs: number;
  utilization: number;
  stable: boolean;
  waitProbability: number;
  /** Allen-Cunneen factor (SCV_a + SCV_s) / 2. */
  variabilityFactor: number;
  meanWaitMmcMs: number;
  meanWaitMs: number;
  budgetMs: number | null;
  /** P(W > budget); null without a budget. */
  pWaitOverBudget: number | null;
}

export function queueFigures(input: QueueInput, budgetMs: number | null): QueueFigures {
  const { ratePerSec, servers, serviceMs } = input;
  const a = (ratePerSec * serviceMs) / 1000;
  const f = Math.max((input.arrivalScv + input.serviceScv) / 2, 1e-9);
  const stable = a < servers;
  const c = erlangC(servers, a);
  // (c mu - lambda) per ms
  const drainPerMs = servers / serviceMs - ratePerSec / 1000;
  const mmc = stable ? c / drainPerMs : Number.POSITIVE_INFINITY;
  const tail = (t: number) => (stable ? Math.min(1, c * Math.exp((-drainPerMs * t) / f)) : 1);
  return {
    servers,
    offeredErlangs: a,
    utilization: a / servers,
    stable,
    waitProbability: c,
    variabilityFactor: f,
    meanWaitMmcMs: mmc,
    meanWaitMs: mmc * f,
    budgetMs,
    pWaitOverBudget: budgetMs === null ? null : tail(budgetMs),
  };
}

/** The queue meets its bound when stable and, with a budget, P(W > budget) <= maxProb and E[W] <= budget. */
export function meetsBound(q: QueueFigures, maxProb: number): boolean {
  if (!q.stable) return false;
  if (q.budgetMs === null || q.pWaitOverBudget === null) return true;
  // With no budget left (the in-slot TTFT already uses the SLO) only the probability is judged.
  return q.pWaitOverBudget <= maxProb && (q.budgetMs <= 0 || q.meanWaitMs <= q.budgetMs);
}

export interface FleetQueueInput {
  ratePerSec: number;
  slotsPerReplica: number;
  serviceMs: number;
  arrivalScv: number;
  serviceScv: number;
  budgetMs: number | null;
  maxProb: number;
}

function fleetQueue(input: FleetQueueInput, replicas: number): QueueFigures {
  return queueFigures({ ...input, servers: replicas * input.slotsPerReplica }, input.budgetMs);
}

/** Smallest replica count whose slots keep the wait within bound (gallop, then bisect: monotone in replicas). */
export function smallestReplicasForQueue(input: FleetQueueInput): {
  replicas: number;
  figures: QueueFigures;
} {
  const a = (input.ratePerSec * input.serviceMs) / 1000;
  let lo = Math.max(1, Math.floor(a / input.slotsPerReplica));
  if (meetsBound(fleetQueue(input, lo), input.maxProb)) {
    return { replicas: lo, figures: fleetQueue(input, lo) };
  }
  let step = 1;
  let hi = lo + step;
  while (!meetsBound(fleetQueue(input, hi), input.maxProb)) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (meetsBound(fleetQueue(input, mid), input.maxProb)) hi = mid;
    else lo = mid;
  }
  return { replicas: hi, figures: fleetQueue(input, hi) };
}

export interface FleetQueueing {
  slotsPerReplica: number;
  serviceMs: number;
  maxProbability: number;
  atRecommended: QueueFigures;
  /** With the redundancy spare(s) down: what must still hold. */
  afterFailure: QueueFigures;
  smallestReplicas: number;
  reasoning: Reasoning[];
}

export function fleetQueueing(
  input: FleetQueueInput,
  recommended: number,
  afterFailure: number,
): FleetQueueing {
  const smallest = smallestReplicasForQueue(input);
  const at = fleetQueue(input, recommended);
  const reasoning: Reasoning[] = [
    {
      name: 'P(wait) at the recommended size (Erlang C)',
      formula: 'C(c, a) = c B / (c - a (1 - B)), a = lambda S, c = replicas x slots',
      inputs: {
        lambdaPerSec: input.ratePerSec,
        serviceMs: input.serviceMs,
        c: at.servers,
        a: at.offeredErlangs,
      },
      value: at.waitProbability,
    },
    {
      name: 'mean wait at the recommended size (Allen-Cunneen)',
      formula: 'E[W] = C / (c mu - lambda) x (SCV_a + SCV_s) / 2',
      inputs: {
        C: at.waitProbability,
        meanWaitMmcMs: at.meanWaitMmcMs,
        scvArrival: input.arrivalScv,
        scvService: input.serviceScv,
      },
      value: at.meanWaitMs,
    },
    {
      name: 'P(wait > budget) at the recommended size',
      formula: 'C exp(-(c mu - lambda) t / f), f = (SCV_a + SCV_s) / 2',
      inputs: { budgetMs: input.budgetMs, f: at.variabilityFactor },
      value: at.pWaitOverBudget,
    },
    {
      name: 'smallest replicas keeping the wait within SLO',
      formula: 'min R: rho < 1, P(W > budget) <= maxProbability and E[W] <= budget',
      inputs: {
        maxProbability: input.maxProb,
        budgetMs: input.budgetMs,
        slotsPerReplica: input.slotsPerReplica,
      },
      value: smallest.replicas,
    },
  ];
  return {
    slotsPerReplica: input.slotsPerReplica,
    serviceMs: input.serviceMs,
    maxProbability: input.maxProb,
    atRecommended: at,
    afterFailure: fleetQueue(input, afterFailure),
    smallestReplicas: smallest.replicas,
    reasoning,
  };
}
