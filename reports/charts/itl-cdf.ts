import { metricCdfChart } from './metric-cdf.ts';
import { COLORS } from './theme.ts';

export const itlCdf = metricCdfChart({
  id: 'itl-cdf',
  title: 'ITL distribution',
  caption:
    "Cumulative distribution of the gaps between successive streamed tokens (every gap of every request), from the run's HDR histogram.",
  metric: 'itlMs',
  label: 'ITL',
  color: COLORS.itl,
});
