import { metricCdfChart } from './metric-cdf.ts';
import { COLORS } from './theme.ts';

export const ttftCdf = metricCdfChart({
  id: 'ttft-cdf',
  title: 'TTFT distribution',
  caption:
    "Cumulative distribution of time to first token over the whole run, from the run's HDR histogram (3 significant digits).",
  metric: 'ttftMs',
  label: 'TTFT',
  color: COLORS.p95,
});
