/**
 * How often the gate false-fails two runs of one build, and how often it catches a 20% slowdown
 * (p95 TTFT rule, +10% allowance), over 30 seed pairs per size and method.
 *
 *   node --import tsx bench/gate-power.ts     (about 30 s of CPU)
 */
import { makeSamples, recordRun } from '../test/reports/factories.ts';
import { parseGateConfig } from '../reports/gate/config.ts';
import { evaluateGate } from '../reports/gate/evaluate.ts';
import { trendsFromSamples, TREND_METRICS } from '../reports/gate/metric-data.ts';
import type { RequestSample } from '../harness/results/schema.ts';

const SEED_PAIRS = 30;

function runData(samples: RequestSample[], source: string) {
  const { summary } = recordRun(samples, { thresholds: {} });
  return {
    source,
    summary,
    evidence: 'samples' as const,
    trends: trendsFromSamples(samples, summary, TREND_METRICS),
  };
}

for (const count of [500, 1000, 3000]) {
  for (const method of ['bootstrap', 'mann-whitney'] as const) {
    const config = parseGateConfig(
      {
        statistics: { method, iterations: 1000 },
        rules: [{ metric: 'ttft_ms', stat: 'p(95)', maxIncreasePct: 10 }],
      },
      't',
    );
    let falseFails = 0;
    let detected = 0;
    for (let seed = 1; seed <= SEED_PAIRS; seed++) {
      const shape = { count, ratePerSec: 50 };
      const baseline = runData(makeSamples({ ...shape, seed }), 'b');
      const fails = (samples: RequestSample[]): boolean =>
        evaluateGate({ config, baseline, current: runData(samples, 'c') }).rules[0]!.status === 'fail';
      if (fails(makeSamples({ ...shape, seed: seed + 500 }))) falseFails++;
      if (fails(makeSamples({ ...shape, seed: seed + 900, slowdown: 1.2 }))) detected++;
    }
    console.log(
      `n=${count} ${method}: false fails ${falseFails}/${SEED_PAIRS}, 20% slowdown detected ${detected}/${SEED_PAIRS}`,
    );
  }
}
