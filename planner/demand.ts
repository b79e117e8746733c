/**
 * Demand: the peak to size for and, when given, its shape over time.
 * Peak from users: lambda = concurrent users x turns per minute / 60 (each turn one request).
 * The curve is linear between (atSec, fractionOfPeak) points; a spike multiplies it while it lasts.
 * Without a daily curve but with spikes, the base is the peak, held until 10 min after the last spike.
 */
import { z } from 'zod';
import { InvalidConfigError, zodIssues } from '../harness/errors.ts';
import { interpolate } from './monotone.ts';
import type { Demand, Reasoning } from './types.ts';

const positive = z.number().finite().positive();
const nonNegative = z.number().finite().nonnegative();

export const demandSchema = z
  .object({
    peakRequestsPerSec: positive.optional(),
    users: z.object({ concurrent: positive, turnsPerMinute: positive }).strict().optional(),
    meanInputTokens: nonNegative.optional(),
    meanOutputTokens: positive.optional(),
    arrivalScv: nonNegative.optional(),
    serviceScv: nonNegative.optional(),
    daily: z
      .array(z.object({ atSec: nonNegative, fractionOfPeak: nonNegative }).strict())
      .min(2)
      .optional(),
    spikes: z
      .array(z.object({ atSec: nonNegative, durationSec: positive, multiplier: positive }).strict())
      .optional(),
    tenants: z
      .array(
        z
          .object({
            name: z.string().min(1),
            share: positive,
            meanInputTokens: nonNegative.optional(),
            meanOutputTokens: positive.optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict()
  .refine((d) => d.peakRequestsPerSec !== undefined || d.users !== undefined, {
    message: 'give peakRequestsPerSec, or users { concurrent, turnsPerMinute }',
  });

/** Validates a demand description; every problem is listed with its path. */
export function parseDemand(value: unknown, source: string): Demand {
  const parsed = demandSchema.safeParse(value);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    throw new InvalidConfigError(source, issues, 'See docs/planner.md "Demand" for the fields.');
  }
  return Object.freeze(parsed.data);
}

export function peakRatePerSec(demand: Demand): { value: number; reasoning: Reasoning } {
  if (demand.peakRequestsPerSec !== undefined) {
    return {
      value: demand.peakRequestsPerSec,
      reasoning: { name: 'peak requests/s', formula: 'given', inputs: {}, value: demand.peakRequestsPerSec },
    };
  }
  const { concurrent, turnsPerMinute } = demand.users!;
  const value = (concurrent * turnsPerMinute) / 60;
  return {
    value,
    reasoning: {
      name: 'peak requests/s',
      formula: 'lambda = concurrent users x turns per minute / 60',
      inputs: { concurrent, turnsPerMinute },
      value,
    },
  };
}

function hasTimeShape(demand: Demand): boolean {
  return demand.daily !== undefined || (demand.spikes?.length ?? 0) > 0;
}

/** Requests/s at each step of the demand curve; empty when the demand has no time shape. */
export function demandSeries(demand: Demand, peakPerSec: number, stepSec: number): number[] {
  if (!hasTimeShape(demand)) return [];
  const daily = [...(demand.daily ?? [])].sort((a, b) => a.atSec - b.atSec);
  const spikes = demand.spikes ?? [];
  const spikeEnd = Math.max(0, ...spikes.map((s) => s.atSec + s.durationSec));
  const horizon = daily.length > 0 ? daily[daily.length - 1]!.atSec : spikeEnd + 600;
  const xs = daily.map((p) => p.atSec);
  const ys = daily.map((p) => p.fractionOfPeak);
  const steps = Math.max(1, Math.floor(horizon / stepSec));
  const out: number[] = new Array<number>(steps);
  for (let i = 0; i < steps; i += 1) {
    const t = i * stepSec;
    let rate = peakPerSec * (daily.length > 0 ? interpolate(xs, ys, t) : 1);
    for (const s of spikes) if (t >= s.atSec && t < s.atSec + s.durationSec) rate *= s.multiplier;
    out[i] = rate;
  }
  return out;
}

export function meanOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}
