/** The gate's verdicts inside report.json (docs/reports.md, "GateResult"). */
import { z } from 'zod';

const num = z.number().finite();
const nullableNum = num.nullable();
const count = z.number().int().nonnegative();

export const gateRuleVerdictSchema = z.object({
  name: z.string(),
  metric: z.string(),
  stat: z.string(),
  direction: z.enum(['increase', 'decrease']),
  tolerance: z.object({ kind: z.enum(['relative', 'absolute']), value: num }),
  status: z.enum(['pass', 'fail', 'inconclusive', 'skipped']),
  ok: z.boolean(),
  baseline: nullableNum,
  current: nullableNum,
  delta: nullableNum,
  relative: nullableNum,
  interval: z
    .object({ low: num, high: num, confidence: num, of: z.enum(['ratio', 'difference']) })
    .nullable(),
  test: z.object({
    /** bootstrap / mann-whitney: percentiles; normal: means (delta method); newcombe: shares; point: run-level figures. */
    method: z.enum(['bootstrap', 'mann-whitney', 'normal', 'newcombe', 'point', 'none']),
    evidence: z.enum(['samples', 'histogram', 'counts', 'run-level', 'none']),
    pValue: nullableNum,
    iterations: count.nullable(),
    nBaseline: count.nullable(),
    nCurrent: count.nullable(),
  }),
  reason: z.string(),
});

export const gateThresholdSchema = z.object({
  metric: z.string(),
  expression: z.string(),
  origin: z.enum(['run', 'gate']),
  ok: z.boolean(),
  actual: nullableNum,
  reason: z.string(),
});

export const gateResultSchema = z.object({
  ok: z.boolean(),
  current: z.string(),
  baseline: z.string().nullable(),
  config: z.object({
    source: z.string(),
    method: z.enum(['bootstrap', 'mann-whitney']),
    confidence: num,
    iterations: count,
    seed: num,
    onInconclusive: z.enum(['pass', 'fail']),
  }),
  thresholds: z.array(gateThresholdSchema),
  rules: z.array(gateRuleVerdictSchema),
  warnings: z.array(z.string()),
});

export type GateRuleVerdict = z.infer<typeof gateRuleVerdictSchema>;
export type GateThresholdCheck = z.infer<typeof gateThresholdSchema>;
export type GateResult = z.infer<typeof gateResultSchema>;
