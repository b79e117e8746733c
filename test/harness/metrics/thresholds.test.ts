import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../../harness/config/duration.ts';
import { InvalidConfigError } from '../../../harness/errors.ts';
import { MetricHistogram } from '../../../harness/metrics/histogram.ts';
import {
  ThresholdMonitor,
  compare,
  judge,
  metricValue,
  type MetricInputs,
} from '../../../harness/metrics/threshold-eval.ts';
import {
  OPERATORS,
  THRESHOLD_METRICS,
  parseThresholds,
  type ThresholdSpec,
} from '../../../harness/metrics/thresholds.ts';
import { expectHdr } from './factories.ts';

function parseError(config: unknown): InvalidConfigError {
  try {
    parseThresholds(config);
  } catch (err) {
    if (err instanceof InvalidConfigError) return err;
    throw err;
  }
  throw new Error('expected parseThresholds to throw');
}

function makeInputs(overrides: Partial<MetricInputs> = {}): MetricInputs {
  const ttft = new MetricHistogram();
  for (const v of [100, 200, 300, 400]) ttft.record(v);
  const trends = {
    ttftMs: ttft,
    firstByteMs: new MetricHistogram(),
    itlMs: new MetricHistogram(),
    tpotMs: new MetricHistogram(),
    e2eMs: new MetricHistogram(),
    scheduleLagMs: new MetricHistogram(),
  };
  return {
    durationSec: 10,
    trends,
    requests: 50,
    completed: 40,
    failed: 10,
    degraded: 5,
    dropped: 3,
    outputTokens: 1000,
    goodRequests: 30,
    turnsLost: 0,
    ...overrides,
  };
}

describe('parseThresholds', () => {
  it('parses the short form', () => {
    expect(parseThresholds({ ttft_ms: ['p(95)<1500'] })).toEqual([
      {
        metric: 'ttft_ms',
        expression: 'p(95)<1500',
        aggregation: { kind: 'p', percentile: 95 },
        operator: '<',
        value: 1500,
        abortOnFail: false,
        delayAbortEvalMs: 0,
      },
    ]);
  });

  it('parses the long form with abortOnFail and delayAbortEval', () => {
    const [spec] = parseThresholds({
      ttft_ms: [{ threshold: 'p(99.9) <= 2000', abortOnFail: true, delayAbortEval: '1m30s' }],
    });
    expect(spec).toMatchObject({
      aggregation: { kind: 'p', percentile: 99.9 },
      operator: '<=',
      value: 2000,
      abortOnFail: true,
      delayAbortEvalMs: 90_000,
    });
  });

  it('accepts every trend aggregation on a trend metric', () => {
    const specs = parseThresholds({ e2e_ms: ['avg<1', 'min<1', 'max<1', 'med<1', 'p(0)<1', 'p(100)<1'] });
    expect(specs.map((s) => s.aggregation)).toEqual([
      { kind: 'avg' },
      { kind: 'min' },
      { kind: 'max' },
      { kind: 'med' },
      { kind: 'p', percentile: 0 },
      { kind: 'p', percentile: 100 },
    ]);
  });

  it('accepts count and rate on counters, rate on rates and value on gauges', () => {
    const specs = parseThresholds({
      http_reqs: ['count>10', 'rate>1'],
      dropped_iterations: ['count<1'],
      turns_lost: ['count==0'],
      http_req_failed: ['rate<0.01'],
      degraded_rate: ['rate<0.1'],
      output_tokens_per_sec: ['value>100'],
      goodput_per_sec: ['value>=2.5'],
    });
    expect(specs).toHaveLength(8);
  });

  it('accepts every operator', () => {
    const specs = parseThresholds({ http_reqs: OPERATORS.map((op) => `count ${op} 5`) });
    expect(specs.map((s) => s.operator)).toEqual([...OPERATORS]);
  });

  it('knows every metric name of the contract', () => {
    expect(Object.keys(THRESHOLD_METRICS).sort()).toEqual(
      [
        'degraded_rate',
        'dropped_iterations',
        'e2e_ms',
        'first_byte_ms',
        'goodput_per_sec',
        'http_req_failed',
        'http_reqs',
        'itl_ms',
        'output_tokens_per_sec',
        'schedule_lag_ms',
        'tpot_ms',
        'ttft_ms',
        'turns_lost',
      ].sort(),
    );
  });

  it('reports every problem at once with AL_INVALID_CONFIG, naming the metric and the expression', () => {
    const err = parseError({
      ttft_ms: ['p95<1500', 'rate<1'],
      http_req_failed: ['p(95)<0.1'],
      bogus_metric: ['avg<1'],
      'ttft_ms{phase:x}': ['avg<1'],
      itl_ms: [{ threshold: 'avg<1', abortOnFail: 'yes', delayAbortEval: 'soon', extra: 1 }],
      e2e_ms: [42],
      tpot_ms: ['p(101)<5'],
      goodput_per_sec: [],
    });
    expect(err.code).toBe('AL_INVALID_CONFIG');
    const messages = err.issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual([
      'thresholds.ttft_ms[0]: ttft_ms: "p95<1500" is not "<aggregation> <operator> <number>" (e.g. "p(95)<1500", "rate<0.01")',
      'thresholds.ttft_ms[1]: ttft_ms: "rate<1": a trend metric takes avg, min, max, med, p(N), not rate',
      'thresholds.http_req_failed[0]: http_req_failed: "p(95)<0.1": a rate metric takes rate, not p(N)',
      expect.stringMatching(/^thresholds.bogus_metric: unknown metric "bogus_metric"; known: ttft_ms, /),
      expect.stringMatching(/tag filters such as ttft_ms\{phase:x\} are not supported/),
      'thresholds.itl_ms[0]: unknown key "extra" (allowed: threshold, abortOnFail, delayAbortEval)',
      'thresholds.itl_ms[0].abortOnFail: must be true or false',
      'thresholds.itl_ms[0].delayAbortEval: "soon" is not a duration like "10s" or "1m30s"',
      'thresholds.e2e_ms[0]: e2e_ms: expected an expression string such as "p(95)<1500"',
      'thresholds.tpot_ms[0]: tpot_ms: "p(101)<5": p(N) needs 0 <= N <= 100',
      'thresholds.goodput_per_sec: goodput_per_sec: give at least one expression',
    ]);
    expect(err.hint).toMatch(/docs\/metrics.md/);
  });

  it('rejects a thresholds value that is not an object', () => {
    expect(parseError(['ttft_ms']).issues[0]!.message).toMatch(/must be an object/);
  });

  it('treats a missing thresholds block as none', () => {
    expect(parseThresholds(undefined)).toEqual([]);
  });
});

describe('delayAbortEval durations (harness/config/duration.ts)', () => {
  it('reads Go/k6 durations and rejects anything else', () => {
    expect(parseDurationMs('10s')).toBe(10_000);
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('1h2m3s')).toBe(3_723_000);
    expect(parseDurationMs('1.5m')).toBe(90_000);
    expect(parseDurationMs('10')).toBeNull();
    expect(parseDurationMs('10 s')).toBeNull();
    expect(parseDurationMs('')).toBeNull();
  });

  it('accepts a bare "0" as no delay and rejects a unitless number', () => {
    const delayOf = (delayAbortEval: string): number | undefined =>
      parseThresholds({ ttft_ms: [{ threshold: 'p(95)<1', abortOnFail: true, delayAbortEval }] })[0]
        ?.delayAbortEvalMs;
    expect(delayOf('0')).toBe(0);
    expect(delayOf('2s')).toBe(2000);
    expect(parseError({ ttft_ms: [{ threshold: 'p(95)<1', delayAbortEval: '10' }] }).issues[0]!.path).toBe(
      'thresholds.ttft_ms[0].delayAbortEval',
    );
  });
});

describe('metricValue', () => {
  const value = (metric: string, expr: string, inputs = makeInputs()): number | null => {
    const [spec] = parseThresholds({ [metric]: [expr] });
    return metricValue(inputs, spec!.metric, spec!.aggregation);
  };

  it('aggregates trends from the histogram', () => {
    expect(value('ttft_ms', 'avg<1')).toBe(250);
    expect(value('ttft_ms', 'min<1')).toBe(100);
    expect(value('ttft_ms', 'max<1')).toBe(400);
    expectHdr(value('ttft_ms', 'med<1'), 200);
    expectHdr(value('ttft_ms', 'p(75)<1'), 300);
    expect(value('e2e_ms', 'avg<1')).toBeNull();
  });

  it('derives rates, counters and gauges from the counts and the duration', () => {
    expect(value('http_req_failed', 'rate<1')).toBe(0.2);
    expect(value('degraded_rate', 'rate<1')).toBe(0.1);
    expect(value('http_reqs', 'count<1')).toBe(50);
    expect(value('http_reqs', 'rate<1')).toBe(5);
    expect(value('dropped_iterations', 'count<1')).toBe(3);
    expect(value('dropped_iterations', 'rate<1')).toBe(0.3);
    expect(value('turns_lost', 'count<1')).toBe(0);
    expect(value('turns_lost', 'count<1', makeInputs({ turnsLost: null }))).toBeNull();
    expect(value('output_tokens_per_sec', 'value<1')).toBe(100);
    expect(value('goodput_per_sec', 'value<1')).toBe(3);
    expect(value('http_req_failed', 'rate<1', makeInputs({ completed: 0, failed: 0 }))).toBeNull();
    expect(value('goodput_per_sec', 'value<1', makeInputs({ durationSec: 0 }))).toBeNull();
  });
});

describe('compare', () => {
  it('applies each operator', () => {
    const table: [number, (typeof OPERATORS)[number], number, boolean][] = [
      [1, '<', 2, true],
      [2, '<', 2, false],
      [2, '<=', 2, true],
      [3, '>', 2, true],
      [2, '>', 2, false],
      [2, '>=', 2, true],
      [2, '==', 2, true],
      [2, '===', 2, true],
      [2, '==', 3, false],
      [2, '!=', 3, true],
      [2, '!=', 2, false],
    ];
    for (const [a, op, b, want] of table) expect(compare(a, op, b), `${a} ${op} ${b}`).toBe(want);
  });
});

describe('ThresholdMonitor', () => {
  const spec = (config: Record<string, unknown>): ThresholdSpec[] => parseThresholds(config);

  it('does not abort on a failing threshold without abortOnFail, but remembers it failed live', () => {
    const monitor = new ThresholdMonitor(spec({ http_req_failed: ['rate<0.1'] }));
    expect(monitor.check(makeInputs(), 5000)).toEqual([]);
    expect(monitor.final(makeInputs({ failed: 0 }))[0]).toMatchObject({
      ok: true,
      failedLive: true,
      actual: 0,
    });
  });

  it('aborts after delayAbortEval has passed, not before', () => {
    const monitor = new ThresholdMonitor(
      spec({ http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '10s' }] }),
    );
    expect(monitor.check(makeInputs(), 9999)).toEqual([]);
    const [verdict] = monitor.check(makeInputs(), 10_000);
    expect(verdict).toMatchObject({ ok: false, actual: 0.2 });
  });

  it('never aborts on a metric that has no data yet, but fails it at the end', () => {
    const monitor = new ThresholdMonitor(spec({ e2e_ms: [{ threshold: 'p(95)<100', abortOnFail: true }] }));
    expect(monitor.check(makeInputs(), 60_000)).toEqual([]);
    expect(monitor.final(makeInputs())).toEqual([
      {
        metric: 'e2e_ms',
        expression: 'p(95)<100',
        ok: false,
        actual: null,
        abortOnFail: true,
        failedLive: false,
      },
    ]);
  });

  it('judges a passing threshold ok with the value it used', () => {
    const [s] = spec({ ttft_ms: ['max<=400'] });
    expect(judge(s!, makeInputs())).toMatchObject({ ok: true, actual: 400 });
  });
});
