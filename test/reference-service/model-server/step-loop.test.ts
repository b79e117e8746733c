import { describe, expect, it } from 'vitest';
import type { BatchState, SeqOutput, StepPlan } from '../../../reference-service/model-server/batch-state.ts';
import { StepLoop, type StepRecord } from '../../../reference-service/model-server/step-loop.ts';
import { createYoungGc } from '../../../reference-service/model-server/young-gc.ts';

/** A batch that plans `steps` decode steps of one sequence and releases one output per boundary. */
function fakeBatch(steps: number): { batch: BatchState; delivered: () => number } {
  let planned = 0;
  let delivered = 0;
  const batch = {
    batchSize: 1,
    queueSize: 0,
    planStep: (): StepPlan | null =>
      planned++ < steps
        ? ({
            input: { prefillTokens: 0, decodeSeqs: 1, decodeContextTokens: 10 },
            decode: [],
            prefill: [],
          } as unknown as StepPlan)
        : null,
    advanceStep: (): SeqOutput[] => [{} as SeqOutput],
    deliver: (): void => void delivered++,
  };
  return { batch: batch as unknown as BatchState, delivered: () => delivered };
}

function runLoop(
  stepMs: number,
  steps: number,
  collect: (() => boolean) | null,
): Promise<StepRecord[]> & { delivered: () => number } {
  const { batch, delivered } = fakeBatch(steps);
  const records: StepRecord[] = [];
  const done = new Promise<StepRecord[]>((resolve) => {
    const loop = new StepLoop({
      batch,
      stepMs: () => stepMs,
      isHung: () => false,
      nowMs: () => performance.now(),
      onStep: (r) => records.push(r),
      onIdle: () => resolve(records),
      spinMs: 1,
      collectYoungGarbage: collect,
    });
    loop.kick();
  });
  return Object.assign(done, { delivered });
}

describe('token writes between step boundaries', () => {
  it("writes every released output, the last boundary's after the loop has gone idle", async () => {
    const run = runLoop(3, 5, null);
    const records = await run;
    expect(records.map((r) => r.backlog)).toEqual([0, 0, 0, 0, 0]);
    // The fifth boundary's output is released as the loop finds no more work; it is written on a
    // later loop turn.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(run.delivered()).toBe(5);
  });
});

describe('young garbage collected in the slack between step boundaries', () => {
  it('offers the slack once per boundary when a step leaves at least 4 ms after its writes', async () => {
    let offers = 0;
    const records = await runLoop(10, 6, () => {
      offers++;
      return true;
    });
    expect(records).toHaveLength(6);
    // At most once for each of the 6 boundaries (a boundary reached late on a busy machine may
    // leave less than 4 ms and get no offer), however many loop turns the wait took.
    expect(offers).toBeGreaterThan(0);
    expect(offers).toBeLessThanOrEqual(6);
  });

  it('does not collect when the step is too short to leave that slack', async () => {
    let offers = 0;
    await runLoop(2, 6, () => {
      offers++;
      return true;
    });
    expect(offers).toBe(0);
  });

  it('gets V8 gc without --expose-gc and collects only once the young generation is half full', () => {
    const collect = createYoungGc();
    expect(collect).not.toBeNull();
    /** Allocates garbage until collect() scavenges; returns how many objects that took (-1: never). */
    const allocateUntilCollected = (): number => {
      for (let i = 0; i < 1_000_000; i++) {
        const garbage = { i, s: `garbage ${i}` };
        if (garbage.i % 100 === 0 && collect!()) return i;
      }
      return -1;
    };
    // Start from a scavenge collect() ran itself (a call below half full collects nothing).
    expect(allocateUntilCollected()).toBeGreaterThanOrEqual(0);
    expect(collect!()).toBe(false); // nearly empty right after a scavenge
    const collectedAfter = allocateUntilCollected();
    // Some allocation was needed first (the generation starts at 1 MiB or more), then it collected.
    expect(collectedAfter).toBeGreaterThan(1_000);
    expect(collect!()).toBe(false);
  });
});
