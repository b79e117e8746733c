import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StepRecord } from './step-loop.ts';

/**
 * TGI's Prometheus metrics (docs/source/reference/metrics.md), with its bucket layouts
 * (router/src/server.rs): every *_duration histogram has 35 geometric buckets 0.0001 x 1.5^k
 * (k = 1..35, 0.00015 s to ~147 s); input_length 100 linear buckets up to max_input_tokens;
 * generated_tokens and max_new_tokens 100 linear buckets up to max_total_tokens; batch_next_size 1..1024.
 * One registry per server, so two servers in one process never mix their counts.
 */

/** Built by repeated multiplication, as TGI does, so the `le` labels print the same floats. */
export function durationBuckets(): number[] {
  const out: number[] = [];
  let value = 0.0001;
  for (let k = 0; k < 35; k++) {
    value *= 1.5;
    out.push(value);
  }
  return out;
}

export function linearBuckets(max: number, count = 100): number[] {
  return Array.from({ length: count }, (_, x) => (max / count) * (x + 1));
}

export interface MetricLimits {
  maxInputTokens: number;
  maxTotalTokens: number;
  kvCapacityTokens: number;
}

export interface RequestTimingSec {
  totalSec: number;
  validationSec: number;
  queueSec: number;
  inferenceSec: number;
  generatedTokens: number;
}

export class TgiMetrics {
  readonly registry = new Registry();
  private readonly requestCount: Counter;
  private readonly requestSuccess: Counter;
  private readonly requestFailure: Counter<'err'>;
  private readonly inputLength: Histogram;
  private readonly maxNewTokens: Histogram;
  private readonly generatedTokens: Histogram;
  private readonly requestDuration: Histogram;
  private readonly validationDuration: Histogram;
  private readonly queueDuration: Histogram;
  private readonly inferenceDuration: Histogram;
  private readonly timePerToken: Histogram;
  private readonly queueSize: Gauge;
  private readonly batchSize: Gauge;
  private readonly batchMaxTokens: Gauge;
  private readonly batchNextSize: Histogram;
  private readonly batchInferenceCount: Counter<'method'>;
  private readonly batchInferenceSuccess: Counter<'method'>;
  private readonly batchInferenceDuration: Histogram<'method'>;
  private readonly batchForwardDuration: Histogram<'method'>;
  private readonly batchConcat: Counter<'reason'>;

  constructor(limits: MetricLimits) {
    const registers = [this.registry];
    const seconds = durationBuckets();
    const counter = <L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> =>
      new Counter({ name, help, labelNames, registers });
    const histogram = <L extends string>(
      name: string,
      help: string,
      buckets: number[],
      labelNames: L[] = [],
    ): Histogram<L> => new Histogram({ name, help, buckets, labelNames, registers });
    const gauge = (name: string, help: string): Gauge => new Gauge({ name, help, registers });

    this.requestCount = counter('tgi_request_count', 'Total number of requests');
    this.requestSuccess = counter('tgi_request_success', 'Number of successful requests');
    this.requestFailure = counter('tgi_request_failure', 'Number of failed requests', ['err']);
    this.inputLength = histogram(
      'tgi_request_input_length',
      'Input token length per request',
      linearBuckets(limits.maxInputTokens),
    );
    this.maxNewTokens = histogram(
      'tgi_request_max_new_tokens',
      'Maximum new tokens per request',
      linearBuckets(limits.maxTotalTokens),
    );
    this.generatedTokens = histogram(
      'tgi_request_generated_tokens',
      'Generated tokens per request',
      linearBuckets(limits.maxTotalTokens),
    );
    this.requestDuration = histogram('tgi_request_duration', 'Request duration (s)', seconds);
    this.validationDuration = histogram('tgi_request_validation_duration', 'Validation time (s)', seconds);
    this.queueDuration = histogram('tgi_request_queue_duration', 'Time spent in the queue (s)', seconds);
    this.inferenceDuration = histogram('tgi_request_inference_duration', 'Inference time (s)', seconds);
    this.timePerToken = histogram(
      'tgi_request_mean_time_per_token_duration',
      'Inference time per generated token, prefill included (s)',
      seconds,
    );
    this.queueSize = gauge('tgi_queue_size', 'Requests waiting in the queue');
    this.batchSize = gauge('tgi_batch_current_size', 'Requests in the running batch');
    this.batchMaxTokens = gauge('tgi_batch_current_max_tokens', 'KV tokens reserved by the running batch');
    gauge('tgi_batch_max_total_tokens', 'KV cache capacity in tokens').set(limits.kvCapacityTokens);
    this.batchNextSize = histogram(
      'tgi_batch_next_size',
      'Requests in each newly formed batch',
      Array.from({ length: 1024 }, (_, x) => x + 1),
    );
    this.batchInferenceCount = counter('tgi_batch_inference_count', 'Forward passes', ['method']);
    this.batchInferenceSuccess = counter('tgi_batch_inference_success', 'Successful forward passes', [
      'method',
    ]);
    this.batchInferenceDuration = histogram(
      'tgi_batch_inference_duration',
      'Forward pass duration incl. scheduling (s)',
      seconds,
      ['method'],
    );
    this.batchForwardDuration = histogram(
      'tgi_batch_forward_duration',
      'Forward pass duration (s)',
      seconds,
      ['method'],
    );
    this.batchConcat = counter('tgi_batch_concat', 'New requests joined to a running batch', ['reason']);
  }

  requestReceived(): void {
    this.requestCount.inc();
  }

  requestFailed(err: string): void {
    this.requestFailure.inc({ err });
  }

  requestValidated(inputTokens: number, maxNewTokens: number): void {
    this.inputLength.observe(inputTokens);
    this.maxNewTokens.observe(maxNewTokens);
  }

  requestSucceeded(t: RequestTimingSec): void {
    this.requestSuccess.inc();
    this.requestDuration.observe(t.totalSec);
    this.validationDuration.observe(t.validationSec);
    this.queueDuration.observe(t.queueSec);
    this.inferenceDuration.observe(t.inferenceSec);
    this.timePerToken.observe(t.generatedTokens > 0 ? t.inferenceSec / t.generatedTokens : 0);
    this.generatedTokens.observe(t.generatedTokens);
  }

  /** Gauges after every step; per-step histograms and counters. */
  stepPlanned(record: StepRecord, reservedTokens: number): void {
    const method = record.input.prefillTokens > 0 ? 'prefill' : 'decode';
    const sec = record.durationMs / 1000;
    this.queueSize.set(record.queueSize);
    this.batchSize.set(record.batchSize);
    this.batchMaxTokens.set(reservedTokens);
    this.batchInferenceCount.inc({ method });
    this.batchInferenceSuccess.inc({ method });
    this.batchForwardDuration.observe({ method }, sec);
    this.batchInferenceDuration.observe({ method }, sec);
    if (record.admitted > 0) {
      this.batchNextSize.observe(record.admitted);
      if (record.input.decodeSeqs > 0) this.batchConcat.inc({ reason: 'chunking' });
    }
  }

  /** Queue and batch gauges between steps (enqueue, cancel, idle). */
  setOccupancy(queueSize: number, batchSize: number, reservedTokens: number): void {
    this.queueSize.set(queueSize);
    this.batchSize.set(batchSize);
    this.batchMaxTokens.set(reservedTokens);
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
