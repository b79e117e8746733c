import type { AgentConfigInput } from './config.ts';

/**
 * Two demo tenants for LOCAL USE ONLY. The plaintext keys are deterministic
 * (`al_demo_<tenant>_` + first 24 hex of sha256("agentload-demo:<tenant>")) and published in
 * docs/architecture.md, so anyone can call a local stack; never use them outside one.
 * The config itself holds only their sha256 hashes, like any other config.
 */
export const demoTenantKeys = {
  acme: 'al_demo_acme_6d1a327d0ddaf4d01efd5cc9',
  globex: 'al_demo_globex_a8e0bd07c6b2f1cc11b68c04',
} as const;

export const demoTenantKeyHashes = {
  acme: '20b42e2202483f163984f43c3c8e882af41db4a82aaf104b964852bdb50533ae',
  globex: 'ca6af2d3cadbf9852359cbd957386e51edee0d6ed4cdcf6bc0f6a654bfa0cdeb',
} as const;

/** Raw (unvalidated) demo config; pass it through parseAgentConfig. */
export function demoAgentConfig(urls: {
  modelUrl: string;
  toolsUrl?: string;
  redisUrl?: string;
}): AgentConfigInput {
  return {
    model: { baseUrl: urls.modelUrl },
    tools: urls.toolsUrl ? { baseUrl: urls.toolsUrl } : {},
    redis: urls.redisUrl ? { url: urls.redisUrl } : {},
    tenants: [
      {
        name: 'acme',
        keyHashes: [demoTenantKeyHashes.acme],
        limits: { requestsPerMin: 6_000, tokensPerMin: 6_000_000 },
      },
      {
        name: 'globex',
        keyHashes: [demoTenantKeyHashes.globex],
        limits: { requestsPerMin: 600, tokensPerMin: 600_000 },
      },
    ],
  };
}
