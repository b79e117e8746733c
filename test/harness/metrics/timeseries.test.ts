import { describe, expect, it } from 'vitest';
import { requestMetrics } from '../../../harness/metrics/request-metrics.ts';
import { TimeseriesBuilder, nearestRank } from '../../../harness/metrics/timeseries.ts';
import type { RequestSample } from '../../../harness/results/schema.ts';
import { expectHdr, makeFailure, makeSample } from './factories.ts';

function add(builder: TimeseriesBuilder, sample: RequestSample): void {
  builder.addSample(sample, requestMetrics(sample, undefined));
}

describe('nearestRank', () => {
  it('takes the value at rank ceil(p/100 x n)', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(nearestRank(v, 50)).toBe(5);
    expect(nearestRank(v, 95)).toBe(10);
    expect(nearestRank(v, 0)).toBe(1);
    expect(nearestRank([], 50)).toBeNull();
  });

  it('takes the last value at p100 and the only value of a single-element list', () => {
    expect(nearestRank([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(nearestRank([1, 2, 3, 4, 5], 100)).toBe(5);
    expect(nearestRank([7], 95)).toBe(7);
  });
});

describe('TimeseriesBuilder', () => {
  it('buckets offered requests by scheduled time and outcomes by end time', () => {
    const b = new TimeseriesBuilder();
    add(
      b,
      makeSample({
        scheduledAtMs: 900,
        sentAtMs: 900,
        firstTokenMs: 1000,
        tokenGapsMs: [],
        endMs: 1100,
        outputTokens: 1,
      }),
    );
    add(b, makeFailure(1200));
    add(
      b,
      makeSample({ scheduledAtMs: 1500, sentAtMs: 1500, firstTokenMs: 1600, endMs: 2500, degraded: true }),
    );
    b.addDropped(2999, 3);
    const { points, intervalSec } = b.build(3000);
    expect(intervalSec).toBe(1);
    expect(
      points.map((p) => [p.tSec, p.requests, p.completed, p.failed, p.degraded, p.dropped, p.outputTokens]),
    ).toEqual([
      [0, 1, 0, 0, 0, 0, 0],
      [1, 2, 1, 1, 0, 0, 1],
      [2, 0, 1, 0, 1, 3, 5],
    ]);
  });

  it('reports the mean number in flight per second from each request send-to-end overlap', () => {
    const b = new TimeseriesBuilder();
    add(b, makeSample({ scheduledAtMs: 500, sentAtMs: 500, firstTokenMs: 600, endMs: 2500 }));
    add(b, makeSample({ scheduledAtMs: 1000, sentAtMs: 1000, firstTokenMs: 1100, endMs: 1250 }));
    const { points } = b.build(3000);
    expect(points.map((p) => p.inFlight)).toEqual([0.5, 1.25, 0.5]);
  });

  it('computes exact per-second percentiles of TTFT and E2E, and HDR ones of ITL', () => {
    const b = new TimeseriesBuilder();
    for (let i = 1; i <= 20; i++) {
      add(
        b,
        makeSample({ scheduledAtMs: 0, sentAtMs: 0, firstTokenMs: i * 10, tokenGapsMs: [i], endMs: 500 + i }),
      );
    }
    const [p] = b.build(1000).points;
    expect(p).toMatchObject({ ttftP50Ms: 100, ttftP95Ms: 190, e2eP95Ms: 519 });
    expectHdr(p!.itlP95Ms, 19);
  });

  it('leaves percentiles null in seconds where nothing completed', () => {
    const b = new TimeseriesBuilder();
    add(b, makeFailure(100));
    expect(b.build(1000).points[0]).toMatchObject({
      ttftP50Ms: null,
      e2eP95Ms: null,
      itlP95Ms: null,
      failed: 1,
    });
  });

  it('keeps the last scrape of each second and null where none came', () => {
    const b = new TimeseriesBuilder();
    b.addScrape(100, { queueSize: 1, batchSize: 2, agentInFlight: 3, breakerOpen: 0 });
    b.addScrape(900, { queueSize: 4, batchSize: 5, agentInFlight: 6, breakerOpen: 1 });
    const { points } = b.build(2000);
    expect(points[0]!.server).toEqual({ queueSize: 4, batchSize: 5, agentInFlight: 6, breakerOpen: 1 });
    expect(points[1]!.server).toEqual({
      queueSize: null,
      batchSize: null,
      agentInFlight: null,
      breakerOpen: null,
    });
  });

  it('still counts a sample that ends further back than the grace window, outside the percentiles', () => {
    const b = new TimeseriesBuilder(2);
    add(b, makeSample({ scheduledAtMs: 0, sentAtMs: 0, firstTokenMs: 100, endMs: 200 }));
    add(b, makeSample({ scheduledAtMs: 9000, sentAtMs: 9000, firstTokenMs: 9100, endMs: 9200 }));
    add(b, makeSample({ scheduledAtMs: 0, sentAtMs: 0, firstTokenMs: 700, endMs: 800 }));
    const { points } = b.build(10_000);
    expect(points[0]).toMatchObject({ completed: 2, ttftP95Ms: 100 });
    expect(b.lateSamples).toBe(1);
  });

  it('sorts annotations by time', () => {
    const b = new TimeseriesBuilder();
    b.annotate(2500, 'kill model-1');
    b.annotate(1000, 'phase: outage');
    expect(b.build(3000).annotations).toEqual([
      { tSec: 1, label: 'phase: outage' },
      { tSec: 2.5, label: 'kill model-1' },
    ]);
  });
});
