/**
 * A realistic pair of results directories for the HTML and browser tests: a rate sweep that
 * saturates near 26 req/s, with a model-server replica killed for 6 s mid-run, scraped server
 * gauges, and a capacity plan next to it; the baseline is the same sweep, 20% faster, no fault.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestSample } from '../../harness/results/schema.ts';
import { runPlan } from '../../planner/run-plan.ts';
import { makeSamples, writeRunDir } from './factories.ts';

const STEP_SEC = 15;
const RATES = [4, 8, 12, 16, 20, 24];
const CAPACITY_PER_SEC = 26;
const FAULT = { fromMs: 50_000, toMs: 56_000 };

const plannerFixtures = fileURLToPath(new URL('../planner/fixtures/', import.meta.url));

function sweepSamples(seed: number, slowdown: number, fault: boolean): RequestSample[] {
  const out: RequestSample[] = [];
  RATES.forEach((rate, i) => {
    const rho = Math.min(rate / CAPACITY_PER_SEC, 0.95);
    const queueFactor = 1 / (1 - rho);
    out.push(
      ...makeSamples({
        seed: seed * 100 + i,
        count: rate * STEP_SEC,
        ratePerSec: rate,
        startMs: i * STEP_SEC * 1000,
        ttftMedianMs: 90 * queueFactor,
        itlMedianMs: 18 * (1 + rho * 0.6),
        slowdown,
        errorShare: rho > 0.85 ? 0.02 : 0,
        degradedShare: 0.003,
        phase: `rate-${rate}`,
      }),
    );
  });
  if (!fault) return out;
  return out.map((s, i) => {
    if (s.scheduledAtMs < FAULT.fromMs || s.scheduledAtMs >= FAULT.toMs) return s;
    if (i % 3 === 0) {
      return {
        ...s,
        firstByteMs: null,
        firstTokenMs: null,
        tokenGapsMs: [],
        endMs: s.sentAtMs + 40,
        outputTokens: 0,
        status: 503,
        errorClass: 'http_5xx',
      };
    }
    if (i % 3 === 1) return { ...s, degraded: true };
    return s;
  });
}

function scrape(sec: number): {
  queueSize: number;
  batchSize: number;
  agentInFlight: number;
  breakerOpen: number;
} {
  const rate = RATES[Math.min(Math.floor(sec / STEP_SEC), RATES.length - 1)]!;
  const rho = rate / CAPACITY_PER_SEC;
  const faulty = sec * 1000 >= FAULT.fromMs && sec * 1000 < FAULT.toMs;
  return {
    queueSize: Math.max(0, Math.round((rho - 0.6) * 40)) + (faulty ? 12 : 0),
    batchSize: Math.min(32, Math.round(rate * 1.3)),
    agentInFlight: Math.round(rate * 1.6 * (1 + rho)),
    breakerOpen: faulty ? 1 : 0,
  };
}

export async function writeDemoRuns(root: string): Promise<{ baseline: string; current: string }> {
  const options = {
    scenario: 'chat-sweep',
    slo: { ttftMs: 800, itlMs: 60, e2eMs: 4000, percentile: 95, maxErrorRate: 0.02 },
    thresholds: { ttft_ms: ['p(95)<800'], http_req_failed: ['rate<0.02'], turns_lost: ['count==0'] },
    phases: RATES.map((rate, i) => ({
      name: `rate-${rate}`,
      atMs: i * STEP_SEC * 1000,
      offeredRatePerSec: rate,
    })),
    scrape,
  };
  const { plan } = runPlan({
    from: [join(plannerFixtures, 'sweeps', 'run-1')],
    agentFrom: [],
    demandFile: join(plannerFixtures, 'demand.yaml'),
    demandFlags: {},
    policyFlags: { gpuHourUsd: 2.5, coldStartSec: 120 },
  });
  const baseline = await writeRunDir(root, 'baseline', sweepSamples(3, 1, false), { ...options, seed: 3 });
  const current = await writeRunDir(root, 'current', sweepSamples(4, 1.2, true), {
    ...options,
    seed: 4,
    faults: [
      { atSec: FAULT.fromMs / 1000, component: 'model-server-1', action: 'kill', ok: true },
      { atSec: FAULT.toMs / 1000, component: 'model-server-1', action: 'restart', ok: true },
    ],
    plan: JSON.parse(
      JSON.stringify(plan, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)),
    ),
  });
  return { baseline, current };
}
