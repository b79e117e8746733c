import { AgentloadError } from '../harness/errors.ts';

/** Errors of the capacity planner. All are bad input: the CLI maps them to exit code 104. */
export abstract class PlannerInputError extends AgentloadError {
  override readonly badInput = true;
}

/** A --from path, demand file or policy file does not exist or cannot be read. */
export class PlanInputMissingError extends PlannerInputError {
  readonly code = 'AL_PLAN_INPUT_MISSING';
}

/** A results directory has a summary but no sweep steps to build a capacity curve from. */
export class NoSweepError extends PlannerInputError {
  readonly code = 'AL_PLAN_NO_SWEEP';
}

/** No measured load meets every SLO target, so there is no goodput to plan on. */
export class SloUnmetError extends PlannerInputError {
  readonly code = 'AL_PLAN_SLO_UNMET';
}

/** Inputs that cannot be planned on together (mixed load axes, missing demand, no curves). */
export class PlanInputError extends PlannerInputError {
  readonly code = 'AL_PLAN_INPUT';
}
