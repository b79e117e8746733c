/**
 * Every chart, by id, in the order a report shows them. One chart per file; each returns a
 * Vega-Lite spec or null when the run has nothing to show for it.
 */
import { autoscaling } from './autoscaling.ts';
import { compareCdf } from './compare-cdf.ts';
import { compareOverTime } from './compare-over-time.ts';
import { errorsOverTime } from './errors-over-time.ts';
import { itlCdf } from './itl-cdf.ts';
import { latencyOverTime } from './latency-over-time.ts';
import { latencyThroughput } from './latency-throughput.ts';
import { serverOverTime } from './server-over-time.ts';
import { throughputOverTime } from './throughput-over-time.ts';
import { ttftCdf } from './ttft-cdf.ts';
import type { CompareChart, RunChart } from './types.ts';

export const runCharts = {
  'latency-over-time': latencyOverTime,
  'throughput-over-time': throughputOverTime,
  'errors-over-time': errorsOverTime,
  'ttft-cdf': ttftCdf,
  'itl-cdf': itlCdf,
  'server-over-time': serverOverTime,
  'latency-throughput': latencyThroughput,
  autoscaling,
} satisfies Record<string, RunChart>;

export const compareCharts = {
  'compare-cdf': compareCdf,
  'compare-over-time': compareOverTime,
} satisfies Record<string, CompareChart>;
