/**
 * One regression rule judged on two runs. A rule fails only when the evidence says the change is
 * beyond the allowance: the whole confidence interval of the change lies past it (bootstrap,
 * normal, Newcombe), or Mann-Whitney finds the current run stochastically larger than the
 * baseline moved by the allowance at the configured confidence. When the point estimate is past
 * the allowance but the evidence is not, the rule is inconclusive (passes unless onInconclusive is
 * fail). Run-level figures (throughput) are one number per run: they are compared as they are.
 */
import type { Rng } from '../../harness/engine/rng.ts';
import type { Summary } from '../../harness/results/schema.ts';
import { pointChange, shareCounts, type ShareMetric } from '../compare.ts';
import type { GateRuleVerdict } from '../report-schema.ts';
import type { GateRule, GateStatistics } from './config.ts';
import { isTrendMetric, type RunData, type TrendData } from './metric-data.ts';
import {
  bootstrapPercentileChange,
  mannWhitneyGreater,
  meanChange,
  newcombeDifference,
  percentileInterval,
  type Interval,
} from './statistics.ts';

export type Judgement = Omit<
  GateRuleVerdict,
  'name' | 'metric' | 'stat' | 'direction' | 'tolerance' | 'ok' | 'reason'
> & {
  /** Why the rule could not be judged on evidence, when it could not. */
  shortfall: 'too-few' | 'no-finished' | 'no-data' | null;
  /** Mann-Whitney's P(current > moved baseline), when that test ran. */
  superiority: number | null;
};

export const NO_TEST: Judgement['test'] = {
  method: 'none',
  evidence: 'none',
  pValue: null,
  iterations: null,
  nBaseline: null,
  nCurrent: null,
};

/** The allowance on the scale the rule is judged on (ratio for relative, difference for absolute). */
export function limitOf(rule: GateRule): number {
  const t = rule.tolerance;
  if (t.kind === 'relative') return rule.direction === 'increase' ? 1 + t.value : 1 - t.value;
  return rule.direction === 'increase' ? t.value : -t.value;
}

const past = (rule: GateRule, value: number): boolean =>
  rule.direction === 'increase' ? value > limitOf(rule) : value < limitOf(rule);

function statusFrom(rule: GateRule, point: number, interval: Interval | null): Judgement['status'] {
  if (interval === null) return past(rule, point) ? 'fail' : 'pass';
  const nearEnd = rule.direction === 'increase' ? interval.low : interval.high;
  if (past(rule, nearEnd)) return 'fail';
  return past(rule, point) ? 'inconclusive' : 'pass';
}

function pointOf(d: TrendData, rule: GateRule): number | null {
  if (rule.stat.kind === 'avg') return d.moments.n > 0 ? d.moments.mean : null;
  return rule.stat.kind === 'p' ? d.percentile(rule.stat.percentile) : null;
}

function judgeTrend(rule: GateRule, cur: TrendData, base: TrendData, s: GateStatistics, rng: Rng): Judgement {
  const figures = pointChange(pointOf(base, rule), pointOf(cur, rule));
  const evidence: Judgement['test']['evidence'] =
    cur.evidence === 'samples' && base.evidence === 'samples' ? 'samples' : 'histogram';
  const n = { nBaseline: base.source.n, nCurrent: cur.source.n };
  const relative = rule.tolerance.kind === 'relative';
  if (
    figures.baseline === null ||
    figures.current === null ||
    n.nBaseline < s.minSamples ||
    n.nCurrent < s.minSamples
  ) {
    return {
      ...figures,
      status: 'inconclusive',
      interval: null,
      test: { ...NO_TEST, evidence, ...n },
      shortfall: 'too-few',
      superiority: null,
    };
  }
  const point = relative ? figures.current / figures.baseline : figures.delta!;
  if (s.method === 'mann-whitney' && cur.perRequest !== null && base.perRequest !== null) {
    const t = rule.tolerance.value;
    const moved = base.perRequest.map((v) => (relative ? v * (1 + t) : v + t));
    const mw = mannWhitneyGreater(cur.perRequest, moved);
    const status = mw.pValue < 1 - s.confidence ? 'fail' : past(rule, point) ? 'inconclusive' : 'pass';
    const test = { method: 'mann-whitney' as const, evidence, pValue: mw.pValue, iterations: null, ...n };
    return { ...figures, status, interval: null, test, shortfall: null, superiority: mw.superiority };
  }
  const judged = (
    method: 'normal' | 'bootstrap',
    interval: Interval,
    iterations: number | null,
  ): Judgement => ({
    ...figures,
    status: statusFrom(rule, point, interval),
    interval: { ...interval, confidence: s.confidence, of: relative ? 'ratio' : 'difference' },
    test: { method, evidence, pValue: null, iterations, ...n },
    shortfall: null,
    superiority: null,
  });
  if (rule.stat.kind === 'avg') {
    const ci = meanChange(base.moments, cur.moments, s.confidence);
    return judged('normal', relative ? ci.ratio : ci.diff, null);
  }
  const percentile = rule.stat.kind === 'p' ? rule.stat.percentile : 50;
  const reps = bootstrapPercentileChange(base.source, cur.source, percentile, s.iterations, rng);
  return judged(
    'bootstrap',
    percentileInterval(relative ? reps.ratios : reps.diffs, s.confidence),
    s.iterations,
  );
}

function judgeShare(rule: GateRule, cur: Summary, base: Summary, s: GateStatistics): Judgement {
  const metric = rule.metric as ShareMetric;
  const a = shareCounts(cur.counts, metric);
  const b = shareCounts(base.counts, metric);
  const figures = pointChange(b.n > 0 ? b.x / b.n : null, a.n > 0 ? a.x / a.n : null);
  const test = {
    method: 'newcombe' as const,
    evidence: 'counts' as const,
    pValue: null,
    iterations: null,
    nBaseline: b.n,
    nCurrent: a.n,
  };
  if (figures.delta === null)
    return {
      ...figures,
      status: 'inconclusive',
      interval: null,
      test,
      shortfall: 'no-finished',
      superiority: null,
    };
  const interval = newcombeDifference(a.x, a.n, b.x, b.n, s.confidence);
  return {
    ...figures,
    status: statusFrom(rule, figures.delta, interval),
    interval: { ...interval, confidence: s.confidence, of: 'difference' },
    test,
    shortfall: null,
    superiority: null,
  };
}

function judgeRunLevel(rule: GateRule, cur: Summary, base: Summary): Judgement {
  const pick = (s: Summary): number =>
    rule.metric === 'goodput_per_sec' ? s.rates.goodputPerSec : s.rates.outputTokensPerSec;
  const figures = pointChange(pick(base), pick(cur));
  const test = {
    method: 'point' as const,
    evidence: 'run-level' as const,
    pValue: null,
    iterations: null,
    nBaseline: null,
    nCurrent: null,
  };
  const point =
    rule.tolerance.kind === 'relative'
      ? figures.baseline! > 0
        ? figures.current! / figures.baseline!
        : 1
      : figures.delta!;
  return {
    ...figures,
    status: statusFrom(rule, point, null),
    interval: null,
    test,
    shortfall: null,
    superiority: null,
  };
}

export function judgeRule(
  rule: GateRule,
  current: RunData,
  baseline: RunData,
  s: GateStatistics,
  rng: Rng,
): Judgement {
  if (isTrendMetric(rule.metric)) {
    const cur = current.trends[rule.metric];
    const base = baseline.trends[rule.metric];
    if (cur === undefined || base === undefined) {
      return {
        ...pointChange(null, null),
        status: 'inconclusive',
        interval: null,
        test: NO_TEST,
        shortfall: 'no-data',
        superiority: null,
      };
    }
    return judgeTrend(rule, cur, base, s, rng);
  }
  if (rule.kind === 'share') return judgeShare(rule, current.summary, baseline.summary, s);
  return judgeRunLevel(rule, current.summary, baseline.summary);
}
