import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BreakerState } from './resilience/breaker.ts';

/**
 * The agent's Prometheus metrics, in a Registry of its own per app (two apps in one process never
 * share series). Labels are bounded: no tenant, session or request ids. Names follow Prometheus
 * practice (base units, `_total` counters); docs/metrics.md is the contract for their meaning.
 */
export function createAgentMetrics(options: { replicaId: string; processMetrics?: boolean }) {
  const registry = new Registry();
  registry.setDefaultLabels({ replica: options.replicaId });
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'agent_' });
  const registers = [registry];
  const breakerStates: BreakerState[] = ['closed', 'half-open', 'open'];

  const metrics = {
    registry,
    /** Request received to response finished (for streams: after `[DONE]`). */
    requestDuration: new Histogram({
      name: 'agent_http_request_duration_seconds',
      help: 'HTTP request duration, from request received to response finished',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    /** Request received to the first answer token written to the client (streams only). */
    ttft: new Histogram({
      name: 'agent_ttft_seconds',
      help: 'Time to first answer token written to the client, streaming turns',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
      registers,
    }),
    /** Token counts as the model server reported them in `usage`. */
    tokens: new Counter({
      name: 'agent_tokens_total',
      help: 'Model tokens by type, summed from the model server usage reports',
      labelNames: ['type'],
      registers,
    }),
    modelCalls: new Counter({
      name: 'agent_model_calls_total',
      help: 'Model call attempts by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    toolCalls: new Counter({
      name: 'agent_tool_calls_total',
      help: 'Tool calls by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    turns: new Counter({
      name: 'agent_turns_total',
      help: 'Turns by outcome: ok, degraded, replayed, failed',
      labelNames: ['outcome'],
      registers,
    }),
    breakerState: new Gauge({
      name: 'agent_model_breaker_state',
      help: '1 for the breaker state the model circuit is in',
      labelNames: ['state'],
      registers,
    }),
    /** Name fixed by harness/metrics/scrape.ts (timeseries `agentInFlight`). */
    inFlight: new Gauge({
      name: 'agent_in_flight_requests',
      help: 'Turn requests in progress on this replica',
      registers,
    }),
    /** Name fixed by harness/metrics/scrape.ts (timeseries `breakerOpen`): 1 while the model breaker is open. */
    breakerOpen: new Gauge({
      name: 'agent_breaker_open',
      help: '1 while the model circuit breaker is open',
      registers,
    }),
    rateLimitRejections: new Counter({
      name: 'agent_rate_limit_rejections_total',
      help: 'Turns rejected with 429 by the dimension that ran out',
      labelNames: ['dimension'],
      registers,
    }),
    shed: new Counter({
      name: 'agent_shed_total',
      help: 'Requests answered 503 without work, by reason',
      labelNames: ['reason'],
      registers,
    }),
    setBreakerState(state: BreakerState): void {
      for (const s of breakerStates) metrics.breakerState.set({ state: s }, s === state ? 1 : 0);
      metrics.breakerOpen.set(state === 'open' ? 1 : 0);
    },
  };
  metrics.setBreakerState('closed');
  metrics.inFlight.set(0);
  return metrics;
}

export type AgentMetrics = ReturnType<typeof createAgentMetrics>;
