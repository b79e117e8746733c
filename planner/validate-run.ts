/**
 * `agentload plan --validate` behind the CLI: measure the 1-replica curve (unless --from gives one),
 * plan from it, then for each replica count k start the local stack with k model replicas, run the
 * operating point and a few loads around the predicted knee through the same workload, and compare
 * the measured goodput (read off the run's steps exactly as the planner reads a sweep) and p95 E2E
 * (at the operating point and at k x the predicted goodput) with the prediction (validate.ts).
 */
import { fileURLToPath } from 'node:url';
import {
  parseScenario,
  type Scenario,
  type ScenarioInput,
  type StackNeeds,
} from '../harness/config/scenario-schema.ts';
import { toInput } from '../harness/config/scenario-overrides.ts';
import { launch, type LaunchResult } from '../harness/engine/launch.ts';
import { startLocalForNeeds } from '../harness/engine/local-stack.ts';
import { loadScenario } from '../harness/engine/scenario-source.ts';
import { targetFromStack, type StackStarter } from '../harness/engine/stack-session.ts';
import type { SweepStep } from '../harness/results/schema.ts';
import { MEASURE_SEC, SETTLE_SEC, steppedLoad } from '../scenarios/plan-validate.ts';
import { curvesFromSweeps } from './curves.ts';
import { PlanInputError } from './errors.ts';
import { loadSweepResults } from './inputs.ts';
import type { CapacityPlan } from './plan.ts';
import { runPlan, type RunPlanOptions } from './run-plan.ts';
import type { CapacityCurve } from './types.ts';
import {
  compareToPlan,
  errorPct,
  figuresFromStep,
  measuredGoodput,
  predictAtReplicas,
  validationGrid,
  validationLoad,
  type MeasuredGoodput,
  type ReplicaPrediction,
  type ValidationCheck,
} from './validate.ts';

/** The shipped 1-replica sweep (scenarios/plan-validate.ts), by path so it resolves from any cwd. */
export const DEFAULT_VALIDATE_SCENARIO = fileURLToPath(
  new URL('../scenarios/plan-validate.ts', import.meta.url),
);

export interface ValidateRunOptions {
  /** Everything `agentload plan` takes except --from (the sweep is given here or run). */
  plan: Omit<RunPlanOptions, 'from'>;
  /** Results of a 1-replica (or any) sweep of the same workload; empty: run the sweep scenario here. */
  from: readonly string[];
  /** A demand was given; without one each replica runs at the plan's utilization target x goodput. */
  demandGiven: boolean;
  /** Model replica counts to run; null: the recommended count (with a demand) or 2..maxReplicas. */
  replicas: readonly number[] | null;
  /** What this machine holds (the CLI's heuristic from its cores). */
  maxReplicas: number;
  /** Scenario (shipped name, file, or the input itself) whose workload, SLO and stack the runs use. */
  scenario: string | ScenarioInput;
  /** Error allowed on goodput and p95 E2E, percent. */
  tolerancePct: number;
  /**
   * Model-server settings of the k-replica runs: 'sweep' (default) keeps the sweep's, so the runs
   * test the prediction for the configuration measured; 'plan' applies the plan's
   * max_concurrent_requests, so they test the plan's limit too (refused requests and degraded
   * answers count against the measured goodput).
   */
  settings?: 'sweep' | 'plan';
  outRoot: string;
  signal: AbortSignal;
  /** Progress and run reports (stderr). */
  log: (text: string) => void;
  version: string;
  /** Default: local processes on this machine (startLocalForNeeds). */
  startStack?: StackStarter;
  settleSec?: number;
  measureSec?: number;
}

export interface ValidationRow {
  replicas: number;
  predicted: ReplicaPrediction;
  measuredGoodput: MeasuredGoodput;
  /** p95 E2E of the step at the plan's load (the operating point). */
  measuredE2eP95Ms: number | null;
  /** p95 E2E of the step at k x the predicted per-replica goodput. */
  measuredE2eP95AtGoodputMs: number | null;
  goodputErrorPct: number | null;
  e2eErrorPct: number | null;
  e2eAtGoodputErrorPct: number | null;
  /** SLO targets, achieved rate and Little's law at the operating point (compareToPlan). */
  checks: ValidationCheck[];
  resultsDir: string;
}

export interface ValidateRunResult {
  plan: CapacityPlan;
  planMs: number;
  /** The sweep run here (null when --from gave one). */
  sweepDir: string | null;
  rows: ValidationRow[];
  tolerancePct: number;
  /** Every row passed rowOk. */
  ok: boolean;
}

/**
 * The base scenario with its load replaced by steps at `ratesPerSec` and its stack by `stack`,
 * the model servers loading instantly (their load time is not what the runs measure).
 */
function steppedScenario(
  base: Scenario,
  name: string,
  ratesPerSec: readonly number[],
  stack: Partial<Omit<StackNeeds, 'loadTimeMs'>>,
  timing: { settleSec: number; measureSec: number },
): Scenario {
  const input = toInput(base) as Record<string, unknown> & { stack: Record<string, unknown> };
  return parseScenario(
    {
      ...input,
      name,
      ...steppedLoad(ratesPerSec, timing.settleSec, timing.measureSec),
      faults: [],
      stopOnSloBreak: false,
      stack: { ...input.stack, ...stack, loadTime: '0s' },
    },
    `validation scenario ${name}`,
  );
}

async function runOn(scenario: Scenario, opts: ValidateRunOptions): Promise<LaunchResult> {
  const start = opts.startStack ?? startLocalForNeeds;
  const s = scenario.stack;
  opts.log(
    `starting the local stack: ${s.modelReplicas} model, ${s.agentReplicas} agent replica(s), ${s.profile}\n`,
  );
  const handle = await start(s);
  try {
    return await launch({
      scenario,
      target: targetFromStack(handle, scenario),
      outRoot: opts.outRoot,
      quiet: true,
      signal: opts.signal,
      write: opts.log,
      tty: false,
      version: opts.version,
    });
  } finally {
    await handle.stop();
  }
}

function modelCurve(from: readonly string[]): CapacityCurve {
  const curves = curvesFromSweeps(loadSweepResults(from), 'model');
  if (curves.length !== 1) {
    throw new PlanInputError(
      `--validate needs one measured configuration; ${from.join(', ')} hold ${curves.length}`,
      {
        hint: 'Pass the results of sweeps of one profile (or no --from: the sweep then runs here).',
      },
    );
  }
  return curves[0]!;
}

function checkMix(plan: CapacityPlan): void {
  if (plan.demand.mixSource === 'demand' && plan.options[plan.recommended!]!.mix.costRatio !== 1) {
    throw new PlanInputError(
      "--validate runs the sweep's own workload, so it cannot check a different token mix",
      {
        hint: "Drop --input-tokens/--output-tokens (and the demand file's token mix) when validating.",
      },
    );
  }
}

/** Replica counts to run: the list given, else the recommended count or 2..max, within the machine. */
function replicaCounts(plan: CapacityPlan, opts: ValidateRunOptions): number[] {
  if (opts.replicas !== null) return [...opts.replicas];
  if (opts.demandGiven) {
    const total = plan.options[plan.recommended!]!.totals.replicas;
    return [Math.max(1, Math.min(total, opts.maxReplicas))];
  }
  const out: number[] = [];
  for (let k = Math.min(2, opts.maxReplicas); k <= opts.maxReplicas; k += 1) out.push(k);
  return out;
}

function planFor(opts: ValidateRunOptions, from: readonly string[]) {
  const base = { ...opts.plan, from };
  if (opts.demandGiven) return runPlan(base);
  // No demand: plan for what the largest validated fleet carries at the utilization target.
  const probe = runPlan({
    ...base,
    demandFlags: { ...base.demandFlags, peakRequestsPerSec: 1 },
    out: undefined,
  });
  const option = probe.plan.options[probe.plan.recommended!]!;
  const u = probe.plan.inputs.policy.utilizationTarget;
  const k = Math.max(...replicaCounts(probe.plan, opts));
  return runPlan({
    ...base,
    demandFlags: { ...base.demandFlags, peakRequestsPerSec: u * option.goodput.ratePerSec * k },
  });
}

function stepNear(steps: readonly SweepStep[], ratePerSec: number): SweepStep | null {
  let best: SweepStep | null = null;
  for (const s of steps) {
    const d = Math.abs((s.offeredRatePerSec ?? Number.NaN) - ratePerSec);
    if (Number.isFinite(d) && (best === null || d < Math.abs(best.offeredRatePerSec! - ratePerSec))) best = s;
  }
  return best;
}

async function validateReplicas(
  k: number,
  ctx: { plan: CapacityPlan; curve: CapacityCurve; base: Scenario; opts: ValidateRunOptions },
): Promise<ValidationRow> {
  const { plan, curve, base, opts } = ctx;
  const option = plan.options[plan.recommended!]!;
  const u = plan.inputs.policy.utilizationTarget;
  const load = validationLoad(plan, {
    replicas: k,
    durationSec: 0,
    seed: base.seed,
    ...(opts.demandGiven ? {} : { ratePerReplicaPerSec: u * option.goodput.ratePerSec }),
  });
  const grid = validationGrid(option.goodput.ratePerSec, load.ratePerSec / k);
  const scenario = steppedScenario(
    base,
    `plan-validate-x${k}`,
    grid.map((r) => r * k),
    {
      modelReplicas: k,
      // The sweep's agent count: the runs change one thing, the model replicas.
      agentReplicas: curve.measuredAgentReplicas ?? base.stack.agentReplicas,
      ...(load.profile === null ? {} : { profile: load.profile }),
      ...(opts.settings === 'plan' ? { maxConcurrentRequests: load.maxConcurrentRequests } : {}),
    },
    {
      settleSec: opts.settleSec ?? SETTLE_SEC,
      // k replicas finish k times the requests a second: a 1/k window holds as many samples.
      measureSec: opts.measureSec ?? Math.max(8, Math.ceil(MEASURE_SEC / k)),
    },
  );
  const result = await runOn(scenario, opts);
  const goodput = measuredGoodput(modelCurve([result.dir]), plan.inputs.slo);
  const steps = result.outcome.summary.steps;
  const p95 = (step: SweepStep | null) => (step !== null && step.e2eMs.count > 0 ? step.e2eMs.p95 : null);
  const operating = stepNear(steps, load.ratePerSec);
  const atGoodput = stepNear(steps, option.goodput.ratePerSec * k);
  const predicted = predictAtReplicas(plan, curve, k, load.ratePerSec);
  const e2e = p95(operating);
  const e2eAtGoodput = p95(atGoodput);
  return {
    replicas: k,
    predicted,
    measuredGoodput: goodput,
    measuredE2eP95Ms: e2e,
    measuredE2eP95AtGoodputMs: e2eAtGoodput,
    goodputErrorPct: errorPct(predicted.goodputPerSec, goodput.goodputPerSec),
    e2eErrorPct: e2e === null ? null : errorPct(predicted.e2eP95Ms, e2e),
    e2eAtGoodputErrorPct: e2eAtGoodput === null ? null : errorPct(predicted.e2eP95AtGoodputMs, e2eAtGoodput),
    checks:
      operating === null
        ? []
        : compareToPlan(plan, load, figuresFromStep(operating), 0.25, predicted.meanInFlight),
    resultsDir: result.dir,
  };
}

/**
 * Goodput and p95 E2E at the predicted goodput within tolerance either way; p95 E2E at the plan's
 * load not optimistic by more than the tolerance (below the knee the prediction is an upper bound).
 */
function rowOk(row: ValidationRow, tolerancePct: number): boolean {
  const within = (e: number | null) => e !== null && Math.abs(e) <= tolerancePct;
  return (
    row.measuredGoodput.status === 'within' &&
    within(row.goodputErrorPct) &&
    within(row.e2eAtGoodputErrorPct) &&
    row.e2eErrorPct !== null &&
    row.e2eErrorPct >= -tolerancePct &&
    row.checks.every((c) => c.ok)
  );
}

export async function runValidation(opts: ValidateRunOptions): Promise<ValidateRunResult> {
  const base =
    typeof opts.scenario === 'string'
      ? await loadScenario(opts.scenario)
      : parseScenario(opts.scenario, 'validation scenario');
  let from = opts.from;
  let sweepDir: string | null = null;
  if (from.length === 0) {
    opts.log(`== sweep at 1 model replica: ${base.name}\n`);
    const sweep = await runOn(base, opts);
    sweepDir = sweep.dir;
    from = [sweep.dir];
  }
  const curve = modelCurve(from);
  const { plan, planMs } = planFor(opts, from);
  if (plan.recommended === null) {
    throw new PlanInputError('This plan has no model-server fleet to validate', {
      hint: 'Validate plans built from model-server sweeps.',
    });
  }
  checkMix(plan);
  const rows: ValidationRow[] = [];
  for (const k of replicaCounts(plan, opts)) {
    if (opts.signal.aborted) break;
    opts.log(`== validation at ${k} model replica(s)\n`);
    rows.push(await validateReplicas(k, { plan, curve, base, opts }));
  }
  const ok = rows.length > 0 && rows.every((r) => rowOk(r, opts.tolerancePct));
  return { plan, planMs, sweepDir, rows, tolerancePct: opts.tolerancePct, ok };
}
