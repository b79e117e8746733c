import { describe, expect, it } from 'vitest';
import { computeDrift, slopePerSec } from '../../../harness/engine/drift.ts';
import type { Timeseries, TimeseriesPoint } from '../../../harness/results/schema.ts';

function point(tSec: number, ttftP95Ms: number | null): TimeseriesPoint {
  return {
    tSec,
    requests: 1,
    completed: 1,
    failed: 0,
    degraded: 0,
    dropped: 0,
    inFlight: 0,
    outputTokens: 1,
    ttftP50Ms: null,
    ttftP95Ms,
    e2eP95Ms: ttftP95Ms === null ? null : 1000,
    itlP95Ms: null,
    server: { queueSize: null, batchSize: null, agentInFlight: null, breakerOpen: null },
  };
}

describe('drift', () => {
  it('fits least-squares slopes and reports them per minute', () => {
    expect(slopePerSec(Array.from({ length: 20 }, (_, t) => ({ tSec: t, value: 3 * t + 7 })))).toBeCloseTo(
      3,
      9,
    );
    expect(slopePerSec([{ tSec: 1, value: 1 }])).toBeNull();
    const series: Timeseries = {
      schemaVersion: 1,
      intervalSec: 1,
      annotations: [],
      points: Array.from({ length: 60 }, (_, t) => point(t, t % 7 === 0 ? null : 200 + 0.5 * t)),
    };
    const rss = Array.from({ length: 30 }, (_, i) => ({
      tSec: 2 * i,
      value: 100 * 1024 * 1024 + i * 2 * 1024 * 1024,
    }));
    const d = computeDrift(series, rss);
    expect(d.ttftP95MsPerMin).toBeCloseTo(30, 6);
    expect(d.e2eP95MsPerMin).toBeCloseTo(0, 6);
    expect(d.rssMiBPerMin).toBeCloseTo(60, 6);
    expect(d.windowSec).toBe(60);
  });
});
