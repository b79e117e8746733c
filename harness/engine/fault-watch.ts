import type { RequestSample } from '../results/schema.ts';

export interface FirstSuccess {
  label: string;
  atSec: number;
  /** From the fault to the end of the first full (not degraded) answer scheduled after it; null: none. */
  afterSec: number | null;
}

/**
 * Time to first success after each fault: for a cold start, how long until a turn gets a full
 * answer again. Degraded answers (the agent's fallback while the model is away) do not count, nor
 * do turns scheduled before the fault, so a turn already in flight does not make it look healthy.
 */
export class FaultWatch {
  private readonly open: { label: string; atMs: number; firstOkMs: number | null }[] = [];

  faultApplied(label: string, atMs: number): void {
    this.open.push({ label, atMs, firstOkMs: null });
  }

  add(sample: RequestSample): void {
    if (sample.errorClass !== null || sample.degraded) return;
    for (const w of this.open) {
      if (w.firstOkMs === null && sample.scheduledAtMs >= w.atMs) w.firstOkMs = sample.endMs;
    }
  }

  results(): FirstSuccess[] {
    return this.open.map((w) => ({
      label: w.label,
      atSec: w.atMs / 1000,
      afterSec: w.firstOkMs === null ? null : (w.firstOkMs - w.atMs) / 1000,
    }));
  }
}
