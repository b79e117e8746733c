/**
 * Thresholds in k6 syntax: `{ metric: [expression | { threshold, abortOnFail?, delayAbortEval? }] }`
 * with expression `<aggregation> <operator> <number>`. Which aggregations a metric takes follows
 * its k6 type: trend avg|min|max|med|p(N); counter count|rate; rate rate; gauge value.
 */
import { parseDurationMs } from '../config/duration.ts';
import { InvalidConfigError, type ValidationIssue } from '../errors.ts';

export type MetricType = 'trend' | 'counter' | 'rate' | 'gauge';

/** The metric names thresholds may use (docs/metrics.md). */
export const THRESHOLD_METRICS = {
  ttft_ms: 'trend',
  itl_ms: 'trend',
  tpot_ms: 'trend',
  e2e_ms: 'trend',
  first_byte_ms: 'trend',
  schedule_lag_ms: 'trend',
  http_req_failed: 'rate',
  degraded_rate: 'rate',
  http_reqs: 'counter',
  dropped_iterations: 'counter',
  turns_lost: 'counter',
  output_tokens_per_sec: 'gauge',
  goodput_per_sec: 'gauge',
} as const satisfies Record<string, MetricType>;

export type ThresholdMetric = keyof typeof THRESHOLD_METRICS;

export type Aggregation =
  { kind: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' } | { kind: 'p'; percentile: number };

export const OPERATORS = ['<', '<=', '>', '>=', '==', '===', '!='] as const;
export type Operator = (typeof OPERATORS)[number];

export interface ThresholdSpec {
  metric: ThresholdMetric;
  /** The expression as written, e.g. "p(95)<1500". */
  expression: string;
  aggregation: Aggregation;
  operator: Operator;
  value: number;
  abortOnFail: boolean;
  /** Live evaluation may abort only once this much of the run has passed. */
  delayAbortEvalMs: number;
}

const ALLOWED: Record<MetricType, readonly string[]> = {
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
  counter: ['count', 'rate'],
  rate: ['rate'],
  gauge: ['value'],
};

const EXPRESSION =
  /^\s*(avg|min|max|med|count|rate|value|p\(\s*([0-9]+(?:\.[0-9]+)?)\s*\))\s*(===|==|!=|<=|>=|<|>)\s*([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\s*$/;

/** Parses one expression; returns the problem as a string when it is not valid for `type`. */
export function parseExpression(
  expression: string,
  type: MetricType,
): Pick<ThresholdSpec, 'aggregation' | 'operator' | 'value'> | string {
  const m = EXPRESSION.exec(expression);
  if (!m) {
    return `"${expression}" is not "<aggregation> <operator> <number>" (e.g. "p(95)<1500", "rate<0.01")`;
  }
  const [, agg, pct, op, num] = m;
  let aggregation: Aggregation;
  if (pct !== undefined) {
    const percentile = Number(pct);
    if (percentile > 100) return `"${expression}": p(N) needs 0 <= N <= 100`;
    aggregation = { kind: 'p', percentile };
  } else aggregation = { kind: agg as Exclude<Aggregation['kind'], 'p'> };
  const shown = aggregation.kind === 'p' ? 'p(N)' : aggregation.kind;
  if (!ALLOWED[type].includes(shown)) {
    return `"${expression}": a ${type} metric takes ${ALLOWED[type].join(', ')}, not ${shown}`;
  }
  return { aggregation, operator: op as Operator, value: Number(num) };
}

const LONG_FORM_KEYS = new Set(['threshold', 'abortOnFail', 'delayAbortEval']);

function parseEntry(
  metric: ThresholdMetric,
  entry: unknown,
  path: string,
  issues: ValidationIssue[],
): ThresholdSpec | null {
  let expression: unknown = entry;
  let abortOnFail = false;
  let delayAbortEvalMs = 0;
  if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
    const obj = entry as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (!LONG_FORM_KEYS.has(key)) {
        issues.push({
          path,
          message: `unknown key "${key}" (allowed: threshold, abortOnFail, delayAbortEval)`,
        });
      }
    }
    expression = obj.threshold;
    if (obj.abortOnFail !== undefined && typeof obj.abortOnFail !== 'boolean') {
      issues.push({ path: `${path}.abortOnFail`, message: 'must be true or false' });
    } else abortOnFail = obj.abortOnFail === true;
    if (obj.delayAbortEval !== undefined) {
      const ms = typeof obj.delayAbortEval === 'string' ? parseDurationMs(obj.delayAbortEval) : null;
      if (ms === null) {
        issues.push({
          path: `${path}.delayAbortEval`,
          message: `${JSON.stringify(obj.delayAbortEval)} is not a duration like "10s" or "1m30s"`,
        });
      } else delayAbortEvalMs = ms;
    }
    path = `${path}.threshold`;
  }
  if (typeof expression !== 'string') {
    issues.push({ path, message: `${metric}: expected an expression string such as "p(95)<1500"` });
    return null;
  }
  const parsed = parseExpression(expression, THRESHOLD_METRICS[metric]);
  if (typeof parsed === 'string') {
    issues.push({ path, message: `${metric}: ${parsed}` });
    return null;
  }
  return { metric, expression: expression.trim(), ...parsed, abortOnFail, delayAbortEvalMs };
}

/**
 * Validates a whole thresholds object and lists every problem at once.
 * @throws InvalidConfigError (AL_INVALID_CONFIG) naming each metric and bad expression.
 */
export function parseThresholds(config: unknown, source = 'thresholds'): ThresholdSpec[] {
  if (config === undefined || config === null) return [];
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new InvalidConfigError(source, [
      { path: source, message: 'must be an object of metric name -> list of expressions' },
    ]);
  }
  const issues: ValidationIssue[] = [];
  const specs: ThresholdSpec[] = [];
  for (const [metric, entries] of Object.entries(config as Record<string, unknown>)) {
    const path = `${source}.${metric}`;
    if (!(metric in THRESHOLD_METRICS)) {
      const hint = metric.includes('{') ? ' (tag filters such as ttft_ms{phase:x} are not supported)' : '';
      issues.push({
        path,
        message: `unknown metric "${metric}"${hint}; known: ${Object.keys(THRESHOLD_METRICS).join(', ')}`,
      });
      continue;
    }
    const list = Array.isArray(entries) ? entries : [entries];
    if (list.length === 0) issues.push({ path, message: `${metric}: give at least one expression` });
    list.forEach((entry, i) => {
      const spec = parseEntry(metric as ThresholdMetric, entry, `${path}[${i}]`, issues);
      if (spec) specs.push(spec);
    });
  }
  if (issues.length > 0) {
    throw new InvalidConfigError(
      source,
      issues,
      'Write thresholds as in k6, e.g. {"ttft_ms": ["p(95)<1500"], "http_req_failed": ["rate<0.01"]}; metric names are listed in docs/metrics.md.',
    );
  }
  return specs;
}
