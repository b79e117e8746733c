/**
 * Cost of a fleet: $/hour = GPUs x $/GPU-hour + agent replicas x $/agent-replica-hour, and
 * $/million output tokens = ($/hour) / (lambda x output tokens per request x 3600) x 1e6.
 * At peak the fleet is fully used; at the demand curve's mean the same static fleet costs more per
 * token; an autoscaled fleet pays for its mean ready replicas instead.
 */
import type { Reasoning } from './types.ts';

export interface CostInput {
  gpus: number;
  gpuHourUsd: number | null;
  agentReplicas: number;
  agentReplicaHourUsd: number | null;
  peakRatePerSec: number;
  /** Mean over the demand curve; null without one. */
  meanRatePerSec: number | null;
  outputTokensPerRequest: number;
  /** Mean ready model replicas in the autoscaling simulation, with GPUs per replica. */
  autoscaled: { meanReplicas: number; gpusPerReplica: number } | null;
}

export interface CostEstimate {
  costPerHourUsd: number | null;
  gpuCostPerHourUsd: number | null;
  agentCostPerHourUsd: number | null;
  perMillionOutputTokensAtPeakUsd: number | null;
  perMillionOutputTokensAtMeanUsd: number | null;
  autoscaledCostPerHourUsd: number | null;
  reasoning: Reasoning[];
}

function perMillionTokens(costPerHourUsd: number, ratePerSec: number, tokensPerRequest: number): number {
  const tokensPerHour = ratePerSec * tokensPerRequest * 3600;
  return tokensPerHour > 0 ? (costPerHourUsd / tokensPerHour) * 1e6 : Number.POSITIVE_INFINITY;
}

const NO_PRICE: CostEstimate = {
  costPerHourUsd: null,
  gpuCostPerHourUsd: null,
  agentCostPerHourUsd: null,
  perMillionOutputTokensAtPeakUsd: null,
  perMillionOutputTokensAtMeanUsd: null,
  autoscaledCostPerHourUsd: null,
  reasoning: [
    { name: 'cost', formula: 'needs $/GPU-hour', inputs: {}, value: null, note: 'pass --gpu-hour-usd' },
  ],
};

export function estimateCost(input: CostInput): CostEstimate {
  const gpuHourUsd = input.gpuHourUsd;
  if (gpuHourUsd === null) return NO_PRICE;
  const agentCost = input.agentReplicaHourUsd === null ? 0 : input.agentReplicas * input.agentReplicaHourUsd;
  const total = input.gpus * gpuHourUsd + agentCost;
  const atPeak = perMillionTokens(total, input.peakRatePerSec, input.outputTokensPerRequest);
  const mean = input.meanRatePerSec;
  const atMean = mean === null ? null : perMillionTokens(total, mean, input.outputTokensPerRequest);
  const auto = input.autoscaled;
  const autoscaled = auto === null ? null : auto.meanReplicas * auto.gpusPerReplica * gpuHourUsd + agentCost;
  const reasoning: Reasoning[] = [
    {
      name: 'cost per hour (USD)',
      formula: 'GPUs x $/GPU-hour + agent replicas x $/agent-replica-hour',
      inputs: {
        gpus: input.gpus,
        gpuHourUsd,
        agentReplicas: input.agentReplicas,
        agentReplicaHourUsd: input.agentReplicaHourUsd,
      },
      value: total,
    },
    {
      name: 'cost per million output tokens at peak (USD)',
      formula: '$/hour / (lambda_peak x output tokens per request x 3600) x 1e6',
      inputs: {
        costPerHourUsd: total,
        lambdaPerSec: input.peakRatePerSec,
        outputTokens: input.outputTokensPerRequest,
      },
      value: atPeak,
    },
  ];
  if (atMean !== null) {
    reasoning.push({
      name: 'cost per million output tokens over the demand curve, static fleet (USD)',
      formula: '$/hour / (mean lambda x output tokens per request x 3600) x 1e6',
      inputs: { costPerHourUsd: total, meanLambdaPerSec: mean },
      value: atMean,
    });
  }
  if (auto !== null) {
    reasoning.push({
      name: 'cost per hour with autoscaling (USD)',
      formula: 'mean ready replicas x GPUs per replica x $/GPU-hour + agent cost',
      inputs: { meanReplicas: auto.meanReplicas, gpusPerReplica: auto.gpusPerReplica },
      value: autoscaled,
    });
  }
  return {
    costPerHourUsd: total,
    gpuCostPerHourUsd: input.gpus * gpuHourUsd,
    agentCostPerHourUsd: input.agentReplicaHourUsd === null ? null : agentCost,
    perMillionOutputTokensAtPeakUsd: atPeak,
    perMillionOutputTokensAtMeanUsd: atMean,
    autoscaledCostPerHourUsd: autoscaled,
    reasoning,
  };
}
