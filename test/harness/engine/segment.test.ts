import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutorConfig, RampingVusConfig } from '../../../harness/config/executor-schema.ts';
import { parseScenario } from '../../../harness/config/scenario-schema.ts';
import { InvalidConfigError } from '../../../harness/errors.ts';
import { launch } from '../../../harness/engine/launch.ts';
import { externalTarget } from '../../../harness/engine/stack-session.ts';
import { mergeResults } from '../../../harness/results/merge.ts';
import { readSamples } from '../../../harness/results/read.ts';
import type { ModelServerHandle } from '../../../reference-service/model-server/index.ts';
import { startTestServer } from '../../reference-service/model-server/helpers.ts';
import { rampingVusSteps } from '../../../harness/engine/executors/ramping-vus.ts';
import {
  executionSegment,
  includes,
  parseFraction,
  scaleCount,
  segmentExecutorConfig,
  segmentScenario,
  stripe,
  type SegmentPlan,
} from '../../../harness/engine/segment.ts';

/** Every part of a sequence given as cut points, e.g. [0, 1/3, 1]. */
function partsOf(points: string[]): SegmentPlan[] {
  const sequence = points.join(',');
  return points.slice(1).map((to, i) => executionSegment(`${points[i]}:${to}`, sequence)!);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('parseFraction', () => {
  it('reads fractions, decimals and percentages into lowest terms', () => {
    expect(parseFraction('2/4')).toEqual({ num: 1, den: 2 });
    expect(parseFraction('0.25')).toEqual({ num: 1, den: 4 });
    expect(parseFraction('75%')).toEqual({ num: 3, den: 4 });
    expect(parseFraction('1')).toEqual({ num: 1, den: 1 });
    expect(parseFraction('half')).toBeNull();
    expect(parseFraction('1/0')).toBeNull();
  });
});

describe('executionSegment', () => {
  it('is null for the whole run', () => {
    expect(executionSegment()).toBeNull();
    expect(executionSegment('0:1')).toBeNull();
  });

  it('fills the sequence around a lone segment the way k6 does', () => {
    const plan = executionSegment('1/4:1/2')!;
    expect(plan.sequence).toBe('0,1/4,1/2,1');
    expect(plan.index).toBe(1);
    expect(plan.first).toBe(false);
    expect(executionSegment('1/2')!.segment).toBe('0:1/2');
  });

  it("stripes iterations as in k6's documented example (0:1/2, 1/2:3/4, 3/4:1)", () => {
    const [a, b, c] = partsOf(['0', '1/2', '3/4', '1']);
    const mine = (p: SegmentPlan) => range(12).filter((i) => includes(p, i));
    expect(mine(a!)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(mine(b!)).toEqual([1, 5, 9]);
    expect(mine(c!)).toEqual([3, 7, 11]);
  });

  it("scales integers as k6's ScaleInt64 table does", () => {
    const [a, b, c] = partsOf(['0', '1/2', '3/4', '1']);
    const values = range(12).map((i) => i + 1);
    expect(values.map((v) => scaleCount(a!, v))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    expect(values.map((v) => scaleCount(b!, v))).toEqual([0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3]);
    expect(values.map((v) => scaleCount(c!, v))).toEqual([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3]);
  });

  it('gives every item to exactly one part and shares of any count sum to it, for any sequence', () => {
    const cuts = fc
      .uniqueArray(fc.integer({ min: 1, max: 11 }), { maxLength: 5 })
      .map((xs) => ['0', ...xs.sort((x, y) => x - y).map((x) => `${x}/12`), '1']);
    fc.assert(
      fc.property(cuts, fc.integer({ min: 0, max: 200 }), (points, n) => {
        const parts = partsOf(points);
        const owners = range(60).map((i) => parts.filter((p) => includes(p, i)).length);
        expect(owners.every((k) => k === 1)).toBe(true);
        expect(parts.reduce((sum, p) => sum + scaleCount(p, n), 0)).toBe(n);
        const striped = parts.flatMap((p) => [...stripe(range(40), p)]).sort((x, y) => x - y);
        expect(striped).toEqual(range(40));
      }),
    );
  });

  it('rejects bad segments, listing how to write one', () => {
    expect(() => executionSegment('1/2:1/4')).toThrow(/start must be below the end/);
    expect(() => executionSegment('0:3/2')).toThrow(/at most 1/);
    expect(() => executionSegment('a:b')).toThrow(InvalidConfigError);
    expect(() => executionSegment('0:1/3', '0,1/2,1')).toThrow(/not one of the parts/);
    expect(() => executionSegment('0:1/2', '0')).toThrow(/at least 2 points/);
  });
});

describe('segmentExecutorConfig', () => {
  const rampingVus = (): RampingVusConfig => ({
    executor: 'ramping-vus',
    startTimeMs: 0,
    gracefulStopMs: 1000,
    gracefulRampDownMs: 1000,
    startVUs: 1,
    stages: [
      { durationMs: 10_000, target: 10 },
      { durationMs: 5_000, target: 10 },
      { durationMs: 0, target: 3 },
      { durationMs: 6_000, target: 0 },
    ],
  });

  const vusAt = (c: RampingVusConfig, tMs: number): number => {
    let vus = 0;
    for (const s of rampingVusSteps(c.startVUs, c.stages)) if (s.atMs <= tMs) vus = s.vus;
    return vus;
  };

  it("keeps each ramping-vus segment at its share of the whole run's VUs at every moment", () => {
    const whole = rampingVus();
    const parts = partsOf(['0', '1/3', '1']).map((p) => segmentExecutorConfig(whole, p) as RampingVusConfig);
    for (let tMs = 0; tMs <= 21_000; tMs += 250) {
      expect(parts.reduce((sum, c) => sum + vusAt(c, tMs), 0)).toBe(vusAt(whole, tMs));
    }
    for (const c of parts) expect(c.stages.reduce((a, s) => a + s.durationMs, 0)).toBe(21_000);
  });

  it('scales the VUs of open and closed models, never the arrival rate', () => {
    const open: ExecutorConfig = {
      executor: 'constant-arrival-rate',
      startTimeMs: 0,
      gracefulStopMs: 0,
      ratePerSec: 10,
      durationMs: 1000,
      preAllocatedVUs: 5,
      maxVUs: 9,
      lateToleranceMs: 500,
    };
    const half = executionSegment('1/2:1')!;
    expect(segmentExecutorConfig(open, half)).toMatchObject({
      ratePerSec: 10,
      preAllocatedVUs: 2,
      maxVUs: 4,
    });
    const closed: ExecutorConfig = {
      executor: 'constant-vus',
      startTimeMs: 0,
      gracefulStopMs: 0,
      vus: 3,
      durationMs: 1000,
    };
    expect(segmentExecutorConfig(closed, half)).toMatchObject({ vus: 1 });
  });
});

describe('segmentScenario', () => {
  const scenario = parseScenario({
    name: 'split',
    executors: { main: { executor: 'constant-vus', vus: 4, duration: '5s' } },
    faults: [{ action: 'kill', component: 'model-0', at: '2s' }],
  });

  it('runs the fault timeline only in the segment that starts at 0', () => {
    const [first, second] = partsOf(['0', '1/2', '1']);
    expect(segmentScenario(scenario, first!).faults).toHaveLength(1);
    expect(segmentScenario(scenario, second!).faults).toHaveLength(0);
    expect(segmentScenario(scenario, null)).toBe(scenario);
  });
});

describe('a split run', () => {
  const scenario = parseScenario({
    name: 'split-check',
    seed: 11,
    executors: {
      turns: { executor: 'constant-arrival-rate', rate: 15, duration: '2s', preAllocatedVUs: 8, maxVUs: 40 },
      sessions: {
        executor: 'session-arrivals',
        rate: 4,
        duration: '2s',
        preAllocatedVUs: 8,
        maxVUs: 40,
        gracefulStop: '5s',
      },
    },
    workload: {
      target: 'openai-chat',
      maxTokens: { kind: 'fixed', value: 6 },
      inputTokens: { kind: 'fixed', value: 12 },
      // One turn per conversation: every due time then comes from a schedule, none from the clock.
      turnsPerSession: { kind: 'fixed', value: 1 },
      toolFraction: 0,
    },
    ledger: false,
  });
  let server: ModelServerHandle;
  let out: string;
  beforeAll(async () => {
    server = await startTestServer({ perf: { stepMs: 2 } });
    out = await mkdtemp(join(tmpdir(), 'agentload-split-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(out, { recursive: true, force: true });
  });

  const runPart = (segment: SegmentPlan | null, root: string) =>
    launch({
      scenario,
      segment,
      target: externalTarget(server.url, null),
      outRoot: join(out, root),
      quiet: true,
      tty: false,
      signal: new AbortController().signal,
      write: () => {},
      version: 'test',
    });

  const schedule = async (dir: string): Promise<number[]> => {
    const due: number[] = [];
    for await (const s of readSamples(dir)) due.push(s.scheduledAtMs);
    return due.sort((a, b) => a - b);
  };

  it('shares the load exactly between two segments, and merges to what one process measures', async () => {
    const single = await runPart(null, 'single');
    const [a, b] = partsOf(['0', '1/2', '1']);
    const parts = await Promise.all([runPart(a!, 'a'), runPart(b!, 'b')]);
    const merged = await mergeResults(
      parts.map((p) => p.dir),
      {},
    );
    const s = single.outcome.summary;
    const m = merged.summary;
    expect(s.counts.failed).toBe(0);
    expect(m.counts.failed).toBe(0);
    expect(parts.map((p) => p.outcome.summary.run.segment)).toEqual(['0:1/2', '1/2:1']);
    // 30 turn iterations and the seeded Poisson sessions (about 8), shared between the parts.
    expect(s.counts.requests).toBeGreaterThan(33);
    expect(m.counts.requests).toBe(s.counts.requests);
    const partCounts = parts.map((p) => p.outcome.summary.counts.requests);
    expect(Math.abs(partCounts[0]! - partCounts[1]!)).toBeLessThanOrEqual(2);
    expect(m.counts.outputTokens).toBe(s.counts.outputTokens);
    expect(m.metrics.e2eMs.stats.count).toBe(s.metrics.e2eMs.stats.count);
    expect(m.metrics.itlMs.stats.count).toBe(s.metrics.itlMs.stats.count);
    // The union of the parts' due times is the single run's schedule, slot for slot.
    const union = [...(await schedule(parts[0]!.dir)), ...(await schedule(parts[1]!.dir))];
    expect(union.sort((x, y) => x - y)).toEqual(await schedule(single.dir));
    // Rates divide by the run's length, which includes draining the last streams: on a loaded
    // machine that tail differs run to run, hence the wide band (the counts above are exact).
    expect(Math.abs(m.rates.requestsPerSec / s.rates.requestsPerSec - 1)).toBeLessThan(0.35);
    for (const key of ['ttftMs', 'e2eMs'] as const) {
      const [mp, sp] = [m.metrics[key].stats.p50, s.metrics[key].stats.p50];
      expect(Math.abs(mp - sp)).toBeLessThan(Math.max(sp, 25));
    }
  });
});
