import { describe, expect, it } from 'vitest';
import type { RequestSample } from '../../../harness/results/schema.ts';
import { parseGateConfig, type GateConfig } from '../../../reports/gate/config.ts';
import { evaluateGate } from '../../../reports/gate/evaluate.ts';
import {
  trendsFromHistograms,
  trendsFromSamples,
  TREND_METRICS,
  type RunData,
} from '../../../reports/gate/metric-data.ts';
import { makeSamples, recordRun } from '../factories.ts';

const COUNT = 3000;
const SEEDS = [11, 23, 37, 41, 53, 67];

function runData(samples: RequestSample[], source: string, fromHistograms = false): RunData {
  const { summary } = recordRun(samples, { thresholds: {} });
  return {
    source,
    summary,
    evidence: fromHistograms ? 'histogram' : 'samples',
    trends: fromHistograms
      ? trendsFromHistograms(summary, TREND_METRICS)
      : trendsFromSamples(samples, summary, TREND_METRICS),
  };
}

const pairs = new Map<string, { baseline: RunData; current: RunData }>();

/** Two runs of one build: the same distribution, different seeds; `slowdown` scales every latency. */
function pair(
  seed: number,
  slowdown: number,
  baselineFromHistograms = false,
): { baseline: RunData; current: RunData } {
  const key = `${seed}/${slowdown}/${baselineFromHistograms}`;
  const known = pairs.get(key);
  if (known) return known;
  const shape = { count: COUNT, ratePerSec: 50, errorShare: 0.005 };
  const made = {
    baseline: runData(makeSamples({ ...shape, seed }), 'baseline', baselineFromHistograms),
    current: runData(makeSamples({ ...shape, seed: seed + 1000, slowdown }), 'current'),
  };
  pairs.set(key, made);
  return made;
}

function config(method: 'bootstrap' | 'mann-whitney'): GateConfig {
  return parseGateConfig(
    {
      statistics: { method, iterations: 1000 },
      rules: [
        { metric: 'ttft_ms', stat: 'p(95)', maxIncreasePct: 10 },
        { metric: 'e2e_ms', stat: 'p(95)', maxIncreasePct: 10 },
        { metric: 'itl_ms', stat: 'p(95)', maxIncreasePct: 10 },
        { metric: 'tpot_ms', stat: 'avg', maxIncreasePct: 10 },
        { metric: 'http_req_failed', maxIncrease: 0.01 },
      ],
    },
    'test gate config',
  );
}

describe('evaluateGate on per-request samples', () => {
  for (const method of ['bootstrap', 'mann-whitney'] as const) {
    it(`passes two runs of the same build over ${SEEDS.length} seed pairs (${method})`, () => {
      for (const seed of SEEDS) {
        const result = evaluateGate({ config: config(method), ...pair(seed, 1) });
        const failed = result.rules
          .filter((r) => r.status === 'fail')
          .map((r) => `${seed}: ${r.name}: ${r.reason}`);
        expect(failed).toEqual([]);
        expect(result.ok).toBe(true);
      }
    });

    it(`fails a model profile made 20% slower on every latency rule over ${SEEDS.length} seeds (${method})`, () => {
      for (const seed of SEEDS) {
        const result = evaluateGate({ config: config(method), ...pair(seed, 1.2) });
        expect(result.ok).toBe(false);
        const latency = result.rules.filter((r) => r.metric !== 'http_req_failed');
        expect(latency).toHaveLength(4);
        for (const r of latency)
          expect({ seed, rule: r.name, status: r.status }).toEqual({ seed, rule: r.name, status: 'fail' });
        expect(result.rules.find((r) => r.metric === 'http_req_failed')!.status).toBe('pass');
      }
    });
  }

  it('passes a build made 20% faster (an improvement is not a regression)', () => {
    const result = evaluateGate({ config: config('bootstrap'), ...pair(5, 0.8) });
    expect(result.ok).toBe(true);
    expect(result.rules.find((r) => r.metric === 'ttft_ms')!.relative!).toBeLessThan(-0.1);
  });

  it('calls a change past the allowance that noise could explain inconclusive, not a failure', () => {
    // 12% slower against a 10% allowance with few requests: the point estimate is past it, the interval is not.
    const shape = { count: 300, ratePerSec: 50 };
    const baseline = runData(makeSamples({ ...shape, seed: 2 }), 'b');
    const current = runData(makeSamples({ ...shape, seed: 3, slowdown: 1.12 }), 'c');
    const cfg = parseGateConfig({ rules: [{ metric: 'e2e_ms', stat: 'p(50)', maxIncreasePct: 5 }] }, 't');
    const rule = evaluateGate({ config: cfg, baseline, current }).rules[0]!;
    expect(rule.relative!).toBeGreaterThan(0.05);
    expect(rule.interval!.low).toBeLessThan(1.05);
    expect(rule.status).toBe('inconclusive');
    expect(rule.ok).toBe(true);
    const strict = parseGateConfig(
      {
        statistics: { onInconclusive: 'fail' },
        rules: [{ metric: 'e2e_ms', stat: 'p(50)', maxIncreasePct: 5 }],
      },
      't',
    );
    expect(evaluateGate({ config: strict, baseline, current }).ok).toBe(false);
  });

  it('falls back to the baseline histograms when it has no samples, and says the test was weaker', () => {
    const same = evaluateGate({ config: config('bootstrap'), ...pair(7, 1, true) });
    expect(same.ok).toBe(true);
    expect(same.warnings.join(' ')).toMatch(/no samples\.ndjson\.gz.*weaker/);
    const ttft = same.rules.find((r) => r.metric === 'ttft_ms')!;
    expect(ttft.test.evidence).toBe('histogram');
    expect(ttft.reason).toMatch(/HDR histograms \(no samples: weaker\)/);
    const slower = evaluateGate({ config: config('mann-whitney'), ...pair(7, 1.2, true) });
    expect(slower.rules.find((r) => r.metric === 'ttft_ms')!.status).toBe('fail');
    expect(slower.rules.find((r) => r.metric === 'ttft_ms')!.test.method).toBe('bootstrap');
  });

  it('skips the regression rules without a baseline and still judges thresholds', () => {
    const { current } = pair(9, 1);
    const cfg = parseGateConfig({ thresholds: { ttft_ms: ['p(95)<1'] } }, 't');
    const result = evaluateGate({ config: cfg, current, baseline: null });
    expect(result.rules.length).toBeGreaterThan(0);
    expect(result.rules.every((r) => r.status === 'skipped' && r.ok)).toBe(true);
    expect(result.thresholds).toHaveLength(1);
    expect(result.thresholds[0]).toMatchObject({ origin: 'gate', ok: false });
    expect(result.ok).toBe(false);
    expect(result.warnings[0]).toMatch(/No baseline/);
  });

  it('gives the same verdicts for the same seed', () => {
    const inputs = { config: config('bootstrap'), ...pair(13, 1.1) };
    expect(evaluateGate(inputs)).toEqual(evaluateGate(inputs));
  });
});
