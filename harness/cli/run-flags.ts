import type { ScenarioOverrides } from '../config/scenario-overrides.ts';
import { parseDurationMs } from '../config/duration.ts';
import { executionSegment, type SegmentPlan } from '../engine/segment.ts';
import { InvalidConfigError, type ValidationIssue } from '../errors.ts';
import { modelServerKinds, stackKinds, type ModelServerKind, type StackKind } from '../stack/providers.ts';

/** Flags shared by `agentload run` and `agentload suite`, as commander hands them over. */
export interface RunFlags {
  stack?: string;
  modelServer?: string;
  target?: string;
  apiKey?: string;
  out?: string;
  vus?: string;
  rate?: string;
  duration?: string;
  seed?: string;
  quiet?: boolean;
  segment?: string;
  segmentSequence?: string;
}

export interface ParsedRunFlags {
  stack: StackKind;
  modelServer: ModelServerKind;
  targetUrl: string | null;
  apiKey: string | null;
  outRoot: string;
  quiet: boolean;
  overrides: ScenarioOverrides;
  /** This process's share of a split run; null: the whole load. */
  segment: SegmentPlan | null;
}

/** The one option table of both commands. */
export const RUN_OPTIONS: readonly [flags: string, description: string][] = [
  [
    '--stack <kind>',
    'local (processes here), containers (Testcontainers), compose (docker-compose.gpu.yml) or external (default: external with --target, else local)',
  ],
  [
    '--model-server <kind>',
    'sim (the GPU simulator, default) or tgi (real TGI; containers/compose on a GPU machine)',
  ],
  ['--target <url>', 'an external agent (or model server, for bare model-server scenarios) to load'],
  ['--api-key <key>', 'API key for the external target (env AGENTLOAD_API_KEY)'],
  ['--out <dir>', 'results root; each run writes <dir>/<time>-<scenario>/ (default results)'],
  ['--vus <n>', 'VUs of closed-model executors; the maxVUs cap of open-model ones'],
  ['--rate <n>', "new base rate, per second; every executor's rates scale with it"],
  ['--duration <d>', 'new load length ("20s", "2m"); phases and faults scale with it'],
  ['--seed <n>', "seed of arrivals and prompts (default: the scenario's)"],
  ['--quiet', 'no live progress, only the final report'],
  ['--segment <from:to>', 'run only this share of the load, k6 execution-segment style ("0:1/2", "1/2:1")'],
  ['--segment-sequence <points>', 'the cut points of every part of the split run ("0,1/3,2/3,1")'],
];

/** Validates the flags, listing every problem at once. Precedence: flags > env > defaults. */
export function parseRunFlags(
  flags: RunFlags,
  env: { AGENTLOAD_API_KEY?: string | undefined },
): ParsedRunFlags {
  const issues: ValidationIssue[] = [];
  const positive = (name: string, value: string | undefined, integer: boolean): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      issues.push({
        path: `--${name}`,
        message: `"${value}" is not a positive ${integer ? 'integer' : 'number'}`,
      });
      return undefined;
    }
    return n;
  };
  let stack: StackKind = flags.target ? 'external' : 'local';
  if (flags.stack !== undefined) {
    if ((stackKinds as readonly string[]).includes(flags.stack)) stack = flags.stack as StackKind;
    else issues.push({ path: '--stack', message: `"${flags.stack}" is not one of ${stackKinds.join(', ')}` });
  }
  let modelServer: ModelServerKind = 'sim';
  if (flags.modelServer !== undefined) {
    if ((modelServerKinds as readonly string[]).includes(flags.modelServer))
      modelServer = flags.modelServer as ModelServerKind;
    else
      issues.push({
        path: '--model-server',
        message: `"${flags.modelServer}" is not one of ${modelServerKinds.join(', ')}`,
      });
  }
  if (flags.target !== undefined && !/^https?:\/\/[^/]/.test(flags.target)) {
    issues.push({ path: '--target', message: `"${flags.target}" is not an http(s) URL` });
  }
  const overrides: ScenarioOverrides = {};
  const vus = positive('vus', flags.vus, true);
  const rate = positive('rate', flags.rate, false);
  if (vus !== undefined) overrides.vus = vus;
  if (rate !== undefined) overrides.ratePerSec = rate;
  if (flags.duration !== undefined) {
    const ms = parseDurationMs(
      /^\d+(\.\d+)?$/.test(flags.duration) ? Number(flags.duration) : flags.duration,
    );
    if (ms === null || ms < 1000)
      issues.push({ path: '--duration', message: `"${flags.duration}" is not a duration of at least 1s` });
    else overrides.durationSec = ms / 1000;
  }
  if (flags.seed !== undefined) {
    const seed = Number(flags.seed);
    if (!Number.isInteger(seed) || seed < 0)
      issues.push({ path: '--seed', message: `"${flags.seed}" is not a non-negative integer` });
    else overrides.seed = seed;
  }
  let segment: SegmentPlan | null = null;
  try {
    segment = executionSegment(flags.segment, flags.segmentSequence);
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    issues.push(...error.issues);
  }
  if (issues.length > 0) throw new InvalidConfigError('flags', issues);
  return {
    stack,
    modelServer,
    targetUrl: flags.target ?? null,
    apiKey: flags.apiKey ?? env.AGENTLOAD_API_KEY ?? null,
    outRoot: flags.out ?? 'results',
    quiet: flags.quiet === true,
    overrides,
    segment,
  };
}
