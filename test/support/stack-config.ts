import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../../reference-service/agent/auth.ts';
import type { AgentConfigInput } from '../../reference-service/agent/config.ts';
import { demoAgentConfig, demoTenantKeys } from '../../reference-service/agent/demo-config.ts';
import type { Tenant } from '../../harness/stack/types.ts';

/**
 * An agent config file for a local stack (every replica reads it; the stack lays the model, tools
 * and Redis URLs over it): the demo tenants plus `extra` ones given with plaintext keys.
 */
export interface StackAgentConfig {
  path: string;
  tenants: Tenant[];
  remove(): void;
}

export function writeStackAgentConfig(
  extra: { name: string; apiKey: string; requestsPerMin: number; tokensPerMin: number }[],
  tune?: (raw: AgentConfigInput) => void,
): StackAgentConfig {
  // The stack overrides this URL with --model-url; the file only has to be valid on its own.
  const raw = demoAgentConfig({ modelUrl: 'http://127.0.0.1:9' });
  for (const t of extra) {
    raw.tenants.push({
      name: t.name,
      keyHashes: [hashApiKey(t.apiKey)],
      limits: { requestsPerMin: t.requestsPerMin, tokensPerMin: t.tokensPerMin },
    });
  }
  tune?.(raw);
  const dir = mkdtempSync(join(tmpdir(), 'agentload-reliability-'));
  const path = join(dir, 'agent.json');
  writeFileSync(path, JSON.stringify(raw, null, 2));
  return {
    path,
    tenants: [
      ...Object.entries(demoTenantKeys).map(([name, apiKey]) => ({ name, apiKey })),
      ...extra.map((t) => ({ name: t.name, apiKey: t.apiKey })),
    ],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
