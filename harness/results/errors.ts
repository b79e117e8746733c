import { AgentloadError, type ValidationIssue } from '../errors.ts';

/** A results directory or file is missing, unreadable, or not what schema.ts describes. */
export class InvalidResultsError extends AgentloadError {
  readonly code = 'AL_INVALID_RESULTS';
  override readonly badInput = true;
  readonly issues: readonly ValidationIssue[];

  constructor(
    message: string,
    options: { issues?: readonly ValidationIssue[]; hint?: string; cause?: unknown } = {},
  ) {
    const lines = (options.issues ?? []).map((i) => `\n  - ${i.path || '(root)'}: ${i.message}`).join('');
    super(`${message}${lines}`, {
      hint:
        options.hint ??
        'Point at a directory written by `agentload run` (results/<time>-<scenario>/); a run that was killed may have left it incomplete.',
      cause: options.cause,
    });
    this.issues = options.issues ?? [];
  }
}

/** Results could not be written (permissions, full disk). */
export class ResultsWriteError extends AgentloadError {
  readonly code = 'AL_RESULTS_WRITE';
}
