/** The capacity plan (plan.json) in the HTML report: headline, options, settings, limits, what-if. */
import { formatConfidence, formatCount, formatDurationSec, formatRate, formatUsd } from './format.ts';
import { facts, note, num, table, tiles, type Tile } from './html-parts.ts';
import { recommendedOption } from './plan-digest.ts';
import type { PlanFile } from './plan-file.ts';

function headline(plan: PlanFile): string {
  const rec = recommendedOption(plan);
  if (rec === null)
    return note('The plan recommends no model-server fleet (hosted API or no measured option).');
  const g = rec.goodput;
  const ci =
    g.ci === null || g.ci.lowPerSec === null || g.ci.highPerSec === null
      ? 'no interval (no repeated sweep points)'
      : `${formatConfidence(g.ci.confidence ?? 0.95)} CI ${formatRate(g.ci.lowPerSec)} – ${formatRate(g.ci.highPerSec)}`;
  const items: Tile[] = [
    { label: 'peak demand', value: formatRate(plan.demand.peakRatePerSec) },
    {
      label: 'model replicas',
      value: formatCount(rec.totals.replicas),
      note: `${formatCount(rec.totals.afterFailureReplicas)} after the worst covered failure`,
    },
    { label: 'GPUs', value: formatCount(rec.totals.gpus), note: `${formatCount(rec.totals.nodes)} nodes` },
    {
      label: 'goodput per replica',
      value: formatRate(g.ratePerSec),
      note: `${g.status === 'censored' ? 'lower bound: SLO never crossed; ' : ''}bound by ${g.binding}; ${ci}`,
    },
  ];
  if (plan.cost?.costPerHourUsd != null) {
    items.push({
      label: 'cost',
      value: `${formatUsd(plan.cost.costPerHourUsd)}/h`,
      note: `${formatUsd(plan.cost.perMillionOutputTokensAtPeakUsd)} per million output tokens at peak`,
    });
  }
  if (plan.agent !== null)
    items.push({
      label: 'agent replicas',
      value: formatCount(plan.agent.size.replicas),
      note: plan.agent.basis,
    });
  return tiles(items);
}

function optionsTable(plan: PlanFile): string {
  const rows = plan.options.map((o, i) => [
    i === plan.recommended ? `${o.curveKey} (recommended)` : o.curveKey,
    num(formatRate(o.goodput.ratePerSec)),
    o.goodput.binding,
    num(formatCount(o.totals.replicas)),
    num(formatCount(o.totals.gpus)),
    num(formatCount(o.totals.nodes)),
    o.regions.map((r) => `${r.name}: ${formatCount(r.size.replicas)}`).join(', '),
  ]);
  const head = [
    'measured configuration',
    'goodput / replica',
    'binding SLO',
    'replicas',
    'GPUs',
    'nodes',
    'per region',
  ];
  return table(
    head.map((h, i) => ((i >= 3 && i <= 5) || i === 1 ? { text: h, numeric: true } : h)),
    rows,
  );
}

function settingsAndLimits(plan: PlanFile): string {
  const pairs: [string, string][] = [];
  if (plan.settings !== null) {
    pairs.push(
      ['max_concurrent_requests', formatCount(plan.settings.maxConcurrentRequests)],
      ['max_batch_prefill_tokens', formatCount(plan.settings.maxBatchPrefillTokens)],
      ['agent in-flight limit', formatCount(plan.settings.agentInFlightLimit)],
    );
  }
  if (plan.rateLimits !== null) {
    const gl = plan.rateLimits.global;
    pairs.push(
      ['fleet rate limit', `${formatCount(gl.requestsPerMin)} requests/min`],
      ['fleet token limit', `${formatCount(gl.tokensPerMin)} tokens/min`],
      ['fleet concurrency', formatCount(gl.concurrency)],
    );
  }
  if (plan.autoscaling !== null) {
    const a = plan.autoscaling;
    pairs.push(
      ['autoscaling: time over SLO', formatDurationSec(a.run.secondsOverSlo)],
      ['cold start', formatDurationSec(a.coldStartSec)],
      ['min replicas with no time over SLO', formatCount(a.minReplicasForNoOverSlo)],
      ['or warm pool of', formatCount(a.warmPoolForNoOverSlo)],
    );
  }
  if (pairs.length === 0) return '';
  let out = `<h3>Settings, limits and autoscaling</h3>${facts(pairs)}`;
  const tenants = plan.rateLimits?.tenants ?? [];
  if (tenants.length > 0) {
    out += table(
      [
        'tenant',
        { text: 'requests/min', numeric: true },
        { text: 'tokens/min', numeric: true },
        { text: 'concurrency', numeric: true },
      ],
      tenants.map((t) => [
        t.name,
        num(formatCount(t.requestsPerMin)),
        num(formatCount(t.tokensPerMin)),
        num(formatCount(t.concurrency)),
      ]),
    );
  }
  return out;
}

function whatIfTable(plan: PlanFile): string {
  if (plan.whatIf === null || plan.whatIf.length === 0) return '';
  const rows = plan.whatIf.map((w) => [
    w.profile,
    w.gpu,
    num(formatRate(w.goodputPerReplica)),
    num(formatCount(w.replicas)),
    num(formatCount(w.gpus)),
    num(w.costPerHourUsd === null ? '—' : `${formatUsd(w.costPerHourUsd)}/h`),
  ]);
  const head = ['profile', 'GPU', 'goodput / replica', 'replicas', 'GPUs', 'cost'];
  return `<h3>What-if (modelled, not measured)</h3>${table(
    head.map((h, i) => (i >= 2 ? { text: h, numeric: true } : h)),
    rows,
  )}`;
}

/** The plan section's body; `chartHtml` is the rendered autoscaling chart (or ''). */
export function planBody(plan: PlanFile, chartHtml: string): string {
  const notes = plan.notes.map((n) => note(n)).join('');
  return `${headline(plan)}${chartHtml}<h3>Options</h3>${optionsTable(plan)}${settingsAndLimits(plan)}${whatIfTable(plan)}${notes}`;
}
