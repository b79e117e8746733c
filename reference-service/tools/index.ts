import { ToolFaults } from './faults.ts';
import { createLatencyModel } from './latency-model.ts';
import { createToolsMetrics } from './metrics.ts';
import { parseToolsServiceOptions, type ToolsServiceOptionsInput } from './options.ts';
import { buildToolsApp } from './server.ts';

export type { ToolFaultSettings, FaultPatch } from './faults.ts';
export { ToolFaults } from './faults.ts';
export type { ToolsServiceOptionsInput } from './options.ts';
export { toolSpecs } from './handlers/index.ts';

export interface ToolsServiceHandle {
  url: string;
  faults: ToolFaults;
  close(): Promise<void>;
}

/** Starts the tools service in this process (port 0 by default) and resolves once it listens. */
export async function startToolsService(input: ToolsServiceOptionsInput = {}): Promise<ToolsServiceHandle> {
  const options = parseToolsServiceOptions(input);
  const faults = new ToolFaults(options.seed);
  const app = buildToolsApp({
    options,
    faults,
    latency: createLatencyModel(options.seed, options.latencyScale),
    metrics: createToolsMetrics(),
  });
  await app.listen({ port: options.port, host: options.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    faults,
    close: () => app.close(),
  };
}
