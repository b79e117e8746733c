import { describe, expect, it } from 'vitest';
import type { SweepStep } from '../../harness/results/schema.ts';
import { sweepTable } from '../../reports/html-tables.ts';
import { buildRunReport } from '../../reports/run-report.ts';
import { loadedOf, makeSummary, metricOf } from './factories.ts';

function step(name: string, extra: Partial<SweepStep>): SweepStep {
  const ms = (median: number) => metricOf([median * 0.8, median, median * 1.2]).stats;
  return {
    name,
    offeredRatePerSec: 10,
    targetConcurrency: null,
    durationSec: 30,
    requests: 300,
    completed: 290,
    failed: 10,
    dropped: 0,
    achievedRatePerSec: 10,
    goodputPerSec: 9.5,
    outputTokensPerSec: 400,
    meanInFlight: 4,
    meanInputTokens: 500,
    meanOutputTokens: 40,
    errorRate: 10 / 300,
    ttftMs: ms(200),
    itlMs: ms(20),
    e2eMs: ms(1000),
    ...extra,
  };
}

describe('sweepTable', () => {
  it("keeps a step's degraded count in its row and says it in the error-rate cell's tooltip", () => {
    const summary = makeSummary({
      steps: [step('rate-10', { degraded: 4 }), step('rate-20', { degraded: 0 }), step('rate-30', {})],
    });
    const report = buildRunReport(loadedOf(summary));
    expect(report.sweep!.steps.map((s) => s.degraded)).toEqual([4, 0, undefined]);
    const html = sweepTable(report);
    expect(html.match(/degraded answers counted as failed/g)).toHaveLength(1);
    expect(html).toContain('title="4 degraded answers counted as failed"');
  });
});
