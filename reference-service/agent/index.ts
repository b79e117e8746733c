/** The reference agent service: see docs/agent-protocol.md (HTTP contract) and docs/architecture.md. */
export { buildAgentApp, type AgentApp, type AgentDeps } from './app.ts';
export { startAgent, createStore, type RunningAgent, type StartAgentOptions } from './start.ts';
export {
  parseAgentConfig,
  readAgentConfigFile,
  agentConfigSchema,
  type AgentConfig,
  type AgentConfigInput,
  type TenantConfig,
} from './config.ts';
export { demoAgentConfig, demoTenantKeys, demoTenantKeyHashes } from './demo-config.ts';
export { hashApiKey } from './auth.ts';
export { MemoryStateStore } from './store/memory-store.ts';
export { RedisStateStore } from './store/redis-store.ts';
export type { StateStore, TurnRecord } from './store/types.ts';
