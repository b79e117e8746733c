import { z } from 'zod';
import { InvalidConfigError, zodIssues } from '../../harness/errors.ts';
import { createSimRng, hashSeed, type SimRng } from './rng.ts';

/** Faults a scenario can inject; every field has a neutral value, restored by reset(). */
export interface FaultState {
  /** Share of requests that fail with a generation error (424, or an SSE error event), 0-1. */
  errorRate: number;
  /** Every forward step takes this many times its modelled duration, > 0. */
  latencyMultiplier: number;
  /** No step runs: streams stall without closing, new requests queue, /health does not answer. */
  hang: boolean;
  /** Share of tool calls whose `arguments` are not valid JSON, 0-1. */
  malformedToolCallRate: number;
}

export const NEUTRAL_FAULTS: Readonly<FaultState> = Object.freeze({
  errorRate: 0,
  latencyMultiplier: 1,
  hang: false,
  malformedToolCallRate: 0,
});

export const faultPatchSchema = z
  .object({
    errorRate: z.number().min(0).max(1),
    latencyMultiplier: z.number().positive().finite(),
    hang: z.boolean(),
    malformedToolCallRate: z.number().min(0).max(1),
  })
  .partial()
  .strict();

export type FaultPatch = z.infer<typeof faultPatchSchema>;

/** What `startModelServer(...).faults` offers; the admin API (/admin/faults) maps onto the same calls. */
export interface ModelServerFaults {
  state(): FaultState;
  /** Sets several faults at once; throws InvalidConfigError listing every bad field. */
  set(patch: FaultPatch): FaultState;
  setErrorRate(rate: number): FaultState;
  setLatencyMultiplier(multiplier: number): FaultState;
  setHang(hang: boolean): FaultState;
  setMalformedToolCallRate(rate: number): FaultState;
  /** The process dies: listener and every socket destroyed at once (CLI mode: the process exits). */
  crash(): void;
  /** Crash, then a cold start: the port is closed for loadTimeSec, then listens again on the same port. */
  restart(options?: { loadTimeSec?: number }): Promise<void>;
  /** Back to NEUTRAL_FAULTS. */
  reset(): FaultState;
}

export function parseFaultPatch(value: unknown): FaultPatch {
  const parsed = faultPatchSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidConfigError(
    'fault settings',
    zodIssues(parsed.error),
    'errorRate and malformedToolCallRate are 0-1, latencyMultiplier > 0, hang a boolean.',
  );
}

/** The live fault state of one server, with the seeded draws that apply it to requests. */
export class FaultController {
  private current: FaultState = { ...NEUTRAL_FAULTS };
  private readonly rng: SimRng;

  constructor(
    seed: number,
    private readonly onHangChange: (hang: boolean) => void,
  ) {
    this.rng = createSimRng(hashSeed(seed, 'faults'));
  }

  state(): FaultState {
    return { ...this.current };
  }

  apply(patch: FaultPatch): FaultState {
    const valid = parseFaultPatch(patch);
    const wasHung = this.current.hang;
    this.current = { ...this.current, ...valid };
    if (wasHung !== this.current.hang) this.onHangChange(this.current.hang);
    return this.state();
  }

  reset(): FaultState {
    return this.apply({ ...NEUTRAL_FAULTS });
  }

  get hang(): boolean {
    return this.current.hang;
  }

  get latencyMultiplier(): number {
    return this.current.latencyMultiplier;
  }

  /** Token position at which a new request fails, uniform over its expected output; null: it does not. */
  drawFailure(expectedTokens: number): number | null {
    if (this.current.errorRate <= 0 || this.rng.next() >= this.current.errorRate) return null;
    return Math.floor(this.rng.next() * Math.max(1, expectedTokens));
  }

  drawMalformedToolCall(): boolean {
    return this.current.malformedToolCallRate > 0 && this.rng.next() < this.current.malformedToolCallRate;
  }

  /** TGI's liveness prefill after a generation error: fails as often as requests do. */
  drawHealthCheckFailure(): boolean {
    return this.current.errorRate > 0 && this.rng.next() < this.current.errorRate;
  }
}
