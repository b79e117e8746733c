import { describe, expect, it } from 'vitest';
import { applyOverrides } from '../../../harness/config/scenario-overrides.ts';
import { loadEndMs, parseScenario } from '../../../harness/config/scenario-schema.ts';
import { InvalidConfigError } from '../../../harness/errors.ts';

const minimal = {
  name: 'mini',
  executors: { main: { executor: 'constant-arrival-rate', rate: 2, duration: '30s', preAllocatedVUs: 4 } },
};

function issuesOf(input: unknown): string[] {
  try {
    parseScenario(input);
  } catch (error) {
    if (error instanceof InvalidConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('parseScenario', () => {
  it('fills k6 defaults, resolves units to ms and per-second rates, and freezes the result', () => {
    const s = parseScenario({
      ...minimal,
      executors: {
        main: {
          executor: 'constant-arrival-rate',
          rate: 30,
          timeUnit: '1m',
          duration: '1m30s',
          preAllocatedVUs: 4,
        },
      },
    });
    expect(s.executors.main).toEqual({
      executor: 'constant-arrival-rate',
      ratePerSec: 0.5,
      durationMs: 90_000,
      preAllocatedVUs: 4,
      maxVUs: 4,
      lateToleranceMs: 500,
      startTimeMs: 0,
      gracefulStopMs: 30_000,
    });
    expect(Object.isFrozen(s.executors.main)).toBe(true);
    expect(Object.isFrozen(s.workload.inputTokens)).toBe(true);
  });

  it('reports every problem at once, each with its path', () => {
    const issues = issuesOf({
      name: 'Bad Name',
      executors: {
        a: { executor: 'constant-arrival-rate', rate: 0, duration: 'soon', preAllocatedVUs: 4, maxVUs: 2 },
        b: { executor: 'ramping-vus', stages: [] },
        c: { executor: 'shared-iterations' },
      },
      workload: { toolFraction: 2, inputTokens: { kind: 'uniform', min: 10, max: 5 } },
      thresholds: { ttft_ms: ['p95 < 10'], nope: ['count<1'] },
      bogus: true,
    });
    const paths = issues.map((i) => i.split(':')[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'name',
        'executors.a.rate',
        'executors.a.duration',
        'executors.b.stages',
        'executors.c.executor',
        'workload.toolFraction',
        'thresholds.ttft_ms[0]',
        'thresholds.nope',
        '',
      ]),
    );
  });

  it('rejects a timeline that does not fit the load', () => {
    const issues = issuesOf({
      ...minimal,
      phases: [
        { name: 'b', at: '10s' },
        { name: 'a', at: '5s' },
        { name: 'b', at: '40s' },
      ],
      faults: [{ action: 'kill', component: 'model-0', at: '45s' }],
    });
    expect(issues).toEqual([
      'phases[1].at: phases must be listed in increasing `at` order',
      'phases[2].name: phase "b" appears twice',
      'phases[2].at: starts at 40000 ms, after the load ends (30000 ms)',
      'faults[0].at: fires at 45000 ms, after the load ends (30000 ms)',
    ]);
  });

  it('knows k6 cross-field rules: maxVUs >= preAllocatedVUs, something to ramp to, a 1 s minimum', () => {
    expect(
      issuesOf({
        name: 'x',
        executors: {
          a: { executor: 'constant-arrival-rate', rate: 1, duration: '500ms', preAllocatedVUs: 4, maxVUs: 2 },
          b: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '5s', target: 0 }] },
          c: {
            executor: 'session-arrivals',
            rate: 1,
            stages: [{ duration: '5s', target: 1 }],
            preAllocatedVUs: 1,
          },
        },
      }),
    ).toEqual([
      'executors.a.maxVUs: maxVUs (2) must be at least preAllocatedVUs (4)',
      'executors.a.duration: duration must be at least 1s (k6 minDuration)',
      'executors.b.stages: ramping-vus needs startVUs > 0 or at least one stage with target > 0',
      'executors.c.rate: session-arrivals takes either rate + duration, or stages (with an optional startRate)',
    ]);
  });

  it('refuses an offered rate above a million per second at any stage, in its time unit', () => {
    const open = { preAllocatedVUs: 4, duration: '10s' };
    const issues = issuesOf({
      name: 'x',
      executors: {
        fine: { executor: 'constant-arrival-rate', rate: 1_000_000, ...open },
        perMinute: { executor: 'constant-arrival-rate', rate: 6e7, timeUnit: '1m', ...open },
        typo: { executor: 'constant-arrival-rate', rate: 1e9, ...open },
        ramp: {
          executor: 'ramping-arrival-rate',
          preAllocatedVUs: 4,
          stages: [
            { duration: '5s', target: 10 },
            { duration: '5s', target: 2e6 },
          ],
        },
      },
    });
    expect(issues.map((i) => i.split(':')[0])).toEqual(['executors.typo.rate', 'executors.ramp.stages']);
    expect(issues[0]).toContain('a peak of 1000000000 per second');
    expect(issues[0]).toContain('--segment');
  });

  it('applies the rate cap to session arrivals and to a ramp start rate, naming the field that is too high', () => {
    const open = { preAllocatedVUs: 4 };
    const stages = (peak: number) => [
      { duration: '5s', target: 10 },
      { duration: '5s', target: peak },
    ];
    const issues = issuesOf({
      name: 'x',
      executors: {
        sessionsFine: { executor: 'session-arrivals', rate: 1_000_000, duration: '10s', ...open },
        sessionsRate: { executor: 'session-arrivals', rate: 2e6, duration: '10s', ...open },
        sessionsStaged: { executor: 'session-arrivals', stages: stages(2e6), ...open },
        sessionsStart: { executor: 'session-arrivals', startRate: 2e6, stages: stages(0), ...open },
        rampStart: { executor: 'ramping-arrival-rate', startRate: 2e6, stages: stages(10), ...open },
        rampPerMs: {
          executor: 'ramping-arrival-rate',
          timeUnit: '1ms',
          stages: stages(1001),
          ...open,
        },
        closed: { executor: 'ramping-vus', stages: stages(2e6) },
      },
    });
    expect(issues.map((i) => i.split(':')[0])).toEqual([
      'executors.sessionsRate.rate',
      'executors.sessionsStaged.stages',
      'executors.sessionsStart.startRate',
      'executors.rampStart.startRate',
      'executors.rampPerMs.stages',
    ]);
    expect(issues[4]).toContain('a peak of 1001000 per second');
  });
});

describe('applyOverrides', () => {
  const outage = parseScenario({
    ...minimal,
    phases: [
      { name: 'baseline', at: '0s' },
      { name: 'outage', at: '10s' },
    ],
    faults: [{ action: 'restart', component: 'model-0', at: '10s', loadTime: '3s' }],
    stack: { loadTime: '6s' },
  });

  it('scales the whole timeline to a new duration', () => {
    const short = applyOverrides(outage, { durationSec: 12 });
    expect(loadEndMs(short.executors)).toBe(12_000);
    expect(short.phases.map((p) => p.atMs)).toEqual([0, 4000]);
    expect(short.faults[0]).toMatchObject({ atMs: 4000, loadTimeMs: 1200 });
    expect(short.stack.loadTimeMs).toBe(2400);
  });

  it('scales rates from the base rate and caps open models at --vus', () => {
    const s = parseScenario({
      name: 'r',
      executors: {
        ramp: {
          executor: 'ramping-arrival-rate',
          startRate: 2,
          stages: [
            { duration: '5s', target: 2 },
            { duration: '5s', target: 8 },
          ],
          preAllocatedVUs: 10,
          maxVUs: 20,
        },
      },
      phases: [{ name: 'step-0', at: '0s', offeredRatePerSec: 2 }],
    });
    const o = applyOverrides(s, { ratePerSec: 1, vus: 5, seed: 42 });
    const ramp = o.executors.ramp!;
    if (ramp.executor !== 'ramping-arrival-rate') throw new Error('expected a ramping-arrival-rate executor');
    expect(ramp.stages.map((x) => x.target)).toEqual([1, 4]);
    expect(ramp).toMatchObject({ startRatePerSec: 1, maxVUs: 5, preAllocatedVUs: 5 });
    expect(o.phases[0]!.offeredRatePerSec).toBe(1);
    expect(o.seed).toBe(42);
  });

  it('sets VUs of closed models and rejects overrides that break validation', () => {
    const closed = parseScenario({
      name: 'c',
      executors: { v: { executor: 'constant-vus', vus: 3, duration: '10s' } },
    });
    expect(applyOverrides(closed, { vus: 7 }).executors.v).toMatchObject({ vus: 7 });
    expect(() => applyOverrides(closed, { durationSec: 0.2 })).toThrow(InvalidConfigError);
  });
});
