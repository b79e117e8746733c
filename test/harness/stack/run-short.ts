import type { ScenarioInput } from '../../../harness/config/scenario-schema.ts';
import { parseScenario } from '../../../harness/config/scenario-schema.ts';
import { applyOverrides } from '../../../harness/config/scenario-overrides.ts';
import { runScenario, type RunOutcome } from '../../../harness/engine/runner.ts';
import { targetFromStack } from '../../../harness/engine/stack-session.ts';
import type { StackHandle } from '../../../harness/stack/types.ts';

/** Runs a shipped scenario against a started stack, its timeline scaled to `durationSec`. */
export async function runShort(
  handle: StackHandle,
  input: ScenarioInput,
  durationSec: number,
  ratePerSec?: number,
): Promise<RunOutcome> {
  const scenario = applyOverrides(parseScenario(input), {
    durationSec,
    ...(ratePerSec === undefined ? {} : { ratePerSec }),
  });
  return runScenario({
    scenario,
    target: targetFromStack(handle, scenario),
    runId: `test-${scenario.name}-${Date.now()}`,
  });
}
