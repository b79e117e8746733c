/**
 * Rebuilding RequestSamples from an exported script's k6 output. Each request left one
 * `agentload_requests` point whose metadata (runtime.k6.js `record`) holds its epoch-ms times and
 * fields, and one `itl_ms` point per token gap carrying the same `al_req`; gaps are taken in file
 * order, which is the order the VU added them. Times become ms since the run's start, the earliest
 * `al_run_start` over every file (runners of one k6-operator TestRun start together).
 */
import type { RequestSample } from '../results/schema.ts';
import { K6OutputError } from './errors.ts';
import type { K6Point } from './k6-json.ts';

export const RECORD_METRIC = 'agentload_requests';

/** The epoch-ms fields of one record, still to be shifted onto the run's clock. */
export interface RequestRecord {
  id: string;
  runStartMs: number;
  sample: RequestSample;
}

function num(meta: Record<string, string>, key: string, where: string): number {
  const v = Number(meta[key]);
  if (meta[key] === undefined || !Number.isFinite(v)) {
    throw new K6OutputError(
      `${where}: agentload_requests metadata ${key}=${String(meta[key])} is not a number`,
      {
        hint: 'The file was not written by a script from `agentload export k6`, or by an older one; re-export it.',
      },
    );
  }
  return v;
}

const orNull = (s: string | undefined): string | null => (s === undefined || s === '' ? null : s);

/** One record point to a sample in epoch ms (shifted later by `onRunClock`). */
export function recordOf(point: K6Point, where: string): RequestRecord {
  const m = point.metadata;
  const id = m['al_req'];
  if (!id) throw new K6OutputError(`${where}: an agentload_requests point without al_req metadata`);
  const at = (key: string): number | null => {
    const v = num(m, key, where);
    return v > 0 ? v : null;
  };
  const t0 = num(m, 'al_t0', where);
  const inputTokens = num(m, 'al_in', where);
  const turn = Number(m['al_turn']);
  return {
    id,
    runStartMs: num(m, 'al_run_start', where),
    sample: {
      scheduledAtMs: t0,
      sentAtMs: t0,
      firstByteMs: at('al_first_byte'),
      firstTokenMs: at('al_first_token'),
      tokenGapsMs: [],
      endMs: num(m, 'al_end', where),
      inputTokens: inputTokens >= 0 ? inputTokens : null,
      outputTokens: Math.max(0, Math.round(num(m, 'al_out', where))),
      tokenSource: m['al_src'] === 'usage' ? 'usage' : 'counted',
      status: num(m, 'al_status', where),
      errorClass: orNull(m['al_error']),
      degraded: m['al_degraded'] === '1',
      tenant: orNull(m['al_tenant']),
      session: orNull(m['al_session']),
      turn: Number.isInteger(turn) && turn > 0 ? turn : null,
      replica: orNull(m['al_replica']),
      phase: orNull(m['al_phase']),
    },
  };
}

/** The sample on the run's clock (ms since `runStartMs`). */
export function onRunClock(sample: RequestSample, runStartMs: number): RequestSample {
  const shift = (v: number | null): number | null => (v === null ? null : v - runStartMs);
  return {
    ...sample,
    scheduledAtMs: sample.scheduledAtMs - runStartMs,
    sentAtMs: sample.sentAtMs - runStartMs,
    firstByteMs: shift(sample.firstByteMs),
    firstTokenMs: shift(sample.firstTokenMs),
    endMs: sample.endMs - runStartMs,
  };
}
