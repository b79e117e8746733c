import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one tools service instance (its own registry: several may share a process). */
export interface ToolsMetrics {
  registry: Registry;
  calls: Counter<'tool' | 'outcome'>;
  durationSec: Histogram<'tool'>;
  inFlight: Gauge;
}

export function createToolsMetrics(): ToolsMetrics {
  const registry = new Registry();
  return {
    registry,
    calls: new Counter({
      name: 'tools_calls_total',
      help: 'Tool calls by tool and outcome (ok, bad_arguments, injected_error, injected_reset, aborted).',
      labelNames: ['tool', 'outcome'],
      registers: [registry],
    }),
    durationSec: new Histogram({
      name: 'tools_call_duration_seconds',
      help: 'Time from request to response for answered tool calls, seconds.',
      labelNames: ['tool'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    inFlight: new Gauge({ name: 'tools_in_flight', help: 'Tool calls in progress.', registers: [registry] }),
  };
}
