/**
 * R3 Noisy neighbour.
 * Done: tenant `noisy` (20 turns/min) sends 200 turns, 20 at a time (10x its per-minute limit in a
 *   few seconds), while tenant `globex` runs 30 turns 2 at a time; the same 30 turns also run alone
 *   first, as the baseline.
 * Must hold: every globex turn succeeds, during the flood as before it (no 429, no 503); noisy is
 *   held to its bucket (20 + refill) and rejected with 429, never 5xx.
 * Figure: globex success rate and p50/p99 latency alone vs during the flood (printed, not
 *   asserted: timing on a shared 2-core machine), noisy's admitted and 429 counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../reference-service/agent/auth.ts';
import { call, keys } from '../reference-service/agent/helpers/agent-stack.ts';
import { quantile, recordFigure, round } from '../support/audit-figures.ts';
import { startServiceOnRedis, type RedisService } from '../support/service.ts';

const noisyKey = 'noisy-tenant-key-01';
const noisyPerMin = 20;

let svc: RedisService;

beforeAll(async () => {
  svc = await startServiceOnRedis({
    tune: (raw) => {
      raw.tenants.push({
        name: 'noisy',
        keyHashes: [hashApiKey(noisyKey)],
        limits: { requestsPerMin: noisyPerMin, tokensPerMin: 1_000_000 },
      });
    },
  });
});

afterAll(async () => {
  await svc?.close();
});

interface Sample {
  status: number;
  ms: number;
}

/** `total` turns by `key`, `concurrency` at a time, each on its own session. */
async function run(key: string, prefix: string, total: number, concurrency: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const startMs = performance.now();
      const res = await call(svc.agent, `/v1/sessions/${prefix}-${i}/turns`, {
        key,
        body: { message: 'What is a token bucket?', max_tokens: 8 },
      });
      await res.arrayBuffer();
      samples.push({ status: res.status, ms: performance.now() - startMs });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return samples;
}

describe('R3 noisy neighbour', () => {
  it('keeps every turn of a steady tenant successful while another floods at 10x its limit', async () => {
    const baseline = await run(keys.globex, 'quiet-base', 30, 2);
    const floodStartMs = performance.now();
    const [noisy, quiet] = await Promise.all([
      run(noisyKey, 'noisy', 200, 20),
      run(keys.globex, 'quiet-flood', 30, 2),
    ]);
    const floodSec = (performance.now() - floodStartMs) / 1000;
    const okShare = (s: Sample[]) => s.filter((x) => x.status === 200).length / s.length;
    const p = (s: Sample[], q: number) =>
      round(
        quantile(
          s.map((x) => x.ms),
          q,
        ),
        0,
      );
    const noisyAdmitted = noisy.filter((s) => s.status === 200).length;
    const noisy429 = noisy.filter((s) => s.status === 429).length;
    const bound = noisyPerMin + (noisyPerMin / 60) * floodSec;
    const quietFailures = [...baseline, ...quiet].filter((s) => s.status !== 200).length;
    recordFigure({
      caseId: 'R3 noisy neighbour',
      tried: baseline.length + quiet.length + noisy.length,
      failures: quietFailures + Math.max(0, noisyAdmitted - Math.floor(bound)),
      figure:
        `globex ok ${round(okShare(baseline) * 100)}% alone, ${round(okShare(quiet) * 100)}% during flood; ` +
        `p50/p99 ${p(baseline, 0.5)}/${p(baseline, 0.99)} ms alone vs ${p(quiet, 0.5)}/${p(quiet, 0.99)} ms; ` +
        `noisy ${noisyAdmitted} admitted (bound ${round(bound, 1)}), ${noisy429} x 429 of ${noisy.length}`,
    });
    expect(quietFailures).toBe(0);
    expect(noisyAdmitted).toBeLessThanOrEqual(Math.floor(bound));
    expect(noisyAdmitted + noisy429).toBe(noisy.length);
  });
});
