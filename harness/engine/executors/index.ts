import type { ConfigOf, ExecutorConfig, ExecutorName } from '../../config/executor-schema.ts';
import { constantArrivalRate } from './constant-arrival-rate.ts';
import { constantVus } from './constant-vus.ts';
import { perVuIterations } from './per-vu-iterations.ts';
import { rampingArrivalRate } from './ramping-arrival-rate.ts';
import { rampingVus } from './ramping-vus.ts';
import { sessionArrivals } from './session-arrivals.ts';
import type { Executor } from './types.ts';

export type ExecutorFactory<N extends ExecutorName> = (name: string, config: ConfigOf<N>) => Executor;

/** One executor per file, k6's names; the session one is ours. */
export const executors = {
  'constant-arrival-rate': constantArrivalRate,
  'ramping-arrival-rate': rampingArrivalRate,
  'constant-vus': constantVus,
  'ramping-vus': rampingVus,
  'per-vu-iterations': perVuIterations,
  'session-arrivals': sessionArrivals,
} satisfies { [N in ExecutorName]: ExecutorFactory<N> };

export function createExecutor(name: string, config: ExecutorConfig): Executor {
  const factory = executors[config.executor] as ExecutorFactory<ExecutorName>;
  return factory(name, config as never);
}

export type { Executor, ExecutorEnv, ExecutorReport, IterationContext, DropReason } from './types.ts';
