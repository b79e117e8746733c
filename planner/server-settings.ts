/**
 * Server settings that hold the fleet at its operating point.
 * - TGI max_concurrent_requests: the smallest c >= ceil(N*) that refuses at most 0.1 % of requests
 *   at the operating point. Past the goodput concurrency extra requests only add queueing delay, so
 *   they should get 429 and go elsewhere; but the number in flight fluctuates around its mean N*,
 *   and a limit at N* itself refused the excess of every fluctuation (docs/planner.md: 78-99 of
 *   142-144 turns degraded at 1.25 x goodput, validation failed). Continuous batching admits
 *   whatever arrives up to the limit, a loss system: the share refused is Erlang B(c, N*),
 *   whatever the service-time distribution.
 * - max_batch_prefill_tokens: with a performance model, the largest prefill P for which one step
 *   with the goodput batch, stepMs(N*, N* (in + out/2), P), stays within the ITL target; without
 *   one, a lower bound from the measurements: the prompt tokens arriving per decode step,
 *   goodput x in x ITL, where ITL ~ N* / output tokens/s (each running sequence emits one token a step).
 * - Agent in-flight limit per agent replica: its measured goodput concurrency, or else the model
 *   fleet's slots at goodput (ceil(N*) each) shared over the agent replicas (an agent should not
 *   queue more than the model runs at its operating point).
 */
import type { PerfModel } from '../reference-service/model-server/perf-types.ts';
import type { GoodputResult } from './goodput.ts';
import { erlangB } from './queueing.ts';
import type { Reasoning } from './types.ts';

export interface ServerSettings {
  maxConcurrentRequests: number;
  maxBatchPrefillTokens: number;
  prefillBasis: 'perf-model' | 'measured-lower-bound';
  agentInFlightLimit: number | null;
  reasoning: Reasoning[];
}

export interface SettingsInput {
  goodput: GoodputResult;
  meanInputTokens: number;
  meanOutputTokens: number;
  itlLimitMs: number | null;
  perfModel: PerfModel | null;
  modelSlots: number;
  agent: { replicas: number; concurrency: number | null } | null;
}

function prefillFromModel(model: PerfModel, n: number, ctxTokens: number, itlLimitMs: number): number {
  const step = (p: number) =>
    model.stepMs({ decodeSeqs: n, decodeContextTokens: ctxTokens, prefillTokens: p });
  let lo = 0;
  let hi = Math.max(model.maxBatchPrefillTokens, 1) * 4;
  if (step(hi) <= itlLimitMs) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (step(mid) <= itlLimitMs) lo = mid;
    else hi = mid;
  }
  return lo;
}

interface Setting {
  value: number;
  reasoning: Reasoning;
}

/** Share of requests max_concurrent_requests may refuse at the operating point. */
export const MAX_REFUSED_SHARE = 0.001;

/** Smallest c >= ceil(N*) (`floor`) with Erlang B(c, N*) <= MAX_REFUSED_SHARE. */
function concurrencySetting(concurrency: number, floor: number): Setting {
  let c = floor;
  let refused = erlangB(c, concurrency);
  // Erlang B falls below 0.1 % by about N* + 3.1 sqrt(N*) + 2; the bound only guards the loop.
  while (refused > MAX_REFUSED_SHARE && c < floor + 10 * Math.sqrt(floor) + 20) {
    c += 1;
    // Erlang B's recurrence: B(c) = a B(c - 1) / (c + a B(c - 1)).
    refused = (concurrency * refused) / (c + concurrency * refused);
  }
  return {
    value: c,
    reasoning: {
      name: 'TGI max_concurrent_requests',
      formula: `smallest c >= ceil(N*) with Erlang B(c, N*) <= ${MAX_REFUSED_SHARE}; N* = requests in flight per replica at goodput`,
      inputs: { concurrency, ceilConcurrency: floor, refusedShare: refused },
      value: c,
      note: 'headroom for the in-flight count fluctuating around its mean; a limit at N* refuses every excess',
    },
  };
}

function prefillSetting(
  input: SettingsInput,
  n: number,
): Setting & { basis: ServerSettings['prefillBasis'] } {
  const g = input.goodput;
  const minPrompt = Math.ceil(input.meanInputTokens);
  if (input.perfModel !== null && input.itlLimitMs !== null) {
    const model = input.perfModel;
    const ctx = n * (input.meanInputTokens + input.meanOutputTokens / 2);
    const value = Math.max(prefillFromModel(model, n, ctx, input.itlLimitMs), minPrompt);
    const note =
      value < model.maxInputTokens
        ? `below max_input_tokens (${model.maxInputTokens}): TGI needs chunked prefill or a lower max_input_tokens`
        : undefined;
    return {
      value,
      basis: 'perf-model',
      reasoning: {
        name: 'TGI max_batch_prefill_tokens',
        formula: 'max P with stepMs(N*, N* (in + out/2), P) <= ITL target; at least one mean prompt',
        inputs: { N: n, contextTokens: ctx, itlLimitMs: input.itlLimitMs, profile: model.profile.name },
        value,
        ...(note === undefined ? {} : { note }),
      },
    };
  }
  const itlSec = g.outputTokensPerSec > 0 ? g.concurrency / g.outputTokensPerSec : 0;
  const value = Math.max(Math.ceil(g.ratePerSec * input.meanInputTokens * itlSec), minPrompt);
  return {
    value,
    basis: 'measured-lower-bound',
    reasoning: {
      name: 'TGI max_batch_prefill_tokens (lower bound)',
      formula: 'max(goodput x in x ITL, in), ITL = N* / output tokens/s',
      inputs: { goodputPerSec: g.ratePerSec, in: input.meanInputTokens, itlSec },
      value,
      note: 'no performance model for this profile: a floor, not a tuned value',
    },
  };
}

function agentInFlight(input: SettingsInput): Setting | null {
  const agent = input.agent;
  if (agent === null) return null;
  const measured = agent.concurrency !== null;
  const value = measured
    ? Math.max(1, Math.ceil(agent.concurrency! - 1e-9))
    : Math.ceil(input.modelSlots / Math.max(agent.replicas, 1));
  return {
    value,
    reasoning: {
      name: 'agent in-flight limit per replica',
      formula: measured
        ? 'ceil(agent concurrency at its goodput)'
        : 'ceil(model replicas x ceil(N*) / agent replicas)',
      inputs: {
        agentConcurrency: agent.concurrency,
        modelSlots: input.modelSlots,
        agentReplicas: agent.replicas,
      },
      value,
    },
  };
}

export function serverSettings(input: SettingsInput): ServerSettings {
  const g = input.goodput;
  const n = Math.max(1, Math.ceil(g.concurrency - 1e-9));
  const limit = concurrencySetting(g.concurrency, n);
  const prefill = prefillSetting(input, n);
  const agent = agentInFlight(input);
  const reasoning: Reasoning[] = [
    limit.reasoning,
    prefill.reasoning,
    ...(agent === null ? [] : [agent.reasoning]),
  ];
  return {
    maxConcurrentRequests: limit.value,
    maxBatchPrefillTokens: prefill.value,
    prefillBasis: prefill.basis,
    agentInFlightLimit: agent?.value ?? null,
    reasoning,
  };
}
