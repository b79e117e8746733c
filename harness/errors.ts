/**
 * Every error the product raises on purpose. Callers match on `code` (stable, documented in
 * docs/errors.md, kept in step by test/harness/errors.test.ts); `hint` says how to fix it.
 */
export abstract class AgentloadError extends Error {
  abstract readonly code: string;
  readonly hint: string | undefined;
  /**
   * The user's input is wrong (flags, files, paths they named): the CLI exits 104, not 103. Errors
   * of the stack, the network or the harness itself leave it false.
   */
  readonly badInput: boolean = false;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** One problem found while validating input, with the path to the offending value. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** `phases[1].at`: the path of a value inside a config, as messages print it. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

/** A zod error's issues as ValidationIssues (typed by shape, so this module needs no zod). */
export function zodIssues(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): ValidationIssue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

/** Bad configuration: a scenario file, CLI flags, a config file. Lists every problem at once. */
export class InvalidConfigError extends AgentloadError {
  readonly code = 'AL_INVALID_CONFIG';
  override readonly badInput = true;
  readonly issues: readonly ValidationIssue[];

  constructor(source: string, issues: readonly ValidationIssue[], hint?: string) {
    const lines = issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n');
    super(`Invalid ${source}:\n${lines}`, { hint: hint ?? `Fix the values listed above in ${source}.` });
    this.issues = issues;
  }
}

export class TargetUnreachableError extends AgentloadError {
  readonly code = 'AL_TARGET_UNREACHABLE';
}

export class DependencyMissingError extends AgentloadError {
  readonly code = 'AL_DEPENDENCY_MISSING';
}

export class StackStartError extends AgentloadError {
  readonly code = 'AL_STACK_START';
}

export class HarnessError extends AgentloadError {
  readonly code = 'AL_HARNESS';
}

export function isAgentloadError(value: unknown): value is AgentloadError {
  return value instanceof AgentloadError;
}
