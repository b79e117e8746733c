/**
 * gate.yml: which thresholds and regression rules `agentload gate` judges, and how strictly.
 * Validated once (every problem listed with its path), then frozen. A missing file means the
 * defaults below. Documented in docs/reports.md ("Gate configuration").
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  InvalidConfigError,
  isAgentloadError,
  type ValidationIssue,
  zodIssues,
} from '../../harness/errors.ts';
import { parseThresholds, type ThresholdSpec } from '../../harness/metrics/thresholds.ts';
import { formatMetricValue, formatNumber, formatPoints } from '../format.ts';

/** How each metric a rule may name is measured, and which way is worse. */
export const GATE_METRICS = {
  ttft_ms: 'trend',
  itl_ms: 'trend',
  tpot_ms: 'trend',
  e2e_ms: 'trend',
  first_byte_ms: 'trend',
  http_req_failed: 'share',
  degraded_rate: 'share',
  goodput_per_sec: 'run-level',
  output_tokens_per_sec: 'run-level',
} as const;

export type GateMetric = keyof typeof GATE_METRICS;
export type GateMetricKind = (typeof GATE_METRICS)[GateMetric];

export type GateStat =
  { kind: 'p'; percentile: number } | { kind: 'avg' } | { kind: 'rate' } | { kind: 'value' };

export interface GateRule {
  name: string;
  metric: GateMetric;
  kind: GateMetricKind;
  stat: GateStat;
  /** Which change is a regression: latency and failures rising, throughput falling. */
  direction: 'increase' | 'decrease';
  /** relative: a fraction of the baseline (0.1 = 10%); absolute: in the metric's unit (shares 0-1). */
  tolerance: { kind: 'relative' | 'absolute'; value: number };
}

export interface GateStatistics {
  method: 'bootstrap' | 'mann-whitney';
  confidence: number;
  iterations: number;
  seed: number;
  minSamples: number;
  onInconclusive: 'pass' | 'fail';
}

export interface GateConfig {
  source: string;
  statistics: GateStatistics;
  runThresholds: boolean;
  thresholds: readonly ThresholdSpec[];
  rules: readonly GateRule[];
}

const tolerance = z.number().finite().nonnegative();

const ruleSchema = z
  .object({
    name: z.string().min(1).optional(),
    metric: z.enum(Object.keys(GATE_METRICS) as [GateMetric, ...GateMetric[]]),
    stat: z.string().optional(),
    maxIncreasePct: tolerance.optional(),
    maxIncrease: tolerance.optional(),
    maxDecreasePct: tolerance.optional(),
    maxDecrease: tolerance.optional(),
  })
  .strict();

type RuleInput = z.infer<typeof ruleSchema>;

const statisticsSchema = z
  .object({
    method: z.enum(['bootstrap', 'mann-whitney']).default('bootstrap'),
    confidence: z.number().gt(0.5).lt(1).default(0.95),
    iterations: z.number().int().min(200).max(100_000).default(2000),
    seed: z.number().int().default(1),
    minSamples: z.number().int().min(2).default(20),
    onInconclusive: z.enum(['pass', 'fail']).default('pass'),
  })
  .strict();

const DEFAULT_RULES: readonly RuleInput[] = [
  { metric: 'ttft_ms', stat: 'p(95)', maxIncreasePct: 10 },
  { metric: 'tpot_ms', stat: 'p(95)', maxIncreasePct: 10 },
  { metric: 'e2e_ms', stat: 'p(95)', maxIncreasePct: 10 },
  { metric: 'http_req_failed', maxIncrease: 0.01 },
];

const gateConfigSchema = z
  .object({
    version: z.literal(1).default(1),
    statistics: statisticsSchema.default({}),
    runThresholds: z.boolean().default(true),
    thresholds: z.record(z.unknown()).optional(),
    rules: z.array(ruleSchema).default([...DEFAULT_RULES]),
  })
  .strict();

function parseStat(kind: GateMetricKind, text: string | undefined): GateStat | string {
  if (kind === 'share')
    return text === undefined || text === 'rate'
      ? { kind: 'rate' }
      : `a share takes stat "rate", not "${text}"`;
  if (kind === 'run-level')
    return text === undefined || text === 'value'
      ? { kind: 'value' }
      : `a run-level figure takes stat "value", not "${text}"`;
  const t = (text ?? 'p(95)').trim();
  if (t === 'avg') return { kind: 'avg' };
  if (t === 'med') return { kind: 'p', percentile: 50 };
  const m = /^p\(\s*([0-9]+(?:\.[0-9]+)?)\s*\)$/.exec(t);
  if (m && Number(m[1]) > 0 && Number(m[1]) <= 100) return { kind: 'p', percentile: Number(m[1]) };
  return `stat "${t}" is not p(N) with 0 < N <= 100, med or avg`;
}

function statLabel(stat: GateStat): string {
  return stat.kind === 'p' ? `p(${stat.percentile})` : stat.kind;
}

function resolveRule(input: RuleInput, path: string, issues: ValidationIssue[]): GateRule | null {
  const kind = GATE_METRICS[input.metric];
  const direction = kind === 'run-level' ? 'decrease' : 'increase';
  const given = (['maxIncreasePct', 'maxIncrease', 'maxDecreasePct', 'maxDecrease'] as const).filter(
    (k) => input[k] !== undefined,
  );
  const stat = parseStat(kind, input.stat);
  if (typeof stat === 'string') issues.push({ path: `${path}.stat`, message: stat });
  if (given.length !== 1) {
    const word = direction === 'increase' ? 'maxIncreasePct or maxIncrease' : 'maxDecreasePct or maxDecrease';
    issues.push({
      path,
      message: `give exactly one allowance (${word}); got ${given.length === 0 ? 'none' : given.join(', ')}`,
    });
    return null;
  }
  const key = given[0]!;
  const wrongWay = direction === 'increase' ? key.startsWith('maxDecrease') : key.startsWith('maxIncrease');
  if (wrongWay) {
    const worse = direction === 'increase' ? 'rises' : 'falls';
    issues.push({
      path: `${path}.${key}`,
      message: `${input.metric} gets worse when it ${worse}: use ${direction === 'increase' ? 'maxIncrease' : 'maxDecrease'}${key.endsWith('Pct') ? 'Pct' : ''}`,
    });
    return null;
  }
  if (kind === 'share' && key.endsWith('Pct')) {
    issues.push({
      path: `${path}.${key}`,
      message: `${input.metric} is a share (0-1): give an absolute maxIncrease such as 0.01 (one percentage point)`,
    });
    return null;
  }
  if (typeof stat === 'string') return null;
  const relative = key.endsWith('Pct');
  const value = relative ? input[key]! / 100 : input[key]!;
  const allowance = relative
    ? `${formatNumber(input[key]!)}%`
    : kind === 'share'
      ? formatPoints(value)
      : formatMetricValue(input.metric, value);
  const verb = direction === 'increase' ? 'rise' : 'fall';
  const statText = kind === 'trend' ? ` ${statLabel(stat)}` : '';
  return {
    name: input.name ?? `${input.metric}${statText} may ${verb} at most ${allowance}`,
    metric: input.metric,
    kind,
    stat,
    direction,
    tolerance: { kind: relative ? 'relative' : 'absolute', value },
  };
}

/**
 * Validates a parsed gate config object: structure, each rule's meaning and the thresholds, all
 * checked before failing so every problem is listed at once.
 * @throws InvalidConfigError listing every problem with its path.
 */
export function parseGateConfig(value: unknown, source: string): GateConfig {
  const parsed = gateConfigSchema.safeParse(value ?? {});
  const issues: ValidationIssue[] = parsed.success ? [] : zodIssues(parsed.error);
  const raw = (value ?? {}) as Record<string, unknown>;
  const ruleInputs: unknown[] = parsed.success
    ? parsed.data.rules
    : Array.isArray(raw['rules'])
      ? raw['rules']
      : [];
  const rules: GateRule[] = [];
  ruleInputs.forEach((input, i) => {
    const one = ruleSchema.safeParse(input);
    const rule = one.success ? resolveRule(one.data, `rules[${i}]`, issues) : null;
    if (rule !== null) rules.push(rule);
  });
  let thresholds: ThresholdSpec[] = [];
  try {
    thresholds = parseThresholds(parsed.success ? parsed.data.thresholds : raw['thresholds'], 'thresholds');
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    issues.push(...error.issues);
  }
  if (!parsed.success || issues.length > 0) {
    throw new InvalidConfigError(source, issues, 'See docs/reports.md "Gate configuration" for the fields.');
  }
  return Object.freeze({
    source,
    statistics: Object.freeze({ ...parsed.data.statistics }),
    runThresholds: parsed.data.runThresholds,
    thresholds: Object.freeze(thresholds),
    rules: Object.freeze(rules),
  });
}

/** Reads gate.yml (YAML or JSON); with no path, the defaults. */
export async function loadGateConfig(path: string | undefined): Promise<GateConfig> {
  if (path === undefined) return parseGateConfig({}, 'default gate config');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new InvalidConfigError(
      path,
      [{ path: '(file)', message: `cannot read: ${(cause as Error).message}` }],
      'Pass --config with the path of an existing gate.yml.',
    );
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (cause) {
    if (isAgentloadError(cause)) throw cause;
    throw new InvalidConfigError(path, [
      { path: '(file)', message: `not valid YAML or JSON: ${(cause as Error).message}` },
    ]);
  }
  return parseGateConfig(value, path);
}
