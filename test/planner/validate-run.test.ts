import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalForNeeds } from '../../harness/engine/local-stack.ts';
import type { StackStarter } from '../../harness/engine/stack-session.ts';
import type { Summary } from '../../harness/results/schema.ts';
import { formatValidation } from '../../planner/validate-format.ts';
import { runValidation } from '../../planner/validate-run.ts';
import { validationGrid } from '../../planner/validate.ts';
import { steppedLoad } from '../../scenarios/plan-validate.ts';

/** A fast simulated GPU and a tiny workload: this checks the wiring, not the accuracy. */
const tiny = {
  name: 'plan-validate-tiny',
  seed: 3,
  ...steppedLoad([4, 8, 12], 1, 2),
  workload: {
    target: 'agent' as const,
    inputTokens: { kind: 'fixed' as const, value: 20 },
    maxTokens: { kind: 'fixed' as const, value: 4 },
    toolFraction: 0,
    turnsPerSession: { kind: 'fixed' as const, value: 1 },
    tenants: { acme: 1 },
  },
  slo: { ttftMs: 30_000, e2eMs: 60_000, percentile: 95, maxErrorRate: 0.5 },
  ledger: false,
  stack: { modelReplicas: 1, agentReplicas: 1, profile: 'llama-3.1-8b@h100', loadTime: '0s' },
};

const readSummary = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;

/** The default starter, noting the model-server limit each stack was started with. */
function recordingStarter(limits: (number | undefined)[]): StackStarter {
  return (needs) => {
    limits.push(needs.maxConcurrentRequests);
    return startLocalForNeeds(needs);
  };
}

let sweepDir: string | null = null;

describe('plan --validate on the local stack', () => {
  it('sweeps one replica, runs two at the plan load and around the knee, and tabulates both', async () => {
    const outRoot = mkdtempSync(join(tmpdir(), 'agentload-validate-'));
    const log: string[] = [];
    const limits: (number | undefined)[] = [];
    const result = await runValidation({
      plan: { agentFrom: [], demandFlags: {}, policyFlags: { bootstrapIterations: 0 } },
      from: [],
      demandGiven: false,
      replicas: [2],
      maxReplicas: 2,
      scenario: tiny,
      tolerancePct: 10,
      outRoot,
      signal: new AbortController().signal,
      log: (text) => void log.push(text),
      version: 'test',
      startStack: recordingStarter(limits),
      settleSec: 0.5,
      measureSec: 1.5,
    });
    sweepDir = result.sweepDir;
    // The sweep and the 2-replica run keep the scenario's (unset: the server's default) limit.
    expect(limits).toEqual([undefined, undefined]);

    const sweep = readSummary(result.sweepDir!);
    expect(sweep.run.stack.modelReplicas).toBe(1);
    expect(sweep.steps.map((s) => s.offeredRatePerSec)).toEqual([4, 8, 12]);

    const option = result.plan.options[result.plan.recommended!]!;
    const g = option.goodput.ratePerSec;
    const u = result.plan.inputs.policy.utilizationTarget;
    expect(result.rows).toHaveLength(1);
    const row = result.rows[0]!;
    expect(row.replicas).toBe(2);
    // No demand: each replica runs at the utilization target x goodput.
    expect(row.predicted.ratePerSec).toBeCloseTo(2 * u * g, 9);
    expect(row.predicted.goodputPerSec).toBeCloseTo(2 * g, 9);

    const run = readSummary(row.resultsDir);
    expect(run.run.stack.modelReplicas).toBe(2);
    expect(run.steps.map((s) => s.offeredRatePerSec)).toEqual(validationGrid(g, u * g).map((r) => r * 2));
    expect(row.measuredE2eP95Ms).toBe(run.steps[0]!.e2eMs.p95);
    expect(existsSync(join(row.resultsDir, 'samples.ndjson.gz'))).toBe(true);

    const table = formatValidation(result);
    expect(table).toMatch(/replicas\s+load\/s\s+goodput pred\s+meas\s+error\s+p95 E2E@load pred/);
    expect(table).toMatch(/\n\s+2\s+[0-9.]+\s+[0-9.]+\s+(>=)?[0-9.]+\s+[-+][0-9.]+%/);
    expect(table).toContain(`results ${row.resultsDir}`);
    expect(log.join('')).toContain(
      'starting the local stack: 2 model, 1 agent replica(s), llama-3.1-8b@h100',
    );
  }, 60_000);

  it("runs with the plan's max_concurrent_requests when asked (settings: 'plan')", async () => {
    expect(sweepDir).not.toBeNull();
    const limits: (number | undefined)[] = [];
    const result = await runValidation({
      plan: { agentFrom: [], demandFlags: {}, policyFlags: { bootstrapIterations: 0 } },
      from: [sweepDir!],
      demandGiven: false,
      replicas: [2],
      maxReplicas: 2,
      scenario: tiny,
      tolerancePct: 10,
      settings: 'plan',
      outRoot: mkdtempSync(join(tmpdir(), 'agentload-validate-')),
      signal: new AbortController().signal,
      log: () => undefined,
      version: 'test',
      startStack: recordingStarter(limits),
      settleSec: 0.5,
      measureSec: 1.5,
    });
    expect(result.sweepDir).toBeNull();
    expect(limits).toEqual([result.plan.settings!.maxConcurrentRequests]);
  }, 60_000);
});
