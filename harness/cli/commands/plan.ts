import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { ExitCode } from '../exit-codes.ts';
import { count, positive } from '../flag-parsers.ts';
import { packageVersion, withStopSignal } from '../process-helpers.ts';

function pairs(value: string): [string, string][] {
  return value.split(',').map((part) => {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (!k || v === undefined || v === '') throw new InvalidArgumentError(`"${part}" is not key=value`);
    return [k, v];
  });
}

/** `a=0.5,b=0.5` -> tenant shares. */
function tenants(value: string) {
  return pairs(value).map(([name, share]) => ({ name, share: positive(share) }));
}

const QUOTA_KEYS: Record<string, string> = {
  rpm: 'requestsPerMin',
  tpm: 'tokensPerMin',
  itpm: 'inputTokensPerMin',
  otpm: 'outputTokensPerMin',
  'max-tokens': 'maxTokens',
};

/** `name=openai-tier2,rpm=5000,tpm=2000000[,itpm=..,otpm=..,max-tokens=..]`. */
function apiQuota(value: string): Record<string, unknown> {
  const out: Record<string, unknown> = { name: 'hosted-api' };
  for (const [k, v] of pairs(value)) {
    if (k === 'name') out['name'] = v;
    else if (QUOTA_KEYS[k] !== undefined) out[QUOTA_KEYS[k]] = positive(v);
    else
      throw new InvalidArgumentError(`unknown quota key "${k}" (use name, rpm, tpm, itpm, otpm, max-tokens)`);
  }
  return out;
}

/** `2,3` -> replica counts to validate at. */
function replicaList(value: string): number[] {
  return value.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n < 1 || n > 16)
      throw new InvalidArgumentError(`expected replica counts 1-16 like "2,3", got "${value}"`);
    return n;
  });
}

/** `sweep` or `plan`: whose model-server settings the validation runs use. */
function validateSettings(value: string): 'sweep' | 'plan' {
  if (value === 'sweep' || value === 'plan') return value;
  throw new InvalidArgumentError(`expected "sweep" or "plan", got "${value}"`);
}

interface PlanFlags {
  validate?: boolean;
  validateReplicas?: number[];
  validateScenario?: string;
  validateTolerance?: number;
  validateSettings?: 'sweep' | 'plan';
  validateOut?: string;
  from: string[];
  agentFrom: string[];
  demand?: string;
  peakRps?: number;
  users?: number;
  turnsPerMin?: number;
  inputTokens?: number;
  outputTokens?: number;
  tenants?: { name: string; share: number }[];
  slo?: string;
  policy?: string;
  utilization?: number;
  redundancy?: string;
  gpusPerReplica?: number;
  gpusPerNode?: number;
  gpuHourUsd?: number;
  agentReplicaHourUsd?: number;
  coldStartSec?: number;
  minReplicas?: number;
  warmPool?: number;
  apiQuota?: Record<string, unknown>;
  whatIf?: string;
  seed?: number;
  bootstrap?: number;
  out?: string;
  json?: boolean;
}

function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

function demandFlags(f: PlanFlags): Record<string, unknown> {
  return defined({
    peakRequestsPerSec: f.peakRps,
    users: f.users === undefined ? undefined : { concurrent: f.users, turnsPerMinute: f.turnsPerMin },
    meanInputTokens: f.inputTokens,
    meanOutputTokens: f.outputTokens,
    tenants: f.tenants,
  });
}

function policyFlags(f: PlanFlags): Record<string, unknown> {
  return defined({
    utilizationTarget: f.utilization,
    redundancy: f.redundancy,
    gpusPerReplica: f.gpusPerReplica,
    gpusPerNode: f.gpusPerNode,
    gpuHourUsd: f.gpuHourUsd,
    agentReplicaHourUsd: f.agentReplicaHourUsd,
    coldStartSec: f.coldStartSec,
    hostedApi: f.apiQuota,
    seed: f.seed,
    bootstrapIterations: f.bootstrap,
    autoscaler: defined({ minReplicas: f.minReplicas, warmPool: f.warmPool }),
  });
}

function planOptions(flags: PlanFlags) {
  return {
    agentFrom: flags.agentFrom,
    demandFile: flags.demand,
    demandFlags: demandFlags(flags),
    slo: flags.slo,
    policyFile: flags.policy,
    policyFlags: policyFlags(flags),
    whatIf: flags.whatIf?.split(',').map((s) => s.trim()),
    out: flags.out,
  };
}

async function planAction(flags: PlanFlags): Promise<number> {
  const [{ runPlan, jsonSafe }, { formatPlan }] = await Promise.all([
    import('../../../planner/run-plan.ts'),
    import('../plan-format.ts'),
  ]);
  const result = runPlan({ from: flags.from, ...planOptions(flags) });
  process.stdout.write(
    flags.json ? `${JSON.stringify(result.plan, jsonSafe, 2)}\n` : formatPlan(result.plan, result.planMs),
  );
  if (result.outPath !== null && !flags.json) process.stdout.write(`wrote ${result.outPath}\n`);
  return ExitCode.ok;
}

/** `plan --validate`: runs on the local stack; SIGINT stops the load (results so far are written). */
async function validateAction(flags: PlanFlags): Promise<number> {
  const [{ runValidation, DEFAULT_VALIDATE_SCENARIO }, { formatValidation }, { jsonSafe }, { formatPlan }] =
    await Promise.all([
      import('../../../planner/validate-run.ts'),
      import('../../../planner/validate-format.ts'),
      import('../../../planner/run-plan.ts'),
      import('../plan-format.ts'),
    ]);
  return withStopSignal(async (signal) => {
    const result = await runValidation({
      plan: planOptions(flags),
      from: flags.from,
      demandGiven: flags.demand !== undefined || flags.peakRps !== undefined || flags.users !== undefined,
      replicas: flags.validateReplicas ?? null,
      // Each model replica adds agent and load-generator work in proportion to its goodput: one
      // replica per core plus one keeps the shipped workload well inside the CPU (docs/planner.md).
      maxReplicas: Math.min(8, availableParallelism() + 1),
      scenario: flags.validateScenario ?? DEFAULT_VALIDATE_SCENARIO,
      tolerancePct: flags.validateTolerance ?? 10,
      settings: flags.validateSettings ?? 'sweep',
      outRoot: flags.validateOut ?? 'results',
      signal,
      log: (text) => void process.stderr.write(text),
      version: packageVersion(),
    });
    if (flags.json) process.stdout.write(`${JSON.stringify(result, jsonSafe, 2)}\n`);
    else process.stdout.write(`${formatPlan(result.plan, result.planMs)}\n${formatValidation(result)}`);
    if (signal.aborted) return ExitCode.externalAbort;
    return result.ok ? ExitCode.ok : ExitCode.thresholdsFailed;
  });
}

export function register(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  program
    .command('plan')
    .description('Turn sweep results and a demand into GPUs, replicas, settings, rate limits and cost')
    .option('--from <paths...>', 'results directories (or summary.json) of model-server sweeps', [])
    .option('--agent-from <paths...>', 'results of sweeps where the agent was the bottleneck', [])
    .option(
      '--demand <file>',
      'demand file (YAML/JSON): peak, users, token mix, daily curve, spikes, tenants',
    )
    .option('--peak-rps <n>', 'peak requests/s', positive)
    .option('--users <n>', 'concurrent users at peak (with --turns-per-min)', positive)
    .option('--turns-per-min <n>', 'turns per user per minute', positive)
    .option('--input-tokens <n>', 'mean prompt tokens (default: the measured mix)', positive)
    .option('--output-tokens <n>', 'mean output tokens (default: the measured mix)', positive)
    .option('--tenants <shares>', 'tenant shares, e.g. a=0.6,b=0.4', tenants)
    .option(
      '--slo <spec>',
      'e.g. "ttft:p95=800,itl:p95=60,e2e:p99=20s,errors=1%" (default: the sweep\'s SLO)',
    )
    .option('--policy <file>', 'policy file (YAML/JSON); flags override it')
    .option('--utilization <u>', 'utilization target of goodput, 0-1 (default 0.8)', positive)
    .option('--redundancy <r>', 'none | n+1 | zones:<N> (default n+1)')
    .option('--gpus-per-replica <n>', 'override the profile tensor-parallel degree', positive)
    .option('--gpus-per-node <n>', 'GPUs per node (default 8)', positive)
    .option('--gpu-hour-usd <usd>', 'price of one GPU-hour', positive)
    .option('--agent-replica-hour-usd <usd>', 'price of one agent replica-hour', positive)
    .option('--cold-start-sec <s>', 'model replica cold start (default: the profile load time)', positive)
    .option('--min-replicas <n>', 'autoscaler minimum replicas (default 1)', count)
    .option('--warm-pool <n>', 'autoscaler warm pool (default 0)', count)
    .option('--api-quota <spec>', 'hosted API tier: name=..,rpm=..,tpm=..[,itpm,otpm,max-tokens]', apiQuota)
    .option('--what-if <profiles>', 'comma-separated profiles, or "all" for the measured model on every GPU')
    .option('--seed <n>', 'bootstrap seed (default 1)', count)
    .option('--bootstrap <n>', 'bootstrap resamples (default 1000)', count)
    .option('--out <file>', 'write the plan as JSON (e.g. results/<run>/plan.json)')
    .option('--json', 'print the plan JSON instead of the text report')
    .option(
      '--validate',
      'run the plan on the local stack: the sweep at 1 model replica (unless --from), then k replicas; predicted vs measured goodput and p95 E2E',
    )
    .option(
      '--validate-replicas <list>',
      'model replica counts to validate at, e.g. 2,3 (default: the recommended count within this machine, or 2..what it holds without a demand)',
      replicaList,
    )
    .option(
      '--validate-scenario <name|file>',
      'workload, SLO and stack of the validation (default scenarios/plan-validate.ts)',
    )
    .option(
      '--validate-tolerance <pct>',
      'error allowed on goodput and p95 E2E, percent (default 10)',
      positive,
    )
    .option(
      '--validate-settings <which>',
      "model-server settings of the validation runs: sweep (the sweep's, default) or plan (the plan's max_concurrent_requests)",
      validateSettings,
    )
    .option('--validate-out <dir>', 'results root of the validation runs (default results)')
    .action((flags: PlanFlags) =>
      run(async () => {
        if ((flags.users === undefined) !== (flags.turnsPerMin === undefined)) {
          const { PlanInputError } = await import('../../../planner/errors.ts');
          throw new PlanInputError('--users and --turns-per-min go together', {
            hint: 'Give both (peak = users x turns per minute / 60), or --peak-rps instead.',
          });
        }
        return flags.validate ? validateAction(flags) : planAction(flags);
      }),
    );
}
