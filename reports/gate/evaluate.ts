/**
 * The gate's verdict: thresholds (the run's own and the gate file's, judged on the current run)
 * and regression rules (current against baseline). ok when no threshold failed and no rule failed
 * (inconclusive rules fail too when statistics.onInconclusive is "fail").
 */
import { createRng } from '../../harness/engine/rng.ts';
import { inputsFromSummary, judge } from '../../harness/metrics/threshold-eval.ts';
import type { GateResult, GateRuleVerdict, GateThresholdCheck } from '../report-schema.ts';
import type { GateConfig, GateRule } from './config.ts';
import { explainRule, explainThreshold } from './explain.ts';
import { judgeRule, NO_TEST, type Judgement } from './judge-rule.ts';
import type { RunData } from './metric-data.ts';

export interface GateInputs {
  config: GateConfig;
  current: RunData;
  baseline: RunData | null;
}

function thresholdChecks(config: GateConfig, current: RunData): GateThresholdCheck[] {
  const checks: GateThresholdCheck[] = [];
  if (config.runThresholds) {
    for (const t of current.summary.thresholds) {
      checks.push({
        metric: t.metric,
        expression: t.expression,
        origin: 'run',
        ok: t.ok,
        actual: t.actual,
        reason: explainThreshold(t.metric, t.expression, t.ok, t.actual, t.failedLive),
      });
    }
  }
  if (config.thresholds.length > 0) {
    const inputs = inputsFromSummary(current.summary);
    for (const spec of config.thresholds) {
      const v = judge(spec, inputs);
      checks.push({
        metric: spec.metric,
        expression: spec.expression,
        origin: 'gate',
        ok: v.ok,
        actual: v.actual,
        reason: explainThreshold(spec.metric, spec.expression, v.ok, v.actual, false),
      });
    }
  }
  return checks;
}

function statLabel(rule: GateRule): string {
  return rule.stat.kind === 'p' ? `p(${rule.stat.percentile})` : rule.stat.kind;
}

function verdict(rule: GateRule, j: Judgement, config: GateConfig): GateRuleVerdict {
  const { shortfall: _shortfall, superiority: _superiority, ...figures } = j;
  const ok =
    j.status === 'fail'
      ? false
      : j.status === 'inconclusive'
        ? config.statistics.onInconclusive === 'pass'
        : true;
  return {
    name: rule.name,
    metric: rule.metric,
    stat: statLabel(rule),
    direction: rule.direction,
    tolerance: { ...rule.tolerance },
    ...figures,
    ok,
    reason: explainRule(rule, j, config.statistics),
  };
}

function skipped(rule: GateRule, config: GateConfig): GateRuleVerdict {
  const j: Judgement = {
    status: 'skipped',
    baseline: null,
    current: null,
    delta: null,
    relative: null,
    interval: null,
    test: { ...NO_TEST },
    shortfall: null,
    superiority: null,
  };
  return verdict(rule, j, config);
}

function warningsOf(inputs: GateInputs): string[] {
  const { current, baseline } = inputs;
  const out: string[] = [];
  if (baseline === null) {
    if (inputs.config.rules.length > 0)
      out.push('No baseline given: the regression rules were skipped and only thresholds were judged.');
    return out;
  }
  if (baseline.summary.run.scenario !== current.summary.run.scenario) {
    out.push(
      `The baseline ran scenario "${baseline.summary.run.scenario}", the current run "${current.summary.run.scenario}": the comparison may not mean much.`,
    );
  }
  for (const [role, run] of [
    ['baseline', baseline],
    ['current run', current],
  ] as const) {
    if (run.evidence === 'histogram') {
      out.push(
        `The ${role} has no samples.ndjson.gz: its latencies come from HDR histograms (3 significant digits) and Mann-Whitney is not available, so the test is weaker.`,
      );
    }
    if (!run.summary.generator.valid) {
      out.push(
        `The ${role}'s load generator could not keep up (${run.summary.generator.reasons.join('; ')}): its latencies are suspect.`,
      );
    }
  }
  return out;
}

export function evaluateGate(inputs: GateInputs): GateResult {
  const { config, current, baseline } = inputs;
  const thresholds = thresholdChecks(config, current);
  const root = createRng(config.statistics.seed);
  const rules = config.rules.map((rule) =>
    baseline === null
      ? skipped(rule, config)
      : verdict(rule, judgeRule(rule, current, baseline, config.statistics, root.fork(rule.name)), config),
  );
  return {
    ok: thresholds.every((t) => t.ok) && rules.every((r) => r.ok),
    current: current.source,
    baseline: baseline?.source ?? null,
    config: {
      source: config.source,
      method: config.statistics.method,
      confidence: config.statistics.confidence,
      iterations: config.statistics.iterations,
      seed: config.statistics.seed,
      onInconclusive: config.statistics.onInconclusive,
    },
    thresholds,
    rules,
    warnings: warningsOf(inputs),
  };
}
