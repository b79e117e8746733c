import type { CapacityPlan } from '../../planner/plan.ts';
import type { Reasoning } from '../../planner/types.ts';

/** The text report of `agentload plan`: each figure with the reasoning (formula, inputs) behind it. */

const num = (v: number | string | boolean | null | undefined): string =>
  typeof v === 'number' ? (Number.isFinite(v) ? String(Math.round(v * 1000) / 1000) : 'inf') : String(v);

function reasoningLines(rs: readonly Reasoning[]): string[] {
  return rs.map((r) => {
    const inputs = Object.entries(r.inputs)
      .map(([k, v]) => `${k}=${num(v)}`)
      .join(', ');
    return `    ${r.name}: ${num(r.value)}  [${r.formula}${inputs ? `; ${inputs}` : ''}]${r.note ? ` (${r.note})` : ''}`;
  });
}

type Option = CapacityPlan['options'][number];

function formatOption(o: Option, recommended: boolean): string[] {
  const g = o.goodput;
  const ci =
    g.ci === null
      ? 'no interval: no repeated sweep points'
      : `${num(g.ci.confidence * 100)}% CI ${num(g.ci.lowPerSec)}-${num(g.ci.highPerSec)}`;
  const bound = g.status === 'censored' ? ', lower bound' : '';
  const out = [
    `  ${recommended ? '* ' : ''}${o.curveKey} (measured): goodput ${num(g.ratePerSec)} req/s per replica (${ci}), binding ${g.binding}${bound}`,
    ...reasoningLines([...o.reasoning, ...g.reasoning]),
    `    => ${o.totals.replicas} replicas, ${o.totals.gpus} GPUs, ${o.totals.nodes} nodes`,
  ];
  for (const r of o.regions) {
    const q = r.queueing.atRecommended;
    out.push(
      `    region ${r.name}: ${r.size.replicas} replicas for ${num(r.ratePerSec)} req/s; P(wait) ${num(q.waitProbability)}, E[W] ${num(q.meanWaitMs)} ms, P(W > ${num(q.budgetMs)} ms) ${num(q.pWaitOverBudget)}; smallest within SLO ${r.queueing.smallestReplicas}`,
      ...reasoningLines([...r.size.reasoning, ...r.queueing.reasoning]),
    );
  }
  return out;
}

function formatLimits(plan: CapacityPlan): string[] {
  const gl = plan.rateLimits.global;
  const out = [
    `  Rate limits: ${gl.requestsPerMin} RPM, ${gl.tokensPerMin} TPM fleet-wide`,
    ...reasoningLines(gl.reasoning),
  ];
  for (const t of plan.rateLimits.tenants) {
    out.push(
      `    tenant ${t.name}: ${t.requestsPerMin} RPM, ${t.tokensPerMin} TPM, burst ${t.gcra.burst}, GCRA T=${num(t.gcra.emissionIntervalMs)} ms tau=${num(t.gcra.toleranceMs)} ms, concurrency ${t.concurrency}`,
    );
  }
  const h = plan.hostedApi;
  if (h !== null) {
    out.push(
      `  Hosted API ${h.api}: ${h.ok ? 'fits' : 'DOES NOT FIT'} (binding ${h.binding})`,
      ...reasoningLines(h.reasoning),
    );
  }
  return out;
}

function formatAutoscaling(a: NonNullable<CapacityPlan['autoscaling']>): string[] {
  const pool =
    a.warmPoolForNoOverSlo === null ? 'no warm pool does' : `a warm pool of ${a.warmPoolForNoOverSlo}`;
  return [
    `  Autoscaling: ${num(a.run.secondsOverSlo)} s over SLO (cold start ${num(a.coldStartSec)} s); min replicas ${num(a.minReplicasForNoOverSlo)} removes them, ${pool}`,
    ...reasoningLines(a.reasoning),
  ];
}

function formatWhatIf(rows: NonNullable<CapacityPlan['whatIf']>): string[] {
  const out = ['  What-if (MODELLED from the performance model, not measured):'];
  for (const w of rows) {
    if (w.goodputPerReplica === null) {
      out.push(`    ${w.profile}: cannot meet the SLO even with one request in flight`);
      continue;
    }
    const cost = w.costPerHourUsd === null ? '' : `, ${num(w.costPerHourUsd)} USD/h`;
    const cal = w.calibrationFactor === null ? '' : ` (calibrated x${num(w.calibrationFactor)})`;
    out.push(
      `    ${w.profile}: ${num(w.goodputPerReplica)} req/s per replica (N* ${w.modelled!.concurrency}) -> ${w.replicas} replicas, ${w.gpus} GPUs${cost}${cal}`,
    );
  }
  return out;
}

/** The plan for a person; plan.json carries the same numbers. */
export function formatPlan(plan: CapacityPlan, planMs: number): string {
  const d = plan.demand;
  const out = [
    `Capacity plan (computed in ${num(planMs)} ms, seed ${plan.inputs.policy.seed})`,
    `  Demand: peak ${num(d.peakRatePerSec)} req/s, mix ${num(d.meanInputTokens)} in / ${num(d.meanOutputTokens)} out (${d.mixSource})`,
    ...reasoningLines(d.reasoning),
    ...plan.options.flatMap((o, i) => formatOption(o, i === plan.recommended)),
  ];
  const s = plan.settings;
  if (s !== null) {
    out.push(
      `  Settings: max_concurrent_requests ${s.maxConcurrentRequests}, max_batch_prefill_tokens ${s.maxBatchPrefillTokens} (${s.prefillBasis}), agent in-flight ${num(s.agentInFlightLimit)}`,
      ...reasoningLines(s.reasoning),
    );
  }
  if (plan.agent !== null) {
    out.push(
      `  Agent: ${plan.agent.size.replicas} replicas (${plan.agent.basis})`,
      ...reasoningLines(plan.agent.size.reasoning),
    );
  }
  if (plan.cost !== null)
    out.push(`  Cost: ${num(plan.cost.costPerHourUsd)} USD/h`, ...reasoningLines(plan.cost.reasoning));
  out.push(...formatLimits(plan));
  if (plan.autoscaling !== null) out.push(...formatAutoscaling(plan.autoscaling));
  if (plan.whatIf !== null) out.push(...formatWhatIf(plan.whatIf));
  for (const n of plan.notes) out.push(`  note: ${n}`);
  return `${out.join('\n')}\n`;
}
