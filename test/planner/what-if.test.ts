import { describe, expect, it } from 'vitest';
import { createPerfModel } from '../../reference-service/model-server/perf-model.ts';
import { loadProfile } from '../../reference-service/model-server/profiles.ts';
import { resolvePolicy } from '../../planner/policy.ts';
import { sloConstraints } from '../../planner/slo.ts';
import { modelledGoodput, modelledPoint, whatIf, type WhatIfInput } from '../../planner/what-if.ts';

const model = (name: string) => createPerfModel(loadProfile(name));
const constraints = sloConstraints({
  ttft: { percentile: 95, maxMs: 1000 },
  itl: { percentile: 95, maxMs: 60 },
});
const tails = { ttft: 1.8, itl: 1.3, e2e: 1.3 };

function input(overrides: Partial<WhatIfInput> = {}): WhatIfInput {
  return {
    models: ['llama-3.1-8b@h100', 'llama-3.1-8b@a100-80g', 'llama-3.1-8b@l4-tp4'].map(model),
    ratePerSec: 100,
    meanInputTokens: 500,
    meanOutputTokens: 200,
    constraints,
    tails,
    policy: resolvePolicy({ gpuHourUsdByGpu: { h100: 3, 'a100-80g': 1.8 } }),
    arrivalScv: 1,
    serviceScv: 1,
    maxWaitProbability: 0.05,
    measured: null,
    ...overrides,
  };
}

describe('modelledPoint', () => {
  it("applies Little's law to the modelled E2E", () => {
    const p = modelledPoint(model('llama-3.1-8b@h100'), 32, 500, 200);
    expect(p.e2eMs).toBeCloseTo(p.ttftMs + 199 * p.itlMs, 9);
    expect(p.ratePerSec).toBeCloseTo((1000 * 32) / p.e2eMs, 9);
  });
});

describe('modelledGoodput', () => {
  it('stops at the largest concurrency whose tail ITL meets the target', () => {
    const m = model('llama-3.1-8b@a100-80g');
    const found = modelledGoodput(m, 500, 200, constraints, tails)!;
    const next = modelledPoint(m, found.point.concurrency + 1, 500, 200);
    expect(found.point.itlMs * tails.itl).toBeLessThanOrEqual(60);
    expect(next.itlMs * tails.itl > 60 || found.point.concurrency === found.kvLimit).toBe(true);
  });

  it('returns null when one request already misses the SLO', () => {
    // L4 TP1 decodes 8B at ~54 ms a token: x 1.3 tail > 60 ms
    expect(modelledGoodput(model('llama-3.1-8b@l4'), 500, 200, constraints, tails)).toBeNull();
  });
});

describe('whatIf', () => {
  it('needs fewer H100s than A100s for the same demand, and prices each GPU', () => {
    const [h100, a100, l4] = whatIf(input());
    expect(h100!.basis).toBe('modelled');
    expect(h100!.gpus!).toBeLessThan(a100!.gpus!);
    expect(l4!.gpusPerReplica).toBe(4);
    expect(h100!.costPerHourUsd).toBe(h100!.gpus! * 3);
    expect(l4!.costPerHourUsd).toBeNull();
  });

  it('calibrates every row by measured over modelled goodput of the swept profile', () => {
    const raw = whatIf(input());
    const measuredGoodput = raw[0]!.goodputPerReplica! / 2;
    const cal = whatIf(
      input({ measured: { profile: 'llama-3.1-8b@h100', goodputPerReplica: measuredGoodput } }),
    );
    expect(cal[0]!.calibrationFactor).toBeCloseTo(0.5, 12);
    expect(cal[1]!.goodputPerReplica).toBeCloseTo(raw[1]!.goodputPerReplica! / 2, 9);
    expect(cal[1]!.replicas!).toBeGreaterThan(raw[1]!.replicas!);
  });
});
