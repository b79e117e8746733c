/**
 * Process exit codes, following k6's numbering (errext/exitcodes/codes.go) so CI scripts written for
 * k6 read ours the same way. Documented in docs/errors.md.
 */
export const ExitCode = {
  ok: 0,
  /** `gate` found a regression or a rule failed (the pull request should not merge). */
  gateFailed: 1,
  /** At least one threshold failed (k6 ThresholdsHaveFailed). */
  thresholdsFailed: 99,
  /** The harness itself broke: a bug, a stack that would not start (k6 GenericEngine). */
  harnessBroken: 103,
  /** Bad flags, scenario or config file (k6 InvalidConfig). */
  invalidConfig: 104,
  /** Interrupted by SIGINT/SIGTERM (k6 ExternalAbort). */
  externalAbort: 105,
} as const;

export type ExitCodeName = keyof typeof ExitCode;
