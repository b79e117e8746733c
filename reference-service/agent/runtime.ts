import type { Logger } from 'pino';
import type { AgentLoopDeps } from './agent-loop.ts';
import type { Authenticate } from './auth.ts';
import type { AgentConfig } from './config.ts';
import type { AgentMetrics } from './metrics.ts';
import { modelHealthy } from './model-client.ts';
import type { CircuitBreaker } from './resilience/breaker.ts';
import type { InFlightLimiter } from './resilience/in-flight.ts';
import type { StateStore } from './store/types.ts';

/** Everything the routes share, built once per app by buildAgentApp. */
export interface AgentRuntime {
  readonly config: AgentConfig;
  readonly store: StateStore;
  readonly replicaId: string;
  readonly logger: Logger;
  readonly metrics: AgentMetrics;
  readonly breaker: CircuitBreaker;
  readonly inFlight: InFlightLimiter;
  readonly loop: AgentLoopDeps;
  readonly authenticate: Authenticate;
  /** Aborted when graceful shutdown runs out of time: turns still running are cut. */
  readonly shutdown: AbortController;
  /** Set at the start of shutdown: readiness fails, new turns get 503. */
  draining: boolean;
  modelReachable(): Promise<boolean>;
}

/** Caches the model health probe for `cacheMs`, so frequent readiness probes do not hammer it. */
export function cachedModelProbe(
  baseUrl: string,
  timeoutMs: number,
  cacheMs = 1_000,
): () => Promise<boolean> {
  let last: { ok: boolean; atMs: number } | null = null;
  let pending: Promise<boolean> | null = null;
  return async () => {
    if (last && Date.now() - last.atMs < cacheMs) return last.ok;
    pending ??= modelHealthy(baseUrl, timeoutMs).then((ok) => {
      last = { ok, atMs: Date.now() };
      pending = null;
      return ok;
    });
    return pending;
  };
}
