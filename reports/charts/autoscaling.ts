/**
 * The capacity plan's demand curve against what the fleet can serve within SLO: the recommended
 * static fleet (replicas x goodput per replica), and the autoscaler's busiest and minimum fleets
 * from the simulation, with the first second the simulation went over SLO marked. plan.json holds
 * the simulation's totals, not its step-by-step replica count, so capacities are drawn as levels.
 */
import { demandSeries, parseDemand } from '../../planner/demand.ts';
import { formatCount, formatDurationSec } from '../format.ts';
import { recommendedOption } from '../plan-digest.ts';
import { colorBy, COLORS, topLevel, WIDTH, type Spec } from './theme.ts';
import type { RunChart } from './types.ts';

const MAX_POINTS = 900;

function demandRows(
  raw: Record<string, unknown>,
  peak: number,
  stepSec: number,
): { t: number; rate: number }[] {
  let series: number[];
  try {
    series = demandSeries(parseDemand(raw, 'plan.json inputs.demand'), peak, stepSec);
  } catch {
    return [];
  }
  const k = Math.max(1, Math.ceil(series.length / MAX_POINTS));
  const rows: { t: number; rate: number }[] = [];
  for (let i = 0; i < series.length; i += k) {
    rows.push({ t: i * stepSec, rate: Math.max(...series.slice(i, i + k)) });
  }
  return rows;
}

export const autoscaling: RunChart = {
  id: 'autoscaling',
  title: 'Capacity plan: demand against capacity',
  caption:
    "Demand of the plan (requests/s, the highest value in each window) against the requests/s within SLO of the recommended fleet and of the autoscaler's busiest and minimum fleets in the simulation.",
  build({ loaded }) {
    const plan = loaded.plan;
    const rec = plan === null ? null : recommendedOption(plan);
    const perReplica = rec?.goodput.ratePerSec ?? null;
    if (plan === null || rec === null || perReplica === null || plan.demand.peakRatePerSec === null)
      return null;
    const stepSec = plan.autoscaling?.stepSec ?? plan.inputs.policy.autoscaler.stepSec ?? 60;
    const rows = demandRows(plan.inputs.demand, plan.demand.peakRatePerSec, stepSec);
    if (rows.length === 0) return null;
    const hours = rows[rows.length - 1]!.t > 7200;
    const scaleT = (t: number) => (hours ? t / 3600 : t);
    const xTitle = hours ? 'time (h)' : 'time (s)';
    const levels: { name: string; rate: number }[] = [];
    const replicas = rec.totals.replicas;
    if (replicas !== null)
      levels.push({
        name: `recommended fleet: ${formatCount(replicas)} replicas`,
        rate: replicas * perReplica,
      });
    const run = plan.autoscaling?.run;
    if (run?.peakReadyReplicas != null) {
      levels.push({
        name: `autoscaler peak: ${formatCount(run.peakReadyReplicas)} ready`,
        rate: run.peakReadyReplicas * perReplica,
      });
    }
    const min = plan.inputs.policy.autoscaler.minReplicas;
    if (plan.autoscaling !== null && min !== null) {
      levels.push({ name: `autoscaler minimum: ${formatCount(min)}`, rate: min * perReplica });
    }
    const levelColors = [COLORS.capacity, '#2a9d8f', '#a0aec0'];
    const x = { field: 't', type: 'quantitative', title: xTitle };
    const y = { field: 'rate', type: 'quantitative', title: 'requests/s' };
    const layer: Spec[] = [
      {
        data: { values: rows.map((r) => ({ t: scaleT(r.t), rate: r.rate, series: 'demand' })) },
        mark: { type: 'area', line: { color: COLORS.demand }, color: COLORS.demand, opacity: 0.25 },
        encoding: { x, y },
      },
      {
        data: { values: levels },
        mark: { type: 'rule', strokeDash: [6, 3], strokeWidth: 1.6 },
        encoding: {
          y,
          color: colorBy(
            'name',
            levels.map((l, i) => [l.name, levelColors[i]!] as const),
          ),
        },
      },
    ];
    const firstOver = run?.firstOverSloSec ?? null;
    if (firstOver !== null && plan.autoscaling !== null) {
      const label = `over SLO from ${formatDurationSec(firstOver)} (${formatDurationSec(plan.autoscaling.run.secondsOverSlo)} in all)`;
      const values = [{ t: scaleT(firstOver), label }];
      layer.push(
        {
          data: { values },
          mark: { type: 'rule', color: COLORS.fault, strokeDash: [4, 3] },
          encoding: { x },
        },
        {
          data: { values },
          mark: {
            type: 'text',
            align: 'left',
            baseline: 'top',
            dx: 4,
            dy: 4,
            fontSize: 10,
            color: COLORS.fault,
          },
          encoding: { x, y: { value: 0 }, text: { field: 'label' } },
        },
      );
    }
    return topLevel({ width: WIDTH, height: 220, layer });
  },
};
