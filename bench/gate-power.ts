// How often the gate false-fails two runs of one build, and how often it catches a 20% slowdown
// (p95 TTFT rule, +10% allowance), over 30 seed pairs per size. Run: node --import tsx bench/gate-power.ts
import { makeSamples, recordRun } from '../test/reports/factories.ts';
import { parseGateConfig } from '../reports/gate/config.ts';
import { evaluateGate } from '../reports/gate/evaluate.ts';
import { trendsFromSamples, TREND_METRICS } from '../reports/gate/metric-data.ts';
import type { RequestSample } from '../harness/results/schema.ts';
function rd(samples: RequestSample[], source: string) {
  const { summary } = recordRun(samples, { thresholds: {} });
  return {
    source,
    summary,
    evidence: 'samples' as const,
    trends: trendsFromSamples(samples, summary, TREND_METRICS),
  };
}
for (const count of [500, 1000, 3000])
  for (const method of ['bootstrap', 'mann-whitney'] as const) {
    const cfg = parseGateConfig(
      {
        statistics: { method, iterations: 1000 },
        rules: [{ metric: 'ttft_ms', stat: 'p(95)', maxIncreasePct: 10 }],
      },
      't',
    );
    let falseFail = 0,
      detect = 0;
    const N = 30;
    for (let s = 1; s <= N; s++) {
      const shape = { count, ratePerSec: 50 };
      const b = rd(makeSamples({ ...shape, seed: s }), 'b');
      if (
        evaluateGate({ config: cfg, baseline: b, current: rd(makeSamples({ ...shape, seed: s + 500 }), 'c') })
          .rules[0]!.status === 'fail'
      )
        falseFail++;
      if (
        evaluateGate({
          config: cfg,
          baseline: b,
          current: rd(makeSamples({ ...shape, seed: s + 900, slowdown: 1.2 }), 'c'),
        }).rules[0]!.status === 'fail'
      )
        detect++;
    }
    console.log(`n=${count} ${method}: false fails ${falseFail}/${N}, 20% slowdown detected ${detect}/${N}`);
  }
