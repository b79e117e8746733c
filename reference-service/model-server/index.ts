/**
 * The reference model server: a simulator of Hugging Face text-generation-inference (TGI) on a GPU.
 * HTTP API: docs/model-server-api.md. CLI: `agentload model-server`.
 */
export { startModelServer, type ModelServerHandle, type ModelServerState } from './server.ts';
export type { ModelServerOptions, ModelServerConfig } from './options.ts';
export { NEUTRAL_FAULTS, type FaultState, type FaultPatch, type ModelServerFaults } from './faults.ts';
export type { StepRecord } from './step-loop.ts';
export { ModelServerListenError } from './errors.ts';
export { countTokens, segment } from './tokenizer.ts';
