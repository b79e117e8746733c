import { stackPanels, type TimePanel } from './time-panel.ts';
import { COLORS, topLevel } from './theme.ts';
import type { RunChart } from './types.ts';

export const serverOverTime: RunChart = {
  id: 'server-over-time',
  title: 'Server queue, batch size and requests in flight',
  caption:
    "Gauges scraped from the servers' /metrics (summed over replicas): the model server's waiting queue and running batch, the agent's in-flight requests and open circuit breakers, next to the requests the load generator had in flight.",
  build({ series, annotations }) {
    if (series === null) return null;
    const rows = series.rows;
    // A panel whose fields are all null (no model-server scrape) drops out in stackPanels.
    const panels: TimePanel[] = [
      {
        title: 'Model server',
        yTitle: 'requests',
        fields: [
          ['queueSize', 'queue size', COLORS.queue],
          ['batchSize', 'batch size', COLORS.batch],
        ],
      },
      {
        title: 'In flight',
        yTitle: 'requests',
        fields: [
          ['agentInFlight', 'agent in flight', COLORS.agent],
          ['inFlight', 'client in flight', COLORS.inFlight],
        ],
        height: 110,
      },
    ];
    if (rows.some((r) => (r.breakerOpen ?? 0) > 0)) {
      panels.push({
        title: 'Circuit breakers open',
        yTitle: 'breakers',
        fields: [['breakerOpen', 'breakers open', COLORS.breaker]],
        height: 70,
      });
    }
    const spec = stackPanels(rows, annotations, panels);
    return spec === null ? null : topLevel(spec);
  },
};
