/**
 * `agentload plan` behind the CLI: read the inputs, resolve demand, SLO and policy (file < flags),
 * load performance models for the measured and what-if profiles, plan, and write plan.json.
 */
import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createPerfModel } from '../reference-service/model-server/perf-model.ts';
import type { PerfModel } from '../reference-service/model-server/perf-types.ts';
import { loadProfile, profileNames } from '../reference-service/model-server/profiles.ts';
import { curvesFromSweeps } from './curves.ts';
import { parseDemand } from './demand.ts';
import { PlanInputError } from './errors.ts';
import { loadStructuredFile, loadSweepResults } from './inputs.ts';
import { planCapacity, type CapacityPlan } from './plan.ts';
import { resolvePolicy } from './policy.ts';
import { parseSloSpec, sloFromSummary } from './slo.ts';
import type { CapacityCurve } from './types.ts';
import { makeDirsSync } from '../harness/fs/make-dirs.ts';
import { ResultsWriteError } from '../harness/results/errors.ts';

export interface RunPlanOptions {
  from: readonly string[];
  agentFrom: readonly string[];
  demandFile?: string;
  /** Demand fields from flags; they override the file's. */
  demandFlags: Record<string, unknown>;
  slo?: string;
  policyFile?: string;
  /** Policy fields from flags; they override the file's (autoscaler merged one level deep). */
  policyFlags: Record<string, unknown>;
  /** Profile names, or ['all'] for every shipped profile of the measured model. */
  whatIf?: readonly string[];
  out?: string;
}

export interface RunPlanResult {
  plan: CapacityPlan;
  outPath: string | null;
  planMs: number;
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new PlanInputError(`The ${what} file must hold a mapping of fields`, {
      hint: 'See docs/planner.md.',
    });
  }
  return value as Record<string, unknown>;
}

function modelsFor(names: readonly string[]): PerfModel[] {
  return names.map((n) => createPerfModel(loadProfile(n)));
}

function whatIfNames(requested: readonly string[] | undefined, curves: readonly CapacityCurve[]): string[] {
  if (requested === undefined || requested.length === 0) return [];
  if (requested.length === 1 && requested[0] === 'all') {
    const measured = curves.find((c) => c.role === 'model' && c.profile !== null)?.profile;
    const slug = measured?.split('@')[0];
    return profileNames().filter((n) => slug === undefined || n.startsWith(`${slug}@`));
  }
  return [...requested];
}

export function runPlan(opts: RunPlanOptions): RunPlanResult {
  const modelResults = loadSweepResults(opts.from);
  const agentResults = loadSweepResults(opts.agentFrom);
  const curves = [...curvesFromSweeps(modelResults, 'model'), ...curvesFromSweeps(agentResults, 'agent')];
  const fileDemand =
    opts.demandFile === undefined ? {} : asRecord(loadStructuredFile(opts.demandFile, 'demand'), 'demand');
  const demand = parseDemand({ ...fileDemand, ...opts.demandFlags }, opts.demandFile ?? 'demand flags');
  const filePolicy =
    opts.policyFile === undefined ? {} : asRecord(loadStructuredFile(opts.policyFile, 'policy'), 'policy');
  const { autoscaler: flagAutoscaler, ...flagRest } = opts.policyFlags;
  const policy = resolvePolicy(
    {
      ...filePolicy,
      ...flagRest,
      autoscaler: { ...asRecord(filePolicy['autoscaler'], 'policy'), ...asRecord(flagAutoscaler, 'policy') },
    },
    opts.policyFile ?? 'policy flags',
  );
  const first = modelResults[0] ?? agentResults[0];
  const slo =
    opts.slo !== undefined
      ? parseSloSpec(opts.slo)
      : first !== undefined
        ? sloFromSummary(first.summary.slo)
        : {};
  const available = new Set(profileNames());
  const measuredProfiles = [...new Set(curves.map((c) => c.profile))].filter(
    (p): p is string => p !== null && available.has(p),
  );
  const models = {
    perfModels: modelsFor(measuredProfiles),
    whatIfModels: modelsFor(whatIfNames(opts.whatIf, curves)),
  };
  const start = performance.now();
  const plan = planCapacity(curves, demand, slo, policy, models);
  const planMs = performance.now() - start;
  if (opts.out !== undefined) {
    try {
      makeDirsSync(dirname(opts.out));
      writeFileSync(opts.out, `${JSON.stringify(plan, jsonSafe, 2)}\n`);
    } catch (cause) {
      throw new ResultsWriteError(`could not write ${opts.out}: ${(cause as Error).message}`, {
        hint: 'Pick a writable --out path.',
        cause,
      });
    }
  }
  return { plan, outPath: opts.out ?? null, planMs };
}

/** JSON has no Infinity: write it as null (the reasoning says why where it matters). */
export function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
