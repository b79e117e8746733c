import { BatchState } from './batch-state.ts';
import type { FaultController, ModelServerFaults } from './faults.ts';
import { Inference } from './infer.ts';
import { TgiMetrics } from './metrics.ts';
import type { ModelServerConfig } from './options.ts';
import type { PerfModel } from './perf-types.ts';
import type { RouteContext } from './routes/context.ts';
import { SseRegistry } from './sse.ts';
import { StepLoop, type StepRecord } from './step-loop.ts';
import { createYoungGc } from './young-gc.ts';

/**
 * The state a TGI process holds in memory (queue, batch, metrics, open streams), built anew on every
 * (re)start, exactly as a restarted process starts with empty counters and an empty queue.
 */
export interface Engine {
  readonly ctx: RouteContext;
  readonly loop: StepLoop;
  /** Drops every request without answering (the process is going away). */
  stop(): void;
}

export interface EngineDeps {
  config: ModelServerConfig;
  perf: PerfModel;
  faults: FaultController;
  faultApi: ModelServerFaults;
  nowMs(): number;
  whenNotHung(): Promise<void>;
  onStep?: (record: StepRecord) => void;
}

export function createEngine(deps: EngineDeps): Engine {
  const { config, perf, faults, nowMs } = deps;
  const metrics = new TgiMetrics(config);
  const batch = new BatchState(
    { kvCapacityTokens: config.kvCapacityTokens, maxBatchPrefillTokens: config.maxBatchPrefillTokens },
    nowMs,
  );
  const loop = new StepLoop({
    batch,
    nowMs,
    spinMs: config.spinMs,
    collectYoungGarbage: config.slackGc ? createYoungGc() : null,
    isHung: () => faults.hang,
    stepMs: (input) => perf.stepMs(input) * faults.latencyMultiplier,
    onStep: (record) => {
      metrics.stepPlanned(record, batch.reservedTokens);
      deps.onStep?.(record);
    },
    onIdle: () => metrics.setOccupancy(batch.queueSize, batch.batchSize, batch.reservedTokens),
  });
  const infer = new Inference({
    maxConcurrentRequests: config.maxConcurrentRequests,
    seed: config.seed,
    profile: perf.profile,
    batch,
    loop,
    metrics,
    faults,
    nowMs,
  });
  const sse = new SseRegistry(nowMs);
  const ctx: RouteContext = {
    config,
    perf,
    infer,
    metrics,
    faults,
    faultApi: deps.faultApi,
    sse,
    nowMs,
    whenNotHung: deps.whenNotHung,
  };
  return {
    ctx,
    loop,
    stop() {
      loop.stop();
      batch.clear();
      sse.stop();
    },
  };
}
