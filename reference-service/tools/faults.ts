import { z } from 'zod';
import { InvalidConfigError, zodIssues } from '../../harness/errors.ts';
import type { Rng } from '../../harness/engine/rng.ts';
import { createRandom } from './random.ts';

/**
 * Injected failures, switched at run time (in process or through the admin API). Rates are shares of
 * calls, 0-1, drawn from a seeded stream so a run with the same seed fails the same calls.
 */
export interface ToolFaultSettings {
  /** Share of calls answered `500 {"error":{"code":"injected_fault"}}` after their latency. */
  errorRate: number;
  /** Multiplies every latency draw (2 = twice as slow). */
  latencyMultiplier: number;
  /** Calls never answer while true: they wait until the hang is lifted, then run, or until the client leaves. */
  hang: boolean;
  /** Share of calls whose connection is destroyed without a response (a TCP reset as the client sees it). */
  resetRate: number;
  /** Tools the faults apply to; empty means every tool. */
  tools: string[];
}

export type FaultAction = 'none' | 'error' | 'reset';

const rate = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

export const faultPatchSchema = z
  .object({
    errorRate: rate,
    latencyMultiplier: z.number().gt(0, 'must be > 0').max(1_000, 'must be <= 1000'),
    hang: z.boolean(),
    resetRate: rate,
    tools: z.array(z.string().min(1)).max(64),
  })
  .partial()
  .strict();

export type FaultPatch = z.input<typeof faultPatchSchema>;

const noFaults: Readonly<ToolFaultSettings> = Object.freeze({
  errorRate: 0,
  latencyMultiplier: 1,
  hang: false,
  resetRate: 0,
  tools: [],
});

export class ToolFaults {
  private settings: Readonly<ToolFaultSettings> = noFaults;
  private readonly random: Rng;
  private readonly hanging = new Set<() => void>();

  constructor(seed: number) {
    this.random = createRandom(seed, 'faults');
  }

  state(): Readonly<ToolFaultSettings> {
    return this.settings;
  }

  /** Merges `patch` into the current settings; throws InvalidConfigError listing every problem. */
  set(patch: FaultPatch): Readonly<ToolFaultSettings> {
    const parsed = faultPatchSchema.safeParse(patch);
    if (!parsed.success) {
      const issues = zodIssues(parsed.error);
      throw new InvalidConfigError(
        'tool fault settings',
        issues,
        'errorRate and resetRate are 0-1, latencyMultiplier > 0, hang a boolean, tools a list of tool names.',
      );
    }
    const tools = parsed.data.tools ?? this.settings.tools;
    this.settings = Object.freeze({
      ...this.settings,
      ...parsed.data,
      tools: Object.freeze([...tools]) as string[],
    });
    this.releaseHanging();
    return this.settings;
  }

  reset(): Readonly<ToolFaultSettings> {
    this.settings = noFaults;
    this.releaseHanging();
    return this.settings;
  }

  appliesTo(tool: string): boolean {
    return this.settings.tools.length === 0 || this.settings.tools.includes(tool);
  }

  /**
   * One draw per call decides its fate: reset takes [0, resetRate), error the next errorRate of [0, 1)
   * (so the shares add up, capped at 1). A hang holds the call first; its fate is drawn when released.
   */
  decide(tool: string): FaultAction {
    if (!this.appliesTo(tool)) return 'none';
    const { resetRate, errorRate } = this.settings;
    if (resetRate === 0 && errorRate === 0) return 'none';
    const u = this.random.next();
    if (u < resetRate) return 'reset';
    if (u < resetRate + errorRate) return 'error';
    return 'none';
  }

  isHanging(tool: string): boolean {
    return this.settings.hang && this.appliesTo(tool);
  }

  latencyMultiplierFor(tool: string): number {
    return this.appliesTo(tool) ? this.settings.latencyMultiplier : 1;
  }

  /** Resolves when hanging stops for `tool` (settings changed) or `signal` aborts. */
  waitWhileHanging(tool: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (signal.aborted || !this.isHanging(tool)) {
          this.hanging.delete(check);
          signal.removeEventListener('abort', check);
          resolve();
        }
      };
      this.hanging.add(check);
      signal.addEventListener('abort', check);
      check();
    });
  }

  /** Calls currently held by the hang fault. */
  get hangingCount(): number {
    return this.hanging.size;
  }

  private releaseHanging(): void {
    for (const check of [...this.hanging]) check();
  }
}
