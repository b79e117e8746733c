import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../../../harness/errors.ts';
import { compareAnchor } from '../../../../reference-service/model-server/calibration/compare.ts';
import {
  decodePoints,
  gpuBoundAnchor,
  loadGpuMeasurements,
  MEASURED_DIR,
  mixedPoints,
  MEASURED_SUFFIX,
  parseGpuMeasurement,
  prefillPoints,
} from '../../../../reference-service/model-server/calibration/gpu-measurements.ts';
import { weightBytes, kvBytesPerToken } from '../../../../reference-service/model-server/perf-model.ts';
import { loadProfile } from '../../../../reference-service/model-server/profiles.ts';

const measurements = loadGpuMeasurements();

function stored(profile: string): unknown {
  return JSON.parse(readFileSync(join(MEASURED_DIR, `${profile}${MEASURED_SUFFIX}`), 'utf8')) as unknown;
}

function issuesOf(fn: () => unknown): { code: string; paths: string[]; message: string; hint: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    const e = error as InvalidConfigError;
    return { code: e.code, paths: e.issues.map((i) => i.path), message: e.message, hint: e.hint ?? '' };
  }
  throw new Error('expected an InvalidConfigError');
}

describe('stored GPU measurements (bench/gpu/llama-eager.py)', () => {
  it('holds one file per measured card, each with every prefill length and a decode grid', () => {
    expect(measurements.map((m) => m.profile)).toEqual(['llama-3.1-8b@h100', 'llama-3.1-8b@h200']);
    for (const m of measurements) {
      expect(prefillPoints(m.data).map((p) => p.tokens)).toEqual([128, 256, 512, 1024, 2048, 4096]);
      const graphed = decodePoints(m.data).filter((d) => d.graphMs !== undefined);
      expect(graphed.length).toBeGreaterThanOrEqual(23);
      expect(m.data.transformersCheck.logitsCosineMin).toBeGreaterThan(0.99);
      expect(mixedPoints(m.data)).toHaveLength(9);
      expect(m.data.selfCheck.mixedVsPartsCosine).toBeGreaterThan(0.99);
    }
  });

  it('never does a mixed step faster than either of its parts alone', () => {
    for (const m of measurements)
      for (const p of mixedPoints(m.data))
        expect({
          point: p,
          slowerThanParts: p.mixedMs >= Math.max(p.decodeOnlyMs, p.prefillOnlyMs),
        }).toMatchObject({
          slowerThanParts: true,
        });
  });

  it('never beats the card: each time is at least the bytes over the measured copy rate and the FLOPs over the matmul rate', () => {
    for (const m of measurements) {
      const profile = loadProfile(m.profile);
      const { copyGBps, bf16MatmulTflops } = m.data.ceilings;
      for (const d of decodePoints(m.data)) {
        const bytes = weightBytes(profile) + d.batch * d.contextTokens * kvBytesPerToken(profile.model);
        const floorMs = (bytes / (copyGBps * 1e9)) * 1e3;
        expect({
          point: d,
          atLeastFloor: Math.min(d.eagerMs, d.graphMs ?? Infinity) >= floorMs,
        }).toMatchObject({
          atLeastFloor: true,
        });
        // A graph replays the same kernels without launch gaps: never much slower than eager.
        if (d.graphMs !== undefined) expect(d.graphMs).toBeLessThanOrEqual(d.eagerMs * 1.05);
      }
      for (const p of prefillPoints(m.data)) {
        const floorMs = ((2 * profile.model.paramsB * 1e9 * p.tokens) / (bf16MatmulTflops * 1e12)) * 1e3;
        expect(p.ms).toBeGreaterThanOrEqual(floorMs);
      }
    }
  });

  it('becomes a bound anchor whose predictions come from the profile', () => {
    const h200 = measurements.find((m) => m.profile === 'llama-3.1-8b@h200')!;
    const anchor = gpuBoundAnchor(h200);
    expect(anchor.role).toBe('bound');
    const graphed = decodePoints(h200.data).filter((d) => d.graphMs !== undefined);
    expect(anchor.metrics).toHaveLength(
      prefillPoints(h200.data).length + graphed.length + mixedPoints(h200.data).length,
    );
    const rows = compareAnchor(anchor);
    expect(rows).toHaveLength(anchor.metrics.length);
    for (const r of rows) {
      expect(r.role).toBe('bound');
      expect(Number.isFinite(r.predicted) && r.predicted > 0).toBe(true);
    }
    const bs1 = rows.find((r) => r.metric === 'decode step bs1 (ctx 128)')!;
    expect(bs1.published).toBe(graphed.find((d) => d.batch === 1 && d.contextTokens === 128)!.graphMs);
    // A mixed step is predicted as one forward: more than its decode part, less than both parts added.
    const mixed = rows.find((r) => r.metric === 'mixed step bs64 (ctx 1024) + prompt 1024 tok')!;
    const decode64 = rows.find((r) => r.metric === 'decode step bs64 (ctx 1024)')!;
    const prefill1k = rows.find((r) => r.metric === 'prefill 1 x 1024 tok')!;
    expect(mixed.predicted).toBeGreaterThan(decode64.predicted);
    expect(mixed.predicted).toBeLessThan(decode64.predicted + prefill1k.predicted);
    // Same figures against a slower card's profile: every prediction grows.
    const onA100 = compareAnchor({ ...anchor, profile: 'llama-3.1-8b@a100-80g' });
    for (const [i, r] of rows.entries()) expect(onA100[i]!.predicted).toBeGreaterThan(r.predicted);
  });
});

describe('parseGpuMeasurement', () => {
  it('refuses a file named after another GPU, model, parameter count or a sharded profile', () => {
    const h200 = stored('llama-3.1-8b@h200');
    const wrongGpu = issuesOf(() => parseGpuMeasurement(h200, 'x.json', 'llama-3.1-8b@h100'));
    expect(wrongGpu.paths).toEqual(['gpu.name']);
    expect(wrongGpu.message).toContain('"NVIDIA H200" is not the profile\'s GPU (h100)');
    expect(wrongGpu.hint).toContain('llama-3.1-8b@h100');
    const wrongModel = issuesOf(() => parseGpuMeasurement(h200, 'x.json', 'llama-3.1-70b@h200-tp2'));
    expect(wrongModel.paths).toEqual(['', 'model', 'paramsB']);
    const sharded = issuesOf(() => parseGpuMeasurement(h200, 'x.json', 'llama-3.1-8b@h200-tp2'));
    expect(sharded.paths).toEqual(['']);
    expect(sharded.message).toContain(
      'the script times one GPU; llama-3.1-8b@h200-tp2 shards the model over 2',
    );
  });

  it('names the missing fields, and refuses a file whose points were all skipped', () => {
    const broken = { ...(stored('llama-3.1-8b@h100') as Record<string, unknown>) };
    delete broken.ceilings;
    broken.schemaVersion = 2;
    const missing = issuesOf(() => parseGpuMeasurement(broken, 'x.json', 'llama-3.1-8b@h100'));
    expect(missing.code).toBe('AL_INVALID_CONFIG');
    expect(missing.paths).toEqual(expect.arrayContaining(['schemaVersion', 'ceilings']));
    expect(missing.hint).toContain('bench/gpu/llama-eager.py');

    const empty = {
      ...(stored('llama-3.1-8b@h100') as Record<string, unknown>),
      prefill: [{ tokens: 128, skipped: 'time budget spent' }],
      decode: [{ batch: 1, contextTokens: 128, skipped: 'time budget spent' }],
    };
    expect(issuesOf(() => parseGpuMeasurement(empty, 'x.json', 'llama-3.1-8b@h100')).paths).toEqual([
      'prefill',
    ]);
  });

  it('says how to name a file that matches no profile', () => {
    const unknown = issuesOf(() =>
      parseGpuMeasurement(stored('llama-3.1-8b@h200'), 'x.json', 'llama-3.1-8b@b200'),
    );
    expect(unknown.message).toContain('no shipped profile "llama-3.1-8b@b200"');
    expect(unknown.hint).toContain(`llama-3.1-8b@h200${MEASURED_SUFFIX}`);
  });
});

describe('loadGpuMeasurements', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads only *.eager-pytorch.json and reports a file that is not JSON', () => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-measured-'));
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    expect(loadGpuMeasurements(dir)).toEqual([]);
    writeFileSync(join(dir, `llama-3.1-8b@h100${MEASURED_SUFFIX}`), '{"schemaVersion": 1,');
    const bad = issuesOf(() => loadGpuMeasurements(dir));
    expect(bad.message).toContain('cannot read as JSON');
    expect(bad.message).toContain(`llama-3.1-8b@h100${MEASURED_SUFFIX}`);
  });
});
