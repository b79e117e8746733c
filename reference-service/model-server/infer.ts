import { DEFAULT_GENERATION_LENGTH, type BatchState, type Seq, type SeqTimes } from './batch-state.ts';
import type { FaultController } from './faults.ts';
import type { InferError } from './infer-errors.ts';
import { sampleValue } from './json-schema-sample.ts';
import type { TgiMetrics } from './metrics.ts';
import type { Profile } from './perf-types.ts';
import { eosLengthTokens } from './profiles.ts';
import { createSimRng, hashSeed } from './rng.ts';
import type { StepLoop } from './step-loop.ts';
import {
  createListSource,
  createTextSource,
  type EmittedToken,
  type FinishReason,
  type TokenSource,
} from './token-stream.ts';
import { segment } from './tokenizer.ts';
import type { ValidRequest } from './validation.ts';
import { eosToken, textToken, type VocabToken } from './vocab.ts';

/**
 * One request's way through the server, as TGI's Infer does it (router/src/infer/mod.rs): a
 * concurrency permit first (try-acquire, no waiting: full means 429), then validation, then the
 * queue. The permit is held until the answer is complete or the client goes away. Metrics are
 * recorded here, at the same points TGI records them.
 */

export interface RequestTiming {
  validationMs: number;
  queueMs: number;
  inferenceMs: number;
  totalMs: number;
  timePerTokenMs: number;
}

export interface GenerationResult {
  finish: FinishReason;
  generatedTokens: number;
  inputTokens: number;
  seed: number | null;
  timing: RequestTiming;
}

/** What a route does with a request's tokens; called at step boundaries, synchronously. */
export interface RequestSink {
  token(emitted: EmittedToken, index: number): void;
  end(result: GenerationResult): void;
  fail(error: InferError): void;
}

/** What the request generates: prose (or a `json` grammar's document), or a fixed token list (a tool call). */
export type ContentPlan = { kind: 'text' } | { kind: 'tokens'; tokens: readonly VocabToken[] };

export interface Permit {
  release(): void;
}

export interface Submitted {
  /** The client went away: drop the request (tgi_request_failure{err="dropped"}) and free its permit. */
  cancel(): void;
}

export interface InferenceDeps {
  maxConcurrentRequests: number;
  seed: number;
  profile: Profile;
  batch: BatchState;
  loop: StepLoop;
  metrics: TgiMetrics;
  faults: FaultController;
  nowMs(): number;
}

function requestTiming(
  receivedAtMs: number,
  validatedAtMs: number,
  generated: number,
  t: SeqTimes,
  nowMs: number,
): RequestTiming {
  const admittedAtMs = t.admittedAtMs ?? t.queuedAtMs;
  const finishedAtMs = t.finishedAtMs ?? nowMs;
  const inferenceMs = finishedAtMs - admittedAtMs;
  return {
    validationMs: validatedAtMs - receivedAtMs,
    queueMs: admittedAtMs - t.queuedAtMs,
    inferenceMs,
    totalMs: finishedAtMs - receivedAtMs,
    timePerTokenMs: generated > 0 ? inferenceMs / generated : 0,
  };
}

export class Inference {
  private inFlight = 0;
  private healthy = true;
  private readonly eos: VocabToken;

  constructor(private readonly deps: InferenceDeps) {
    this.eos = eosToken(deps.profile.model.vocabSize);
  }

  get inFlightRequests(): number {
    return this.inFlight;
  }

  /** Counts the request (tgi_request_count) and returns its arrival time. */
  received(): number {
    this.deps.metrics.requestReceived();
    return this.deps.nowMs();
  }

  tryAcquire(): Permit | null {
    if (this.inFlight >= this.deps.maxConcurrentRequests) {
      this.deps.metrics.requestFailed('overloaded');
      return null;
    }
    this.inFlight++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
      },
    };
  }

  /** A request refused before the queue (validation, template, tool choice). */
  rejected(error: InferError): void {
    this.deps.metrics.requestFailed(error.metricErr);
  }

  /** A seed for sampling requests that gave none: derived from the prompt, so runs repeat. */
  derivedSeed(inputs: string): number {
    return hashSeed(this.deps.seed, 'seed', inputs);
  }

  submit(
    req: ValidRequest,
    plan: ContentPlan,
    permit: Permit,
    receivedAtMs: number,
    sink: RequestSink,
  ): Submitted {
    const { batch, metrics, faults } = this.deps;
    const validatedAtMs = this.deps.nowMs();
    const { source, expectedTokens } = this.createSource(req, plan);
    metrics.requestValidated(req.inputTokens, Math.min(req.maxNewTokens, DEFAULT_GENERATION_LENGTH));
    let settled = false;
    const settle = (): void => {
      settled = true;
      permit.release();
    };
    const seq: Seq = batch.enqueue({
      inputTokens: req.inputTokens,
      maxNewTokens: req.maxNewTokens,
      source,
      failAtToken: faults.drawFailure(expectedTokens),
      sink: {
        token: (emitted, generated) => sink.token(emitted, generated - 1),
        end: (finish, generated, times) => {
          settle();
          const timing = requestTiming(receivedAtMs, validatedAtMs, generated, times, this.deps.nowMs());
          metrics.requestSucceeded({
            totalSec: timing.totalMs / 1000,
            validationSec: timing.validationMs / 1000,
            queueSec: timing.queueMs / 1000,
            inferenceSec: timing.inferenceMs / 1000,
            generatedTokens: generated,
          });
          sink.end({
            finish,
            generatedTokens: generated,
            inputTokens: req.inputTokens,
            seed: req.seed,
            timing,
          });
        },
        fail: (error) => {
          settle();
          this.healthy = false;
          metrics.requestFailed(error.metricErr);
          sink.fail(error);
        },
      },
    });
    this.syncOccupancy();
    this.deps.loop.kick();
    return {
      cancel: () => {
        if (settled) return;
        settle();
        batch.cancel(seq);
        metrics.requestFailed('dropped');
        this.syncOccupancy();
      },
    };
  }

  /** The request's tokens, seeded by (server seed, request seed, prompt), and how many to expect. */
  private createSource(
    req: ValidRequest,
    plan: ContentPlan,
  ): { source: TokenSource; expectedTokens: number } {
    const rng = createSimRng(hashSeed(this.deps.seed, req.seed ?? 0, req.inputs));
    const eosAtToken = eosLengthTokens(this.deps.profile.eosLength, rng.next());
    const tokens = plan.kind === 'tokens' ? plan.tokens : req.jsonSchema ? this.jsonTokens(req) : null;
    const maxNewTokens = req.maxNewTokens;
    if (tokens) {
      const source = createListSource(tokens, { rng, maxNewTokens, eos: this.eos });
      return { source, expectedTokens: Math.min(maxNewTokens, tokens.length + 1) };
    }
    const source = createTextSource({
      rng,
      maxNewTokens,
      eosAtToken,
      stopSequences: req.stop,
      eos: this.eos,
    });
    return { source, expectedTokens: Math.min(maxNewTokens, eosAtToken) };
  }

  /**
   * TGI's /health: healthy until a generation error; then each check runs a one-token liveness
   * prefill, which here fails as often as requests do, and restores health when it passes.
   */
  checkHealth(): boolean {
    if (this.healthy) return true;
    if (this.deps.faults.drawHealthCheckFailure()) return false;
    this.healthy = true;
    return true;
  }

  private jsonTokens(req: ValidRequest): VocabToken[] {
    const rng = createSimRng(hashSeed(this.deps.seed, 'json', req.inputs));
    const doc = JSON.stringify(
      sampleValue('', req.jsonSchema ?? {}, { rng, hintText: req.inputs.slice(-400) }),
    );
    return segment(doc).map((t) => textToken(t, this.deps.profile.model.vocabSize));
  }

  private syncOccupancy(): void {
    const { batch, metrics } = this.deps;
    metrics.setOccupancy(batch.queueSize, batch.batchSize, batch.reservedTokens);
  }
}
