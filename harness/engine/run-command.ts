import { join, resolve } from 'node:path';
import type { Scenario, StackNeeds } from '../config/scenario-schema.ts';
import { applyOverrides, type ScenarioOverrides } from '../config/scenario-overrides.ts';
import { InvalidConfigError } from '../errors.ts';
import { suites, type ScenarioName } from '../../scenarios/index.ts';
import { sloVerdicts } from '../../reports/slo-verdicts.ts';
import { launch, type LaunchResult } from './launch.ts';
import { loadScenario } from './scenario-source.ts';
import type { SegmentPlan } from './segment.ts';
import { externalTarget, StackSession, targetFromStack, type StackStarter } from './stack-session.ts';
import { ensureDir } from '../results/write.ts';

/** What `agentload run` and `agentload suite` hand the engine, after flag parsing. */
export interface RunRequest {
  /** Who starts the system under test: external = --target, the others through startLocal. */
  stack: 'local' | 'containers' | 'compose' | 'external';
  /** External target URL (agent, or model server for bare model-server scenarios). */
  targetUrl: string | null;
  apiKey: string | null;
  outRoot: string;
  quiet: boolean;
  overrides: ScenarioOverrides;
  signal: AbortSignal;
  write: (text: string) => void;
  tty: boolean;
  version: string;
  /** Starts the stack (local, containers or compose) for a scenario's needs; injected so tests can use a double. */
  startLocal: StackStarter;
  /** This process's share of a split run (--segment); null or absent: the whole load. */
  segment?: SegmentPlan | null;
}

export interface CommandResult {
  results: LaunchResult[];
  /** Every scenario's thresholds passed. */
  passed: boolean;
  interrupted: boolean;
}

async function runOne(
  scenario: Scenario,
  req: RunRequest,
  session: StackSession | null,
): Promise<LaunchResult> {
  const target =
    req.stack === 'external'
      ? externalTarget(req.targetUrl!, req.apiKey)
      : targetFromStack(await session!.prepare(scenario.stack as StackNeeds), scenario);
  return launch({
    scenario,
    target,
    outRoot: req.outRoot,
    quiet: req.quiet,
    signal: req.signal,
    write: req.write,
    tty: req.tty,
    version: req.version,
    segment: req.segment ?? null,
  });
}

function checkStackFlags(req: RunRequest): void {
  if (req.stack === 'external' && !req.targetUrl) {
    throw new InvalidConfigError('flags', [
      { path: '--target', message: '--stack external needs --target URL' },
    ]);
  }
  if (req.stack !== 'external' && req.targetUrl) {
    throw new InvalidConfigError('flags', [
      {
        path: '--target',
        message: `--target points at an external service; drop it or pass --stack external (not ${req.stack})`,
      },
    ]);
  }
}

/** `agentload run <scenario|file>`: one scenario, its own stack (local) or an external target. */
export async function runScenarioCommand(ref: string, req: RunRequest): Promise<CommandResult> {
  checkStackFlags(req);
  const scenario = applyOverrides(await loadScenario(ref), req.overrides);
  // An --out that cannot be written fails now, not after the stack started and the load ran.
  await ensureDir(req.outRoot);
  const session =
    req.stack !== 'external' ? new StackSession(req.startLocal, (l) => req.write(`${l}\n`)) : null;
  try {
    const result = await runOne(scenario, req, session);
    return { results: [result], passed: result.passed, interrupted: result.interrupted };
  } finally {
    await session?.close();
  }
}

/** `agentload suite <name>`: the suite's scenarios in order on one stack; stops early on SIGINT. */
export async function runSuiteCommand(name: string, req: RunRequest): Promise<CommandResult> {
  checkStackFlags(req);
  if (!Object.hasOwn(suites, name)) {
    throw new InvalidConfigError(
      'suite',
      [{ path: 'suite', message: `no suite "${name}"` }],
      `Suites: ${Object.keys(suites).join(', ')}.`,
    );
  }
  const names: readonly ScenarioName[] = suites[name as keyof typeof suites];
  // Validate every scenario (with overrides) before starting anything.
  const scenarios = await Promise.all(
    names.map(async (n) => applyOverrides(await loadScenario(n), req.overrides)),
  );
  await ensureDir(req.outRoot);
  const session =
    req.stack !== 'external' ? new StackSession(req.startLocal, (l) => req.write(`${l}\n`)) : null;
  const results: LaunchResult[] = [];
  try {
    for (const scenario of scenarios) {
      if (req.signal.aborted) break;
      req.write(`\n== ${scenario.name}: ${scenario.description}\n`);
      results.push(await runOne(scenario, req, session));
    }
  } finally {
    await session?.close();
  }
  req.write(
    `\nsuite ${name}: ${results.filter((r) => r.passed).length}/${names.length} scenarios passed their thresholds\n`,
  );
  for (const r of results) {
    const notes = [
      sloVerdicts(r.outcome.summary).some((v) => !v.ok) ? 'SLO missed' : null,
      r.outcome.summary.generator.valid ? null : 'generator could not keep up',
    ].filter((n) => n !== null);
    const tail = notes.length > 0 ? `  (${notes.join(', ')}: the report says FAIL)` : '';
    req.write(
      `  ${r.passed ? 'ok  ' : 'FAIL'} ${r.outcome.summary.run.scenario.padEnd(14)} ${r.dir}${tail}\n`,
    );
  }
  req.write(`results: ${resolve(req.outRoot)}\n`);
  if (results.length > 0) {
    const { writeReports } = await import('../../reports/write-reports.ts');
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const outDir = join(resolve(req.outRoot), `${stamp}-suite-${name}`);
    const report = await writeReports(
      results.map((r) => r.dir),
      { outDir, compare: false },
    );
    req.write(`report: ${report.htmlPath}\n`);
  }
  return {
    results,
    passed: results.length === names.length && results.every((r) => r.passed),
    interrupted: req.signal.aborted,
  };
}
