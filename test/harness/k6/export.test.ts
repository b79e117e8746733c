import { copyFile, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../../harness/config/scenario-schema.ts';
import { exportK6Script, K6_TARGET, type ExportedScript } from '../../../harness/k6/export.ts';
import { k6OptionsSchema } from '../../../harness/k6/options-schema.ts';
import { scenarios } from '../../../scenarios/index.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const TREND_METRICS = ['ttft_ms', 'first_byte_ms', 'itl_ms', 'tpot_ms', 'e2e_ms'];

/** The options object as written into the script text (not the one export returned). */
function optionsInScript(script: string): unknown {
  const m = /^export const options = (\{[\s\S]*?\n\});$/m.exec(script);
  if (!m) throw new Error('no options object in the script');
  return JSON.parse(m[1]!);
}

describe('exportK6Script for every shipped scenario', () => {
  const exported = new Map<string, ExportedScript>();
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agentload-k6-'));
    for (const [name, input] of Object.entries(scenarios)) {
      const result = await exportK6Script(parseScenario(input), { version: 'test' });
      exported.set(name, result);
      await writeFile(join(dir, `${name}.k6.js`), result.script);
    }
    await copyFile(join(ROOT, 'harness/k6/xk6-sse.d.ts'), join(dir, 'xk6-sse.d.ts'));
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('type-checks every script against @types/k6 and the xk6-sse declaration', () => {
    const files = [...exported.keys()].map((n) => join(dir, `${n}.k6.js`));
    const program = ts.createProgram([...files, join(dir, 'xk6-sse.d.ts')], {
      allowJs: true,
      checkJs: true,
      noEmit: true,
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: ['k6'],
      lib: ['lib.es2022.d.ts'],
      skipLibCheck: true,
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(problems).toEqual([]);
    expect(program.getSourceFiles().some((f) => f.fileName.includes('@types/k6/metrics'))).toBe(true);
  });

  it("writes options that k6's executor and threshold rules accept", () => {
    expect([...exported.keys()].sort()).toEqual(Object.keys(scenarios).sort());
    for (const [name, { script }] of exported) {
      const parsed = k6OptionsSchema.safeParse(optionsInScript(script));
      expect(parsed.success ? [] : [name, parsed.error.issues]).toEqual([]);
    }
  });

  it('states the k6 and xk6-sse versions and how to build that k6', () => {
    const { script } = exported.get('smoke')!;
    expect(script).toContain(`k6 ${K6_TARGET.k6} with the xk6-sse extension ${K6_TARGET.xk6Sse}`);
    expect(script).toContain(
      `xk6 build ${K6_TARGET.k6} --with github.com/phymbert/xk6-sse@${K6_TARGET.xk6Sse}`,
    );
  });

  it('declares the docs/metrics.md metrics under their names', () => {
    const { script } = exported.get('steady-state')!;
    for (const name of TREND_METRICS) expect(script).toContain(`new Trend('${name}', true)`);
    expect(script).toContain("new Rate('http_req_failed')");
    expect(script).toContain("new Counter('output_tokens')");
  });

  it('leaves the fault timeline out and says so', () => {
    const { script, options } = exported.get('outage-model')!;
    expect(script).toMatch(/cannot be driven from k6; they are left out/);
    expect(JSON.stringify(options)).not.toMatch(/kill|restart/);
    expect(exported.get('smoke')!.script).not.toMatch(/Fault timeline/);
  });

  it("sizes arrival-rate VUs by Little's law: rate x seconds per iteration x safety factor", () => {
    // smoke: 1/s x 8 s (slo.e2eMs) x 1.5 = 12 VUs.
    expect(exported.get('smoke')!.options.scenarios['smoke']).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 1,
      timeUnit: '1s',
      preAllocatedVUs: 12,
      maxVUs: 16,
    });
    // steady-state: sessions of 3 turns x 10 s plus 2 think times of ~1.08 s, at 0.7/s (7 per 10s), x 1.5.
    expect(exported.get('steady-state')!.options.scenarios['sessions']).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 7,
      timeUnit: '10s',
      preAllocatedVUs: 34,
      exec: 'session',
    });
  });

  it('keeps the start rate and stages of a ramping scenario (whole iterations per second here)', () => {
    const input = scenarios.peak.executors['peak'] as { startRate: number; stages: object[] };
    const peak = exported.get('peak')!.options.scenarios['peak'];
    expect(peak).toMatchObject({
      executor: 'ramping-arrival-rate',
      timeUnit: '1s',
      startRate: input.startRate,
    });
    expect(peak && 'stages' in peak ? peak.stages : []).toEqual(input.stages);
  });
});

describe('exportK6Script thresholds', () => {
  it('carries k6-measurable thresholds and renames the run-level gauges to counter rates', async () => {
    const scenario = parseScenario({
      name: 'gauges',
      executors: {
        closed: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '5s', target: 3 }] },
      },
      thresholds: {
        e2e_ms: [{ threshold: 'p(99)<9000', abortOnFail: true, delayAbortEval: '10s' }],
        output_tokens_per_sec: ['value>5'],
        goodput_per_sec: ['value>=1'],
        turns_lost: ['count<1'],
        schedule_lag_ms: ['p(99)<50'],
      },
    });
    const { options, notes } = await exportK6Script(scenario, {});
    expect(options.thresholds).toEqual({
      e2e_ms: [{ threshold: 'p(99)<9000', abortOnFail: true, delayAbortEval: '10s' }],
      output_tokens: ['rate>5'],
      good_requests: ['rate>=1'],
    });
    expect(options.scenarios['closed']).toMatchObject({ executor: 'ramping-vus', startVUs: 0, exec: 'turn' });
    expect(notes.join('\n')).toMatch(/turns_lost count<1 left out/);
    expect(notes.join('\n')).toMatch(/schedule_lag_ms p\(99\)<50 left out/);
  });
});

describe('exportK6Script workload', () => {
  it('keeps a sub-second request timeout instead of rounding it to "0s"', async () => {
    const scenario = parseScenario({
      name: 'short-timeout',
      executors: { closed: { executor: 'constant-vus', vus: 1, duration: '5s' } },
      workload: { requestTimeout: '400ms' },
    });
    const { script } = await exportK6Script(scenario, {});
    expect(script).toMatch(/"requestTimeout": "400ms"/);
  });
});

describe('k6OptionsSchema', () => {
  const base = { executor: 'constant-arrival-rate', rate: 2, duration: '10s', preAllocatedVUs: 4 };

  it("rejects what k6's validation rejects", () => {
    const bad = (scenario: object) => k6OptionsSchema.safeParse({ scenarios: { s: scenario } }).success;
    expect(bad(base)).toBe(true);
    expect(bad({ ...base, maxVUs: 2 })).toBe(false);
    expect(bad({ ...base, rate: 0.5 })).toBe(false);
    expect(bad({ ...base, duration: '500ms' })).toBe(false);
    expect(bad({ ...base, preAllocatedVUs: undefined })).toBe(false);
    expect(bad({ executor: 'constant-vus', vus: 2 })).toBe(false);
    expect(bad({ executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '5s', target: 0 }] })).toBe(
      false,
    );
    expect(bad({ executor: 'shared-iterations', vus: 5, iterations: 2 })).toBe(false);
    expect(bad({ executor: 'externally-controlled', vus: 1, duration: '10s' })).toBe(false);
    expect(k6OptionsSchema.safeParse({ scenarios: { 'a b': base } }).success).toBe(false);
    expect(
      k6OptionsSchema.safeParse({ scenarios: { s: base }, thresholds: { ttft_ms: ['p95 < 1'] } }).success,
    ).toBe(false);
  });
});
