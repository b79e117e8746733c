import { describe, expect, it } from 'vitest';
import { loadEndMs, parseScenario } from '../../harness/config/scenario-schema.ts';
import { scenarios, suites } from '../../scenarios/index.ts';

const parsed = Object.entries(scenarios).map(
  ([key, input]) => [key, parseScenario(input, `scenarios/${key}.ts`)] as const,
);

describe('shipped scenarios', () => {
  it('all validate, and each is registered under its own name', () => {
    for (const [key, s] of parsed) expect(s.name).toBe(key);
    expect(Object.keys(scenarios).sort()).toEqual(
      [
        'cold-start',
        'outage-model',
        'outage-redis',
        'outage-replica',
        'outage-tools',
        'peak',
        'smoke',
        'soak',
        'steady-state',
        'sweep',
      ].sort(),
    );
  });

  it('fit this 2-core machine: smoke about 10 s, the others 20-45 s of load', () => {
    for (const [key, s] of parsed) {
      const sec = loadEndMs(s.executors) / 1000;
      if (key === 'smoke') expect(sec).toBeLessThanOrEqual(12);
      else {
        expect(sec, key).toBeGreaterThanOrEqual(20);
        expect(sec, key).toBeLessThanOrEqual(45);
      }
    }
  });

  it('keep the default suite under about two and a half minutes of load', () => {
    const totalSec = suites.default.reduce(
      (a, name) => a + loadEndMs(parseScenario(scenarios[name]).executors) / 1000,
      0,
    );
    expect(totalSec).toBeLessThanOrEqual(150);
  });

  it('check turns_lost in every scenario that talks to the agent', () => {
    const agentScenarios = parsed.filter(([, s]) => s.workload.target === 'agent');
    expect(agentScenarios.length).toBe(parsed.length);
    for (const [key, s] of agentScenarios) {
      expect(s.ledger, key).toBe(true);
      expect(Object.keys(s.thresholds), key).toContain('turns_lost');
    }
  });

  it('schedule every outage through a fault, with phases around it', () => {
    const faulted = parsed.filter(([key]) => key.startsWith('outage-') || key === 'cold-start');
    expect(faulted.map(([key]) => key).sort()).toEqual(
      ['cold-start', 'outage-model', 'outage-redis', 'outage-replica', 'outage-tools'].sort(),
    );
    for (const [key, s] of faulted) {
      expect(s.faults.length, key).toBeGreaterThan(0);
      expect(s.phases.length, key).toBeGreaterThanOrEqual(3);
    }
  });

  it('give the sweep one phase step-<i> per rate step, carrying the rate the executor offers then', () => {
    const sweep = parseScenario(scenarios.sweep);
    const exec = sweep.executors.sweep!;
    if (exec.executor !== 'ramping-arrival-rate') throw new Error('sweep should ramp the arrival rate');
    let atMs = 0;
    const plateaus = exec.stages.filter((st) => st.durationMs > 0);
    expect(sweep.phases.length).toBe(plateaus.length);
    expect(plateaus.length).toBeGreaterThan(1);
    sweep.phases.forEach((p, i) => {
      expect(p.name).toBe(`step-${i}`);
      expect(p.atMs).toBe(atMs);
      expect(p.offeredRatePerSec).toBe(plateaus[i]!.target);
      atMs += plateaus[i]!.durationMs;
    });
    expect(sweep.stopOnSloBreak).toBe(true);
  });
});
