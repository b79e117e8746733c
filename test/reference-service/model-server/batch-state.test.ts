import { describe, expect, it } from 'vitest';
import {
  BatchState,
  type Seq,
  type SeqSpec,
  type StepPlan,
} from '../../../reference-service/model-server/batch-state.ts';
import type { InferError } from '../../../reference-service/model-server/infer-errors.ts';
import type { FinishReason, TokenSource } from '../../../reference-service/model-server/token-stream.ts';
import { periodToken } from '../../../reference-service/model-server/vocab.ts';

interface Recorded {
  tokens: number;
  finish: FinishReason | null;
  error: InferError | null;
}

function counter(maxNewTokens: number): TokenSource {
  let n = 0;
  return {
    next: () => ({ token: periodToken, logprob: 0, finish: ++n >= maxNewTokens ? 'length' : null }),
  };
}

function makeBatch(kvCapacityTokens: number, maxBatchPrefillTokens = 10_000): BatchState {
  return new BatchState({ kvCapacityTokens, maxBatchPrefillTokens }, () => 0);
}

function add(
  batch: BatchState,
  inputTokens: number,
  maxNewTokens: number,
  overrides: Partial<SeqSpec> = {},
): { seq: Seq; rec: Recorded } {
  const rec: Recorded = { tokens: 0, finish: null, error: null };
  const seq = batch.enqueue({
    inputTokens,
    maxNewTokens,
    source: counter(maxNewTokens),
    failAtToken: null,
    sink: {
      token: () => void rec.tokens++,
      end: (finish) => void (rec.finish = finish),
      fail: (error) => void (rec.error = error),
    },
    ...overrides,
  });
  return { seq, rec };
}

/** The step loop's boundary: advance the state, then deliver every output in order. */
function complete(batch: BatchState, plan: StepPlan): void {
  for (const output of batch.advanceStep(plan)) batch.deliver(output);
}

/** Plans and completes one step; returns the plan. */
function step(batch: BatchState) {
  const plan = batch.planStep();
  if (plan) complete(batch, plan);
  return plan;
}

describe('BatchState admission', () => {
  it('reserves input + min(max_new_tokens, 1024) KV tokens per admitted sequence', () => {
    const batch = makeBatch(100_000);
    add(batch, 100, 50);
    add(batch, 200, 5000);
    step(batch);
    expect(batch.reservedTokens).toBe(100 + 50 + 200 + 1024);
    expect(batch.batchSize).toBe(2);
  });

  it('stops admitting at a head that does not fit, even when a later request would (head-of-line)', () => {
    const batch = makeBatch(1000);
    add(batch, 500, 100); // reserves 600
    const blocked = add(batch, 400, 100); // needs 500 > 400 free
    const small = add(batch, 10, 10); // would fit
    const plan = batch.planStep()!;
    expect(plan.admitted).toBe(1);
    expect(batch.queueSize).toBe(2);
    complete(batch, plan);
    expect(blocked.rec.tokens).toBe(0);
    expect(small.rec.tokens).toBe(0);
  });

  it('admits the blocked head once the running sequence finishes and frees its KV', () => {
    const batch = makeBatch(1000);
    const first = add(batch, 700, 3); // reserves 703: the second (403) must wait
    const second = add(batch, 400, 3);
    const sizes: number[] = [];
    for (let i = 0; i < 10 && !batch.idle; i++) sizes.push(step(batch)!.input.decodeSeqs);
    expect(first.rec.finish).toBe('length');
    expect(second.rec.finish).toBe('length');
    expect(Math.max(...sizes)).toBe(1);
    expect(batch.reservedTokens).toBe(0);
  });
});

describe('BatchState steps', () => {
  it('chunks a prompt larger than the prefill budget over several steps, with decodes riding along', () => {
    const batch = makeBatch(100_000, 100);
    const running = add(batch, 10, 50);
    step(batch); // prefill of the first sequence; it yields its first token
    const long = add(batch, 250, 5);
    const inputs = [step(batch)!.input, step(batch)!.input, step(batch)!.input];
    // Budget 100 minus one decoding sequence = 99 prompt tokens per step.
    expect(inputs.map((i) => i.prefillTokens)).toEqual([99, 99, 52]);
    expect(inputs.every((i) => i.decodeSeqs === 1)).toBe(true);
    expect(inputs.map((i) => i.prefillContextTokens)).toEqual([0, 99, 198]);
    expect(long.rec.tokens).toBe(1); // its prefill completed in the third step
    expect(running.rec.tokens).toBe(4);
  });

  it('emits one token per decoding sequence per step and ends at max_new_tokens', () => {
    const batch = makeBatch(100_000);
    const a = add(batch, 5, 4);
    const b = add(batch, 5, 2);
    const plans = [];
    while (!batch.idle) plans.push(step(batch)!.input);
    expect(plans.map((p) => p.decodeSeqs)).toEqual([0, 2, 1, 1]);
    expect([a.rec.tokens, b.rec.tokens]).toEqual([4, 2]);
    expect(batch.planStep()).toBeNull();
  });

  it('extends the reservation by up to 1024 tokens when a long generation uses its first one', () => {
    const batch = makeBatch(100_000);
    const { seq } = add(batch, 10, 3000);
    for (let i = 0; i < 1024; i++) step(batch);
    expect(seq.generatedTokens).toBe(1024);
    expect(seq.reservedTokens).toBe(10 + 2048);
  });

  it('re-queues a sequence at the front, to prefill its whole context again, when KV cannot grow', () => {
    const batch = makeBatch(2100);
    const a = add(batch, 10, 1500); // reserves 10 + 1024
    const b = add(batch, 10, 1500); // reserves 10 + 1024: 2068 of 2100 in use
    for (let i = 0; i < 1025; i++) step(batch);
    // a emitted its 1024th token first and found 32 tokens free: back to the queue; b then grew.
    expect(a.seq.state).toBe('queued');
    expect(a.seq.contextTokens).toBe(10 + 1024);
    expect(b.seq.reservedTokens).toBe(10 + 1500);
    let steps = 0;
    while (!batch.idle && steps++ < 5000) step(batch);
    expect([a.rec.tokens, b.rec.tokens]).toEqual([1500, 1500]);
    expect(batch.requeuedCount).toBe(1);
  });

  it('frees the KV of a cancelled sequence and skips it in the queue', () => {
    const batch = makeBatch(1000);
    const running = add(batch, 500, 100);
    const queued = add(batch, 600, 100);
    step(batch);
    batch.cancel(queued.seq);
    expect(batch.queueSize).toBe(0);
    batch.cancel(running.seq);
    expect(batch.reservedTokens).toBe(0);
    expect(batch.droppedCount).toBe(2);
    expect(step(batch)).toBeNull();
  });

  it('drops the undelivered last output of a sequence whose client went away after it finished', () => {
    const batch = makeBatch(1000);
    const { seq, rec } = add(batch, 5, 1);
    const outputs = batch.advanceStep(batch.planStep()!);
    expect(seq.state).toBe('done');
    expect(batch.reservedTokens).toBe(0);
    batch.cancel(seq);
    batch.cancel(seq);
    for (const output of outputs) batch.deliver(output);
    expect(rec).toEqual({ tokens: 0, finish: null, error: null });
    expect(batch.droppedCount).toBe(1);
  });

  it('fails a sequence with a generation error at its injected position', () => {
    const batch = makeBatch(10_000);
    const { rec } = add(batch, 5, 10, { failAtToken: 3 });
    while (!batch.idle) step(batch);
    expect(rec.tokens).toBe(3);
    expect(rec.error?.status).toBe(424);
    expect(rec.error?.message).toMatch(/^Request failed during generation: /);
    expect(batch.reservedTokens).toBe(0);
  });
});
