import type { StepInput } from './perf-types.ts';
import { SeqQueue } from './seq-queue.ts';
import { generationError, type InferError } from './infer-errors.ts';
import type { EmittedToken, FinishReason, TokenSource } from './token-stream.ts';

/**
 * Continuous batching as TGI's v3 router does it with prefill chunking (backends/v3/src/queue.rs,
 * backend.rs), one forward step at a time:
 *   - admission is FIFO; when the head of the queue does not fit, admission stops (head-of-line);
 *   - a sequence reserves KV for context + min(max_new_tokens - generated, 1024) tokens against
 *     max_batch_total_tokens; when it has generated its reservation it extends by up to 1024 more,
 *     or, with no room, gives its KV back and re-queues at the front to prefill its whole context
 *     again (TGI re-queues every DEFAULT_GENERATION_LENGTH = 1024 tokens);
 *   - the prefill budget of a step is max_batch_prefill_tokens minus the decoding sequences
 *     (their tokens ride in the same forward pass); unfinished prefills continue first, then new
 *     sequences are admitted, the last one chunked to fit;
 *   - a prefill that completes yields the sequence's next token at the end of that step, as does
 *     every decoding sequence.
 * Pure state: no timers. step-loop.ts asks for a plan, waits the step's duration, then advances it
 * (state only, at the boundary) and delivers its outputs to the sinks (the writes, which may take
 * longer than a step at high fan-out and so must not hold the next boundary back).
 */

export interface SeqTimes {
  queuedAtMs: number;
  /** First admission into the running batch (TGI's "start"); null while queued. */
  admittedAtMs: number | null;
  finishedAtMs: number | null;
}

export interface SeqSink {
  token(emitted: EmittedToken, generatedTokens: number): void;
  end(finish: FinishReason, generatedTokens: number, times: SeqTimes): void;
  fail(error: InferError, generatedTokens: number, times: SeqTimes): void;
}

export interface SeqSpec {
  inputTokens: number;
  maxNewTokens: number;
  source: TokenSource;
  sink: SeqSink;
  /** Inject a generation error before emitting this many tokens (0: at prefill); null: never. */
  failAtToken: number | null;
}

export interface Seq extends SeqSpec {
  readonly id: number;
  state: 'queued' | 'running' | 'done';
  /** The client went away: outputs not yet delivered are dropped. */
  cancelled: boolean;
  /** Tokens to prefill: the prompt, or prompt + generated after a re-queue. */
  contextTokens: number;
  prefilledTokens: number;
  generatedTokens: number;
  reservedTokens: number;
  times: SeqTimes;
}

export interface StepPlan {
  readonly input: StepInput;
  readonly decode: readonly Seq[];
  readonly prefill: readonly { seq: Seq; tokens: number }[];
  /** Sequences admitted from the queue for this step (TGI's next batch). */
  readonly admitted: number;
}

/** What one sequence produced at a step boundary, for deliver(). */
export interface SeqOutput {
  readonly seq: Seq;
  /** null: an injected generation error instead of a token. */
  readonly emitted: EmittedToken | null;
  /** The sequence's count including this token (captured: later steps may advance it first). */
  readonly generatedTokens: number;
  /** Set when this output ends the sequence. */
  readonly finish: FinishReason | null;
}

export interface BatchLimits {
  kvCapacityTokens: number;
  maxBatchPrefillTokens: number;
}

/** TGI's DEFAULT_GENERATION_LENGTH: the generation budget reserved (and validated) per admission. */
export const DEFAULT_GENERATION_LENGTH = 1024;

export class BatchState {
  private readonly queue = new SeqQueue<Seq>();
  private running: Seq[] = [];
  private nextId = 1;
  private queuedCount = 0;
  private reservedTotal = 0;
  /** Sequences dropped because their client went away (tgi_request_failure{err="dropped"}). */
  droppedCount = 0;
  requeuedCount = 0;

  constructor(
    private readonly limits: BatchLimits,
    private readonly nowMs: () => number,
  ) {}

  get queueSize(): number {
    return this.queuedCount;
  }

  get batchSize(): number {
    return this.running.length;
  }

  /** Sum of KV reservations of the running batch (tgi_batch_current_max_tokens). */
  get reservedTokens(): number {
    return this.reservedTotal;
  }

  get idle(): boolean {
    return this.queuedCount === 0 && this.running.length === 0;
  }

  enqueue(spec: SeqSpec): Seq {
    const seq: Seq = {
      ...spec,
      id: this.nextId++,
      state: 'queued',
      cancelled: false,
      contextTokens: spec.inputTokens,
      prefilledTokens: 0,
      generatedTokens: 0,
      reservedTokens: 0,
      times: { queuedAtMs: this.nowMs(), admittedAtMs: null, finishedAtMs: null },
    };
    this.queue.push(seq);
    this.queuedCount++;
    return seq;
  }

  /** The client went away: forget the sequence and give its KV back. */
  cancel(seq: Seq): void {
    if (seq.cancelled) return;
    seq.cancelled = true;
    this.droppedCount++;
    // 'done': finished at a boundary, its last output still undelivered (deliver() drops it).
    if (seq.state === 'done') return;
    if (seq.state === 'queued') this.queuedCount--;
    this.release(seq);
  }

  /** Drops everything (crash, restart) without telling the sinks. */
  clear(): void {
    for (const seq of this.running) seq.state = 'done';
    this.running = [];
    this.queue.clear();
    this.queuedCount = 0;
    this.reservedTotal = 0;
  }

  planStep(): StepPlan | null {
    const decode: Seq[] = [];
    const prefilling: Seq[] = [];
    let decodeContextTokens = 0;
    for (const seq of this.running) {
      if (seq.state !== 'running') continue;
      if (seq.prefilledTokens < seq.contextTokens) {
        prefilling.push(seq);
      } else {
        decode.push(seq);
        decodeContextTokens += seq.inputTokens + seq.generatedTokens;
      }
    }
    let budget = Math.max(0, this.limits.maxBatchPrefillTokens - decode.length);
    const prefill: { seq: Seq; tokens: number }[] = [];
    for (const seq of prefilling) {
      if (budget === 0) break;
      const tokens = Math.min(seq.contextTokens - seq.prefilledTokens, budget);
      prefill.push({ seq, tokens });
      budget -= tokens;
    }
    const admitted = this.admit(budget, prefill);
    if (decode.length === 0 && prefill.length === 0) return null;
    let prefillTokens = 0;
    let prefillContextTokens = 0;
    for (const p of prefill) {
      prefillTokens += p.tokens;
      prefillContextTokens += p.seq.prefilledTokens;
    }
    const input: StepInput = {
      decodeSeqs: decode.length,
      decodeContextTokens,
      prefillTokens,
      prefillContextTokens,
      prefillSeqs: prefill.length,
    };
    return { input, decode, prefill, admitted };
  }

  private admit(budgetTokens: number, prefill: { seq: Seq; tokens: number }[]): number {
    let budget = budgetTokens;
    let admitted = 0;
    const kvFree = (): number => this.limits.kvCapacityTokens - this.reservedTotal;
    while (budget > 0) {
      const head = this.queue.peek();
      if (!head) break;
      if (head.state !== 'queued') {
        this.queue.shift();
        continue;
      }
      const reservation =
        head.contextTokens + Math.min(head.maxNewTokens - head.generatedTokens, DEFAULT_GENERATION_LENGTH);
      if (reservation > kvFree()) break;
      this.queue.shift();
      this.queuedCount--;
      head.state = 'running';
      head.reservedTokens = reservation;
      this.reservedTotal += reservation;
      head.times.admittedAtMs ??= this.nowMs();
      this.running.push(head);
      admitted++;
      const tokens = Math.min(head.contextTokens, budget);
      prefill.push({ seq: head, tokens });
      budget -= tokens;
    }
    return admitted;
  }

  /**
   * The step's forward pass is over: advances prefills, draws each finished position's token, ends,
   * fails, extends or re-queues sequences (KV is freed here), so the next step can be planned at
   * once. The returned outputs are in emission order; deliver() them in that order.
   */
  advanceStep(plan: StepPlan): SeqOutput[] {
    const outputs: SeqOutput[] = [];
    for (const { seq, tokens } of plan.prefill) {
      if (seq.state !== 'running') continue;
      seq.prefilledTokens += tokens;
      if (seq.prefilledTokens === seq.contextTokens) outputs.push(this.produce(seq));
    }
    for (const seq of plan.decode) {
      if (seq.state === 'running') outputs.push(this.produce(seq));
    }
    this.running = this.running.filter((s) => s.state === 'running');
    return outputs;
  }

  /** The write half of a step: one output to its sink, unless its client went away. */
  deliver(output: SeqOutput): void {
    const { seq, emitted, generatedTokens, finish } = output;
    if (seq.cancelled) return;
    if (emitted === null) {
      seq.sink.fail(generationError('Server error: injected fault'), generatedTokens, seq.times);
      return;
    }
    seq.sink.token(emitted, generatedTokens);
    // The sink may have cancelled it (client gone mid-write).
    if (finish !== null && !seq.cancelled) seq.sink.end(finish, generatedTokens, seq.times);
  }

  private produce(seq: Seq): SeqOutput {
    if (seq.failAtToken !== null && seq.generatedTokens >= seq.failAtToken) {
      this.release(seq);
      seq.times.finishedAtMs = this.nowMs();
      return { seq, emitted: null, generatedTokens: seq.generatedTokens, finish: null };
    }
    const emitted = seq.source.next();
    seq.generatedTokens++;
    const generatedTokens = seq.generatedTokens;
    if (emitted.finish !== null || generatedTokens >= seq.maxNewTokens) {
      this.release(seq);
      seq.times.finishedAtMs = this.nowMs();
      return { seq, emitted, generatedTokens, finish: emitted.finish ?? 'length' };
    }
    if (seq.inputTokens + generatedTokens >= seq.reservedTokens) this.extend(seq);
    return { seq, emitted, generatedTokens, finish: null };
  }

  private extend(seq: Seq): void {
    const more = Math.min(seq.maxNewTokens - seq.generatedTokens, DEFAULT_GENERATION_LENGTH);
    if (more <= this.limits.kvCapacityTokens - this.reservedTotal) {
      seq.reservedTokens += more;
      this.reservedTotal += more;
      return;
    }
    this.reservedTotal -= seq.reservedTokens;
    seq.reservedTokens = 0;
    seq.state = 'queued';
    seq.contextTokens = seq.inputTokens + seq.generatedTokens;
    seq.prefilledTokens = 0;
    this.queue.unshift(seq);
    this.queuedCount++;
    this.requeuedCount++;
  }

  private release(seq: Seq): void {
    this.reservedTotal -= seq.reservedTokens;
    seq.reservedTokens = 0;
    seq.state = 'done';
  }
}
