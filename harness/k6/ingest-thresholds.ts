/**
 * Which thresholds an ingested k6 run is judged on. With the scenario known: its own thresholds,
 * less those k6 cannot measure (turns_lost, schedule_lag_ms: see k6-options.ts). Otherwise the
 * expressions k6 printed on its Metric lines, for the metrics docs/metrics.md defines, with the
 * export's renames undone (output_tokens `rate` is output_tokens_per_sec `value`).
 */
import type { Scenario } from '../config/scenario-schema.ts';
import { InvalidConfigError } from '../errors.ts';
import { parseThresholds, THRESHOLD_METRICS, type ThresholdSpec } from '../metrics/thresholds.ts';
import { NOT_IN_K6 } from './k6-options.ts';
import type { K6Metric } from './k6-json.ts';

const FROM_K6: Record<string, { metric: string; from: string; to: string }> = {
  output_tokens: { metric: 'output_tokens_per_sec', from: 'rate', to: 'value' },
  good_requests: { metric: 'goodput_per_sec', from: 'rate', to: 'value' },
};

export function ingestThresholds(
  scenario: Scenario | null,
  metrics: ReadonlyMap<string, K6Metric>,
  notes: string[],
): ThresholdSpec[] {
  if (scenario) {
    return parseThresholds(scenario.thresholds).filter((spec) => {
      const why = NOT_IN_K6[spec.metric];
      if (why) notes.push(`threshold ${spec.metric} ${spec.expression} not judged: ${why}`);
      return !why;
    });
  }
  const config: Record<string, string[]> = {};
  for (const m of metrics.values()) {
    for (const expression of m.thresholds) {
      const renamed = FROM_K6[m.name];
      if (renamed && expression.trim().startsWith(renamed.from)) {
        (config[renamed.metric] ??= []).push(expression.trim().replace(renamed.from, renamed.to));
      } else if (Object.hasOwn(THRESHOLD_METRICS, m.name)) {
        (config[m.name] ??= []).push(expression);
      } else {
        notes.push(`threshold ${m.name} ${expression} not judged: not an agentload metric (docs/metrics.md)`);
      }
    }
  }
  try {
    return parseThresholds(config, 'k6 thresholds');
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    notes.push(`k6 thresholds not judged: ${error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    return [];
  }
}
