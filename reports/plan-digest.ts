/**
 * The capacity plan's headline for report.json and the verdict area: the recommended option's
 * fleet, settings, cost, fleet-wide rate limit and the autoscaling outcome.
 */
import type { PlanFile, PlanFileOption } from './plan-file.ts';
import type { PlanDigest } from './report-schema.ts';

export function recommendedOption(plan: PlanFile): PlanFileOption | null {
  return plan.recommended === null ? null : (plan.options[plan.recommended] ?? null);
}

export function digestPlan(plan: PlanFile): PlanDigest {
  const rec = recommendedOption(plan);
  const g = rec?.goodput;
  return {
    peakRatePerSec: plan.demand.peakRatePerSec,
    recommended:
      rec === null || g === undefined
        ? null
        : {
            curveKey: rec.curveKey,
            profile: rec.profile,
            goodputPerReplicaPerSec: g.ratePerSec,
            goodputLowPerSec: g.ci?.lowPerSec ?? null,
            goodputHighPerSec: g.ci?.highPerSec ?? null,
            binding: g.binding,
            censored: g.status === 'censored',
            replicas: rec.totals.replicas,
            afterFailureReplicas: rec.totals.afterFailureReplicas,
            gpus: rec.totals.gpus,
            nodes: rec.totals.nodes,
          },
    settings:
      plan.settings === null
        ? null
        : {
            maxConcurrentRequests: plan.settings.maxConcurrentRequests,
            maxBatchPrefillTokens: plan.settings.maxBatchPrefillTokens,
            agentInFlightLimit: plan.settings.agentInFlightLimit,
          },
    costPerHourUsd: plan.cost?.costPerHourUsd ?? null,
    perMillionOutputTokensUsd: plan.cost?.perMillionOutputTokensAtPeakUsd ?? null,
    agentReplicas: plan.agent?.size.replicas ?? null,
    rateLimit:
      plan.rateLimits === null
        ? null
        : {
            requestsPerMin: plan.rateLimits.global.requestsPerMin,
            tokensPerMin: plan.rateLimits.global.tokensPerMin,
            concurrency: plan.rateLimits.global.concurrency,
          },
    autoscaling:
      plan.autoscaling === null
        ? null
        : {
            secondsOverSlo: plan.autoscaling.run.secondsOverSlo,
            coldStartSec: plan.autoscaling.coldStartSec,
            minReplicasForNoOverSlo: plan.autoscaling.minReplicasForNoOverSlo,
            warmPoolForNoOverSlo: plan.autoscaling.warmPoolForNoOverSlo,
          },
    notes: [...plan.notes],
  };
}
