import { describe, expect, it } from 'vitest';
import { sloLine } from '../../../harness/engine/run-report.ts';
import { makeSummary } from '../../reports/summary-factory.ts';

describe('the SLO line of the end-of-run block', () => {
  it('says the SLO was met, target by target, as the report judges it', () => {
    const line = sloLine(
      makeSummary({ slo: { ttftMs: 10_000, e2eMs: 10_000, percentile: 95, maxErrorRate: 0.5 } }),
    );
    expect(line).toBe(
      '  SLO met    ttft_ms p95 386 ms <= 10 s, e2e_ms p95 2.12 s <= 10 s, http_req_failed 1% <= 50%',
    );
  });

  it('says which target was missed and that the report will say FAIL', () => {
    const line = sloLine(makeSummary({ slo: { ttftMs: 1, percentile: 95 } }));
    expect(line).toMatch(
      /^ {2}SLO missed ttft_ms p95 \S+ ms > 1 ms \(the report says FAIL; thresholds set the exit code\)$/,
    );
  });

  it('prints nothing without SLO targets', () => {
    expect(sloLine(makeSummary({ slo: { percentile: 95 } }))).toBeNull();
  });
});
