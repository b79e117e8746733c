import { applyOverrides, type ScenarioOverrides } from '../../harness/config/scenario-overrides.ts';
import { parseScenario } from '../../harness/config/scenario-schema.ts';
import { startLocalForNeeds } from '../../harness/engine/local-stack.ts';
import { runScenario, type RunOutcome } from '../../harness/engine/runner.ts';
import { StackSession, targetFromStack } from '../../harness/engine/stack-session.ts';
import type { RequestSample } from '../../harness/results/schema.ts';
import type { StackHandle } from '../../harness/stack/types.ts';
import { scenarios, type ScenarioName } from '../../scenarios/index.ts';

export { describeWith } from '../harness/stack/support.ts';

export interface ShortRun {
  outcome: RunOutcome;
  samples: RequestSample[];
  stack: StackHandle;
  /** Phase name -> its summary. */
  phase(name: string): RunOutcome['summary']['phases'][number];
}

/** Runs a shipped scenario on the session's local stack with its timeline scaled to `overrides`. */
export async function runShort(
  session: StackSession,
  name: ScenarioName,
  overrides: ScenarioOverrides,
): Promise<ShortRun> {
  const scenario = applyOverrides(parseScenario(scenarios[name]), overrides);
  const stack = await session.prepare(scenario.stack);
  const samples: RequestSample[] = [];
  const outcome = await runScenario({
    scenario,
    target: targetFromStack(stack, scenario),
    runId: `${name}-test-${Date.now()}`,
    onSample: (x) => samples.push(x),
  });
  return {
    outcome,
    samples,
    stack,
    phase(phaseName) {
      const p = outcome.summary.phases.find((x) => x.name === phaseName);
      if (!p)
        throw new Error(`no phase ${phaseName} in ${outcome.summary.phases.map((x) => x.name).join(', ')}`);
      return p;
    },
  };
}

export function newSession(): StackSession {
  return new StackSession((needs) => startLocalForNeeds(needs));
}
