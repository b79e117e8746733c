import { AgentloadError } from '../errors.ts';

/** A k6 `--out json` file is missing, unreadable, or has lines that are not k6 Metric/Point objects. */
export class K6OutputError extends AgentloadError {
  readonly code = 'AL_K6_OUTPUT';
  override readonly badInput = true;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, {
      hint:
        options.hint ??
        'Give the files k6 wrote with `k6 run --out json=FILE` (.json or .json.gz), complete: a runner that was killed leaves a cut-off last line.',
      cause: options.cause,
    });
  }
}
