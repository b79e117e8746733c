import { z } from 'zod';

/**
 * k6-style durations ("500ms", "30s", "1m30s", "2h") or a number of seconds, to milliseconds.
 * Returns null when the text is not a duration, so schemas can report it with its path.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDurationMs(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : null;
  const text = value.trim();
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let totalMs = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    totalMs += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? totalMs : null;
}

/** The inverse, for messages and k6 export: 90_000 -> "1m30s", 1500 -> "1500ms". */
export function formatDurationMs(ms: number): string {
  if (ms % 1000 !== 0) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''];
  return parts.join('');
}

/** A zod field taking a duration and giving milliseconds; `what` names it in the message. */
export const durationMsSchema = (what: string) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const ms = parseDurationMs(value);
    if (ms === null) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `${what} must be a duration like "30s", "1m30s" or "500ms" (or seconds as a number), got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return ms;
  });
