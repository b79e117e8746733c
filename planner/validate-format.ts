/** The `plan --validate` table for a person; the JSON (--json) carries the same numbers. */
import type { ValidateRunResult } from './validate-run.ts';

const fmt = (v: number | null, digits = 2): string =>
  v === null || !Number.isFinite(v) ? '-' : v.toFixed(digits);
const pct = (v: number | null): string => (v === null ? '-' : `${v >= 0 ? '+' : ''}${v.toFixed(1)}%`);

/** The validation table for a person. */
export function formatValidation(result: ValidateRunResult): string {
  const header = [
    'replicas',
    'load/s',
    'goodput pred',
    'meas',
    'error',
    'p95 E2E@load pred',
    'meas',
    'error',
    'p95 E2E@goodput pred',
    'meas',
    'error',
  ];
  const body = result.rows.map((r) => {
    const g = r.measuredGoodput;
    const bound = g.status === 'censored' ? '>=' : g.status === 'unmet' ? '<' : '';
    return [
      String(r.replicas),
      fmt(r.predicted.ratePerSec),
      fmt(r.predicted.goodputPerSec),
      `${bound}${fmt(g.goodputPerSec)}`,
      pct(r.goodputErrorPct),
      fmt(r.predicted.e2eP95Ms, 0),
      fmt(r.measuredE2eP95Ms, 0),
      pct(r.e2eErrorPct),
      fmt(r.predicted.e2eP95AtGoodputMs, 0),
      fmt(r.measuredE2eP95AtGoodputMs, 0),
      pct(r.e2eAtGoodputErrorPct),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  const out = [
    'Validation: predicted from the 1-replica curve (goodput x k; latency at load / k) vs measured at k replicas',
    '(goodput in requests/s, latency in ms; error = (predicted - measured) / measured)',
    line(header),
    ...body.map(line),
  ];
  for (const r of result.rows) {
    const failed = r.checks
      .filter((c) => !c.ok)
      .map((c) => `${c.name} ${fmt(c.measured)} vs ${fmt(c.predicted)}`);
    const status =
      r.measuredGoodput.status === 'within' ? '' : ` (measured goodput ${r.measuredGoodput.status})`;
    out.push(
      `  ${r.replicas} replicas: ${failed.length === 0 ? 'every check at the plan load held' : `FAILED ${failed.join('; ')}`}${status}; results ${r.resultsDir}`,
    );
  }
  const t = result.tolerancePct;
  out.push(
    result.ok
      ? `validation passed: goodput and p95 E2E at goodput within ${t}%, p95 E2E at the plan load no more than ${t}% above the prediction`
      : `validation FAILED (within ${t}% needed; see above)`,
  );
  return `${out.join('\n')}\n`;
}
