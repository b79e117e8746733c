import { parseAgentConfig, readAgentConfigFile } from './config.ts';
import { demoAgentConfig } from './demo-config.ts';
import { startAgent } from './start.ts';

/** Settings the `agentload agent` command collected; each is flag ?? env (the CLI resolves that). */
export interface AgentServeSettings {
  configPath?: string;
  port?: number;
  host?: string;
  redisUrl?: string;
  modelUrl?: string;
  toolsUrl?: string;
  replicaId?: string;
  logLevel?: string;
}

/**
 * The config file (or, without one, the demo config with tenants acme and globex), with URLs from
 * env/flags laid over it: file < env < flags. Validated and frozen.
 */
export function resolveAgentConfig(settings: AgentServeSettings) {
  const base = settings.configPath
    ? readAgentConfigFile(settings.configPath)
    : demoAgentConfig({ modelUrl: settings.modelUrl ?? '' });
  const raw = structuredClone(base) as Record<string, Record<string, unknown> | undefined>;
  const overlay = (section: string, field: string, value: string | undefined): void => {
    if (value === undefined) return;
    raw[section] = { ...(raw[section] ?? {}), [field]: value };
  };
  overlay('model', 'baseUrl', settings.modelUrl);
  overlay('tools', 'baseUrl', settings.toolsUrl);
  overlay('redis', 'url', settings.redisUrl);
  return parseAgentConfig(
    raw,
    settings.configPath ?? 'agent settings (demo config + flags; pass --model-url)',
  );
}

/**
 * Runs the service until `stop` aborts, then shuts down gracefully (in-flight streams finish).
 * Writes one JSON line `{"event":"listening","url","replica","store"}` once it accepts requests.
 */
export async function serveAgent(
  settings: AgentServeSettings,
  io: { writeLine: (line: string) => void; stop: AbortSignal },
): Promise<void> {
  const config = resolveAgentConfig(settings);
  const agent = await startAgent({
    config,
    port: settings.port ?? 8080,
    host: settings.host ?? '127.0.0.1',
    replicaId: settings.replicaId ?? 'agent-0',
    logLevel: settings.logLevel,
    processMetrics: true,
  });
  if (agent.store.kind === 'memory')
    agent.runtime.logger.warn('no Redis URL: state is kept in memory (one replica only)');
  io.writeLine(
    JSON.stringify({ event: 'listening', url: agent.url, replica: agent.replicaId, store: agent.store.kind }),
  );
  await new Promise<void>((resolve) => {
    if (io.stop.aborted) resolve();
    io.stop.addEventListener('abort', () => resolve(), { once: true });
  });
  await agent.close();
  io.writeLine(JSON.stringify({ event: 'stopped', replica: agent.replicaId }));
}
