/** Why each gate check passed or failed, in one sentence with the figures behind it. */
import {
  formatConfidence,
  formatCount,
  formatMetricChange,
  formatMetricValue,
  formatPValue,
  formatPercent,
  formatPoints,
  formatSignedPercent,
} from '../format.ts';
import type { GateRule, GateStatistics } from './config.ts';
import type { Judgement } from './judge-rule.ts';

function allowanceText(rule: GateRule): string {
  const t = rule.tolerance;
  const sign = rule.direction === 'increase' ? '+' : '-';
  if (t.kind === 'relative') return `${sign}${formatPercent(t.value)}`;
  return rule.kind === 'share'
    ? `${sign}${formatPoints(t.value)}`
    : `${sign}${formatMetricValue(rule.metric, t.value)}`;
}

/** A change on the rule's scale: ratio -> "+12.3%", difference -> "+45 ms" / "+1.2 pp". */
function scaled(rule: GateRule, value: number, of: 'ratio' | 'difference'): string {
  if (of === 'ratio') return formatSignedPercent(value - 1);
  return formatMetricChange(rule.metric, value);
}

function changeText(rule: GateRule, j: Judgement): string {
  const values = `${formatMetricValue(rule.metric, j.current)} vs ${formatMetricValue(rule.metric, j.baseline)} baseline`;
  const rel = j.relative === null ? '' : ` (${formatSignedPercent(j.relative)})`;
  const abs =
    rule.tolerance.kind === 'absolute' || j.relative === null
      ? ` (${formatMetricChange(rule.metric, j.delta)})`
      : rel;
  return `${values}${abs}`;
}

function testText(j: Judgement): string {
  const t = j.test;
  const n =
    t.nBaseline === null || t.nCurrent === null
      ? ''
      : `, ${formatCount(t.nBaseline)} baseline / ${formatCount(t.nCurrent)} current requests`;
  const source = t.evidence === 'histogram' ? ', from HDR histograms (no samples: weaker)' : '';
  switch (t.method) {
    case 'bootstrap':
      return `bootstrap, ${formatCount(t.iterations)} resamples${n}${source}`;
    case 'mann-whitney':
      return `Mann-Whitney U${n}`;
    case 'normal':
      return `normal approximation of the mean${n}${source}`;
    case 'newcombe':
      return `Newcombe interval${n}`;
    case 'point':
      return 'one figure per run, no statistical test';
    case 'none':
      return 'not tested';
  }
}

function shortfallText(j: Judgement, minSamples: number): string {
  switch (j.shortfall) {
    case 'too-few':
      return `too few completed requests to test (at least ${formatCount(minSamples)} per run needed)`;
    case 'no-finished':
      return 'no finished requests to compare';
    default:
      return 'no data for this metric';
  }
}

export function explainRule(
  rule: GateRule,
  j: Judgement,
  statistics: Pick<GateStatistics, 'onInconclusive' | 'minSamples'>,
): string {
  const { onInconclusive } = statistics;
  const allowance = allowanceText(rule);
  const head = changeText(rule, j);
  if (j.status === 'skipped') return 'skipped: no baseline to compare with';
  if (j.shortfall !== null) {
    const t = j.test;
    const counts =
      t.nBaseline === null || t.nCurrent === null
        ? ''
        : ` (${formatCount(t.nBaseline)} baseline / ${formatCount(t.nCurrent)} current)`;
    return `${head}: ${shortfallText(j, statistics.minSamples)}${counts}, so the rule ${onInconclusive === 'pass' ? 'passes' : 'fails'} as inconclusive`;
  }
  if (j.test.method === 'mann-whitney') {
    const moved = `baseline ${allowance}`;
    const p = formatPValue(j.test.pValue);
    const sup = j.superiority === null ? '' : `, P(current > ${moved}) = ${formatPercent(j.superiority, 2)}`;
    if (j.status === 'fail') return `${head}: current is larger than ${moved} (${p}${sup}; ${testText(j)})`;
    if (j.status === 'inconclusive') {
      return `${head}: past the ${allowance} allowed, but not significantly larger than ${moved} (${p}${sup}); noise cannot be ruled out`;
    }
    return `${head}: not larger than ${moved} (${p}${sup}; ${testText(j)})`;
  }
  if (j.interval === null) {
    return `${head}: ${j.status === 'fail' ? 'past' : 'within'} the ${allowance} allowed (${testText(j)})`;
  }
  const ci = `${formatConfidence(j.interval.confidence)} CI ${scaled(rule, j.interval.low, j.interval.of)} to ${scaled(rule, j.interval.high, j.interval.of)}`;
  if (j.status === 'fail')
    return `${head}, ${ci}: the whole interval lies past the ${allowance} allowed (${testText(j)})`;
  if (j.status === 'inconclusive') {
    return `${head}, ${ci}: past the ${allowance} allowed, but the interval reaches back within it, so noise cannot be ruled out (${testText(j)})`;
  }
  return `${head}, ${ci}: within the ${allowance} allowed (${testText(j)})`;
}

export function explainThreshold(
  metric: string,
  expression: string,
  ok: boolean,
  actual: number | null,
  failedLive: boolean,
): string {
  if (actual === null) return `${metric} had no data, so ${expression} cannot hold`;
  const value = `${metric} was ${formatMetricValue(metric, actual)}`;
  if (!ok) return `${value}, which breaks ${expression}`;
  return failedLive ? `${value} at the end (it failed during the run)` : `${value}`;
}
