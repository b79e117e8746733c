/**
 * Per-replica goodput at SLO: the highest offered load at which every SLO target holds.
 *
 * Each SLO metric (a latency percentile, the error rate) is fitted as a non-decreasing function of
 * offered load (isotonic regression over the sweep's load levels, replicates averaged), and the
 * crossing x* = x0 + (limit - f0)(x1 - x0)/(f1 - f0) is read off between the bracketing points.
 * Goodput is the achieved success rate at min over targets of x*. Assumptions: latency does not
 * fall as load rises (the fit enforces it), and the sweep's per-replica load is what one replica
 * of the planned fleet sees.
 *
 * Confidence interval: percentile bootstrap over replicates. Steps repeated at the same offered
 * load (several sweeps, or repeated steps) are resampled with replacement within their level,
 * the fit and crossing are redone, and the (1 - confidence)/2 quantiles of the goodput taken.
 */
import { mulberry32 } from '../harness/engine/rng.ts';
import { SloUnmetError } from './errors.ts';
import { crossing, interpolate, isotonicIncreasing, type Crossing } from './monotone.ts';
import { statKeyFor, type MixScaling, type SloConstraint } from './slo.ts';
import type { CapacityCurve, CurvePoint, CurveRole, LoadAxis, Reasoning } from './types.ts';

export interface GoodputInterval {
  lowPerSec: number;
  highPerSec: number;
  confidence: number;
  iterations: number;
  seed: number;
  /** Load levels with two or more replicates (the only ones that vary between resamples). */
  replicatedLevels: number;
}

export interface GoodputResult {
  curveKey: string;
  role: CurveRole;
  loadAxis: LoadAxis;
  /** x*: offered load per replica at goodput, in the sweep's units (requests/s or concurrency). */
  offeredPerReplica: number;
  /** within: an SLO limit was crossed inside the sweep; censored: never crossed (lower bound). */
  status: 'within' | 'censored';
  /** The SLO target that set x*. */
  binding: string;
  /** Successful requests/s one replica sustains within SLO, at the demand's token mix. */
  ratePerSec: number;
  /** Requests in flight per replica at goodput (queued + running), at the demand's mix. */
  concurrency: number;
  outputTokensPerSec: number;
  /** Little's law: concurrency / rate, ms. */
  meanServiceMs: number;
  /** Squared coefficient of variation of E2E at goodput. */
  serviceScv: number;
  /** TTFT a request sees once it holds a batch slot, ms (the queueing budget is SLO minus this). */
  ttftInSlotMs: number;
  ci: GoodputInterval | null;
  reasoning: Reasoning[];
}

export interface BootstrapOptions {
  iterations: number;
  confidence: number;
  seed: number;
}

interface PointValues {
  constraint: number[];
  rate: number;
  inFlight: number;
  e2eMean: number;
  e2eStd: number;
  ttftStat: number;
}

interface Level {
  x: number;
  replicates: PointValues[];
}

function pointValues(p: CurvePoint, constraints: readonly SloConstraint[], mix: MixScaling): PointValues {
  const r = mix.outputRatio;
  // E2E = TTFT + decode time; the decode part scales with output length (first-order).
  const stretch = (ttft: number, e2e: number) => Math.max(ttft, ttft + (e2e - ttft) * r);
  const constraint = constraints.map((c) => {
    if (c.metric === 'errorRate') return p.errorRate;
    const key = statKeyFor(c.percentile!);
    if (c.metric === 'e2eMs') return stretch(p.ttftMs[key], p.e2eMs[key]);
    return p[c.metric][key];
  });
  const e2eMean = stretch(p.ttftMs.mean, p.e2eMs.mean);
  const ttftTarget = constraints.find((c) => c.metric === 'ttftMs');
  return {
    constraint,
    rate: p.achievedRatePerSec * mix.costRatio,
    inFlight: p.meanInFlight * mix.costRatio * (p.e2eMs.mean > 0 ? e2eMean / p.e2eMs.mean : 1),
    e2eMean,
    e2eStd: p.e2eMs.stddev * r,
    ttftStat: p.ttftMs[statKeyFor(ttftTarget?.percentile ?? 95)],
  };
}

function levelsOf(curve: CapacityCurve, constraints: readonly SloConstraint[], mix: MixScaling): Level[] {
  const levels: Level[] = [];
  for (const p of curve.points) {
    const values = pointValues(p, constraints, mix);
    const last = levels[levels.length - 1];
    const same = last !== undefined && Math.abs(last.x - p.offeredPerReplica) <= 1e-9 * Math.max(1, last.x);
    if (same) last.replicates.push(values);
    else levels.push({ x: p.offeredPerReplica, replicates: [values] });
  }
  return levels;
}

function meanOf(rows: readonly PointValues[]): PointValues {
  const n = rows.length;
  const avg = (f: (v: PointValues) => number) => rows.reduce((s, v) => s + f(v), 0) / n;
  return {
    constraint: rows[0]!.constraint.map((_, i) => avg((v) => v.constraint[i]!)),
    rate: avg((v) => v.rate),
    inFlight: avg((v) => v.inFlight),
    e2eMean: avg((v) => v.e2eMean),
    e2eStd: avg((v) => v.e2eStd),
    ttftStat: avg((v) => v.ttftStat),
  };
}

interface Solution {
  x: number;
  bindingIndex: number;
  crossings: Crossing[];
  fits: number[][];
}

function solve(
  xs: readonly number[],
  agg: readonly PointValues[],
  constraints: readonly SloConstraint[],
): Solution {
  const fits = constraints.map((_, i) => isotonicIncreasing(agg.map((v) => v.constraint[i]!)));
  const crossings = constraints.map((c, i) => crossing(xs, fits[i]!, c.limit));
  let bindingIndex = 0;
  crossings.forEach((c, i) => {
    const best = crossings[bindingIndex]!;
    if (c.status === 'unmet' || (best.status !== 'unmet' && c.x < best.x)) bindingIndex = i;
  });
  return { x: crossings[bindingIndex]!.x, bindingIndex, crossings, fits };
}

function rateAt(xs: readonly number[], agg: readonly PointValues[], x: number): number {
  return interpolate(xs, isotonicIncreasing(agg.map((v) => v.rate)), x);
}

function unmetError(
  curve: CapacityCurve,
  xs: readonly number[],
  sol: Solution,
  constraints: readonly SloConstraint[],
) {
  const over = constraints
    .map((c, i) => ({ c, v: sol.fits[i]![0]! }))
    .filter(({ c, v }) => v > c.limit)
    .map(({ c, v }) => `${c.label} is ${round(v)} (limit ${c.limit})`);
  return new SloUnmetError(
    `No measured load of ${curve.key} meets the SLO: at the lowest load (${round(xs[0]!)} per replica) ${over.join(', ')}`,
    {
      hint: 'Relax the SLO (--slo), sweep lower loads, or plan on a faster configuration (more GPUs per replica, another profile).',
    },
  );
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** The q-quantile (0-1) of values by linear interpolation between order statistics. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function bootstrap(levels: readonly Level[], constraints: readonly SloConstraint[], opts: BootstrapOptions) {
  const replicatedLevels = levels.filter((l) => l.replicates.length > 1).length;
  if (replicatedLevels === 0 || opts.iterations < 1) return null;
  const random = mulberry32(opts.seed);
  const xs = levels.map((l) => l.x);
  const draws: number[] = [];
  for (let b = 0; b < opts.iterations; b += 1) {
    const agg = levels.map((l) => {
      const k = l.replicates.length;
      return k === 1
        ? l.replicates[0]!
        : meanOf(l.replicates.map(() => l.replicates[Math.floor(random() * k)]!));
    });
    const sol = solve(xs, agg, constraints);
    draws.push(sol.crossings[sol.bindingIndex]!.status === 'unmet' ? 0 : rateAt(xs, agg, sol.x));
  }
  const tail = (1 - opts.confidence) / 2;
  return {
    lowPerSec: quantile(draws, tail),
    highPerSec: quantile(draws, 1 - tail),
    confidence: opts.confidence,
    iterations: opts.iterations,
    seed: opts.seed,
    replicatedLevels,
  };
}

function crossingReasoning(
  c: SloConstraint,
  cr: Crossing,
  xs: readonly number[],
  fit: readonly number[],
): Reasoning {
  const name = `load where ${c.label} reaches ${c.limit}`;
  if (cr.status === 'censored') {
    return {
      name,
      formula: 'x* = highest measured load (the fitted curve never reaches the limit)',
      inputs: { limit: c.limit, fittedAtMax: fit[fit.length - 1]! },
      value: cr.x,
    };
  }
  const i = cr.overIndex;
  return {
    name,
    formula: 'x* = x0 + (limit - f0)(x1 - x0)/(f1 - f0) on the isotonic fit',
    inputs: { x0: xs[i - 1] ?? null, f0: fit[i - 1] ?? null, x1: xs[i]!, f1: fit[i]!, limit: c.limit },
    value: cr.x,
  };
}

interface OperatingFigures {
  x: number;
  binding: string;
  curve: CapacityCurve;
  mix: MixScaling;
  ratePerSec: number;
  concurrency: number;
  meanServiceMs: number;
}

function operatingReasoning(f: OperatingFigures): Reasoning[] {
  return [
    {
      name: 'offered load per replica at goodput',
      formula: 'x* = min over SLO targets of x*(target)',
      inputs: { binding: f.binding, loadAxis: f.curve.loadAxis },
      value: f.x,
    },
    {
      name: 'goodput per replica (requests/s)',
      formula: 'achieved success rate at x* (isotonic fit, interpolated) x cost ratio of the token mix',
      inputs: { offeredPerReplica: f.x, costRatio: f.mix.costRatio },
      value: f.ratePerSec,
    },
    {
      name: 'mean service time per batch slot (ms)',
      formula: "Little's law: W = L / lambda = concurrency / goodput",
      inputs: { concurrency: f.concurrency, ratePerSec: f.ratePerSec },
      value: f.meanServiceMs,
    },
  ];
}

/** Goodput of one replica at SLO, at the demand's token mix, with a bootstrap interval. */
export function computeGoodput(
  curve: CapacityCurve,
  constraints: readonly SloConstraint[],
  mix: MixScaling,
  opts: BootstrapOptions,
): GoodputResult {
  const levels = levelsOf(curve, constraints, mix);
  const xs = levels.map((l) => l.x);
  const agg = levels.map((l) => meanOf(l.replicates));
  const sol = solve(xs, agg, constraints);
  const bound = sol.crossings[sol.bindingIndex]!;
  if (bound.status === 'unmet') throw unmetError(curve, xs, sol, constraints);
  const x = sol.x;
  const fitAt = (f: (v: PointValues) => number) => interpolate(xs, isotonicIncreasing(agg.map(f)), x);
  const ratePerSec = rateAt(xs, agg, x);
  const concurrency = fitAt((v) => v.inFlight);
  const e2eMean = fitAt((v) => v.e2eMean);
  const e2eStd = interpolate(
    xs,
    agg.map((v) => v.e2eStd),
    x,
  );
  const ttftInSlotMs = curve.loadAxis === 'concurrency' ? fitAt((v) => v.ttftStat) : agg[0]!.ttftStat;
  const meanServiceMs = ratePerSec > 0 ? (1000 * concurrency) / ratePerSec : e2eMean;
  const reasoning = [
    ...constraints.map((c, i) => crossingReasoning(c, sol.crossings[i]!, xs, sol.fits[i]!)),
    ...operatingReasoning({
      x,
      binding: constraints[sol.bindingIndex]!.label,
      curve,
      mix,
      ratePerSec,
      concurrency,
      meanServiceMs,
    }),
  ];
  return {
    curveKey: curve.key,
    role: curve.role,
    loadAxis: curve.loadAxis,
    offeredPerReplica: x,
    status: bound.status,
    binding: constraints[sol.bindingIndex]!.label,
    ratePerSec,
    concurrency,
    outputTokensPerSec: ratePerSec * mix.demandOutputTokens,
    meanServiceMs,
    serviceScv: e2eMean > 0 ? (e2eStd / e2eMean) ** 2 : 0,
    ttftInSlotMs,
    ci: bootstrap(levels, constraints, opts),
    reasoning,
  };
}
