import { describe, expect, it } from 'vitest';
import { runClosedLoop } from '../../../../reference-service/model-server/calibration/closed-loop.ts';
import {
  lengthSequence,
  lognormalQuantile,
  vanDerCorput,
} from '../../../../reference-service/model-server/calibration/lengths.ts';
import { createPerfModel } from '../../../../reference-service/model-server/perf-model.ts';
import type { PerfModel, StepInput } from '../../../../reference-service/model-server/perf-types.ts';
import { loadProfile } from '../../../../reference-service/model-server/profiles.ts';

const h100 = createPerfModel(loadProfile('llama-3.1-8b@h100'));

/** A model with a tiny KV cache and a constant 10 ms step, to make queueing easy to see. */
function toyModel(kvCapacityTokens: number, steps: StepInput[] = []): PerfModel {
  return {
    ...h100,
    kvCapacityTokens,
    maxBatchPrefillTokens: 1000,
    stepMs: (input) => {
      steps.push(input);
      return 10;
    },
  };
}

describe('runClosedLoop', () => {
  it('gives one request alone a prefill step for TTFT, then one decode step per further token', () => {
    const steps: StepInput[] = [];
    const r = runClosedLoop({
      model: toyModel(10_000, steps),
      concurrency: 1,
      lengths: lengthSequence(100, 5, 0),
      totalRequests: 1,
      warmupRequests: 0,
    });
    expect(r.meanTtftMs).toBe(10);
    expect(r.meanItlMs).toBe(10);
    expect(r.makespanMs).toBe(50);
    expect(steps[0]).toMatchObject({ decodeSeqs: 0, prefillTokens: 100 });
    expect(steps.slice(1).map((s) => s.decodeContextTokens)).toEqual([101, 102, 103, 104]);
  });

  it('chunks a prompt larger than the prefill budget over several steps', () => {
    const steps: StepInput[] = [];
    runClosedLoop({
      model: toyModel(10_000, steps),
      concurrency: 1,
      lengths: lengthSequence(2500, 2, 0),
      totalRequests: 1,
      warmupRequests: 0,
    });
    expect(steps.map((s) => s.prefillTokens)).toEqual([1000, 1000, 500, 0]);
    expect(steps.map((s) => s.prefillContextTokens)).toEqual([0, 1000, 2000, 0]);
  });

  it('queues requests the KV cache cannot hold, so TTFT grows with concurrency past that point', () => {
    const lengths = lengthSequence(100, 100, 0);
    const run = (concurrency: number) =>
      runClosedLoop({
        model: toyModel(2000, []),
        concurrency,
        lengths,
        totalRequests: concurrency * 4,
        warmupRequests: concurrency,
        staggerMs: 1000,
      });
    // 2000 tokens hold 10 requests of 200 tokens.
    expect(run(10).meanTtftMs).toBeLessThan(30);
    expect(run(40).meanTtftMs).toBeGreaterThan(1000);
    expect(run(40).outputTokensPerSec).toBeCloseTo(run(10).outputTokensPerSec, -1);
  });

  it('raises throughput with concurrency on a real profile while the GPU is memory-bound', () => {
    const lengths = lengthSequence(200, 200, 0);
    const at = (concurrency: number) =>
      runClosedLoop({
        model: h100,
        concurrency,
        lengths,
        totalRequests: concurrency * 3,
        warmupRequests: concurrency,
        staggerMs: 1600,
      }).outputTokensPerSec;
    expect(at(8)).toBeGreaterThan(4 * at(1));
    expect(at(64)).toBeGreaterThan(at(8));
  });

  it('reports unfinished instead of looping when one request exceeds the KV cache', () => {
    const r = runClosedLoop({
      model: toyModel(100, []),
      concurrency: 1,
      lengths: lengthSequence(90, 20, 0),
      totalRequests: 1,
      warmupRequests: 0,
    });
    expect(r.finished).toBe(false);
    expect(r.completed).toBe(0);
  });
});

describe('lengths', () => {
  it('spreads requests over the distribution with a van der Corput sequence', () => {
    expect([1, 2, 3, 4].map((i) => vanDerCorput(i, 2))).toEqual([0.5, 0.25, 0.75, 0.125]);
    expect(vanDerCorput(1, 3)).toBeCloseTo(1 / 3, 12);
  });

  it('keeps the requested mean for lognormal lengths', () => {
    const next = lengthSequence(202, 179, 0.8);
    const outputs = Array.from({ length: 4096 }, (_, i) => next(i).outputTokens);
    const mean = outputs.reduce((a, b) => a + b, 0) / outputs.length;
    expect(Math.abs(mean / 179 - 1)).toBeLessThan(0.03);
    expect(lognormalQuantile(179, 0.8, 0.5)).toBeCloseTo(179 / Math.exp(0.32), 6);
  });
});
