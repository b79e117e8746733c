/**
 * Fixtures for report and gate tests: seeded request samples, summaries recorded through the real
 * Recorder, and tiny results directories written into a temporary folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, type Rng } from '../../harness/engine/rng.ts';
import { Recorder } from '../../harness/metrics/recorder.ts';
import { parseThresholds } from '../../harness/metrics/thresholds.ts';
import type {
  FaultEvent,
  RequestSample,
  SloSpec,
  Summary,
  Timeseries,
} from '../../harness/results/schema.ts';
import { SamplesWriter, writeResults } from '../../harness/results/write.ts';
import { RUN } from './summary-factory.ts';

export interface SampleShape {
  seed: number;
  count: number;
  ratePerSec: number;
  /** Median time to first token, ms. */
  ttftMedianMs?: number;
  /** Median gap between tokens, ms. */
  itlMedianMs?: number;
  /** Multiplies every latency: 1.2 is "a model profile made 20% slower". */
  slowdown?: number;
  errorShare?: number;
  degradedShare?: number;
  startMs?: number;
  phase?: string | null;
}

function oneSample(rng: Rng, i: number, s: SampleShape): RequestSample {
  const scheduledAtMs = (s.startMs ?? 0) + (i * 1000) / s.ratePerSec;
  const sentAtMs = scheduledAtMs + rng.next() * 2;
  const slow = s.slowdown ?? 1;
  const base = {
    scheduledAtMs,
    sentAtMs,
    inputTokens: rng.int(200, 800),
    tokenSource: 'usage' as const,
    degraded: false,
    tenant: 'team-a',
    session: null,
    turn: null,
    replica: null,
    phase: s.phase ?? null,
  };
  if (rng.next() < (s.errorShare ?? 0)) {
    return {
      ...base,
      firstByteMs: null,
      firstTokenMs: null,
      tokenGapsMs: [],
      endMs: sentAtMs + 20 + rng.next() * 30,
      outputTokens: 0,
      status: 503,
      errorClass: 'http_5xx',
    };
  }
  const ttftMs = rng.lognormal((s.ttftMedianMs ?? 180) * slow, 0.35);
  const outputTokens = rng.int(20, 60);
  const tokenGapsMs = Array.from({ length: outputTokens - 1 }, () =>
    rng.lognormal((s.itlMedianMs ?? 22) * slow, 0.25),
  );
  const firstTokenMs = scheduledAtMs + ttftMs;
  const endMs = firstTokenMs + tokenGapsMs.reduce((a, b) => a + b, 0);
  return {
    ...base,
    firstByteMs: scheduledAtMs + ttftMs * 0.7,
    firstTokenMs,
    tokenGapsMs,
    endMs,
    outputTokens,
    status: 200,
    errorClass: null,
    degraded: rng.next() < (s.degradedShare ?? 0),
  };
}

/** Seeded samples: lognormal TTFT and gaps, `count` requests at a constant rate. */
export function makeSamples(shape: SampleShape): RequestSample[] {
  const rng = createRng(shape.seed);
  return Array.from({ length: shape.count }, (_, i) => oneSample(rng, i, shape));
}

export interface RecordOptions {
  scenario?: string;
  seed?: number;
  slo?: SloSpec;
  thresholds?: Record<string, string[]>;
  /** Phases (name, start ms, optional sweep load) in order. */
  phases?: { name: string; atMs: number; offeredRatePerSec?: number }[];
  faults?: FaultEvent[];
  /** Server gauges per second: (second) -> gauges. */
  scrape?: (sec: number) => Timeseries['points'][number]['server'];
  turnsLost?: number | null;
  profile?: string | null;
}

const { durationSec: _durationSec, ...runWithoutDuration } = RUN;

/** Feeds samples through the real Recorder and returns the summary and timeseries it writes. */
export function recordRun(
  samples: readonly RequestSample[],
  o: RecordOptions = {},
): { summary: Summary; timeseries: Timeseries } {
  const recorder = new Recorder({
    slo: o.slo ?? { ttftMs: 800, e2eMs: 4000, percentile: 95, maxErrorRate: 0.02 },
    thresholds: parseThresholds(o.thresholds ?? { ttft_ms: ['p(95)<800'], http_req_failed: ['rate<0.02'] }),
  });
  const endMs = Math.max(...samples.map((s) => s.endMs), 1000);
  const phases = [...(o.phases ?? [])].sort((a, b) => a.atMs - b.atMs);
  const events: { atMs: number; apply: () => void }[] = [
    ...phases.map((p) => ({
      atMs: p.atMs,
      apply: () =>
        recorder.setPhase(
          p.name,
          p.atMs,
          p.offeredRatePerSec === undefined
            ? undefined
            : { offeredRatePerSec: p.offeredRatePerSec, targetConcurrency: null },
        ),
    })),
    ...(o.faults ?? []).map((f) => ({ atMs: f.atSec * 1000, apply: () => recorder.markFault(f) })),
  ];
  if (o.scrape) {
    for (let sec = 0; sec * 1000 < endMs; sec++) {
      const gauges = o.scrape(sec);
      events.push({ atMs: sec * 1000 + 500, apply: () => recorder.addScrape(sec * 1000 + 500, gauges) });
    }
  }
  const ordered = [...samples].sort((a, b) => a.endMs - b.endMs);
  events.sort((a, b) => a.atMs - b.atMs);
  let e = 0;
  for (const sample of ordered) {
    while (e < events.length && events[e]!.atMs <= sample.scheduledAtMs) events[e++]!.apply();
    recorder.record(sample);
  }
  while (e < events.length) events[e++]!.apply();
  return recorder.finish({
    endMs,
    run: {
      ...runWithoutDuration,
      id: `run-${o.seed ?? 1}`,
      scenario: o.scenario ?? 'chat-steady',
      seed: o.seed ?? 1,
      endedAt: new Date(Date.parse(RUN.startedAt) + endMs).toISOString(),
      stack: { ...RUN.stack, profile: o.profile === undefined ? RUN.stack.profile : o.profile },
    },
    generator: { eventLoopDelayP99Ms: 4, cpuPercent: 35 },
    turnsLost: o.turnsLost === undefined ? 0 : o.turnsLost,
  });
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempRoot(prefix = 'agentload-reports-'): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Writes a complete results directory (summary, timeseries, samples) and returns its path. */
export async function writeRunDir(
  root: string,
  name: string,
  samples: readonly RequestSample[],
  options: RecordOptions & { plan?: unknown; withSamples?: boolean } = {},
): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  const results = recordRun(samples, options);
  await writeResults(dir, results);
  if (options.withSamples !== false) {
    const writer = SamplesWriter.open(dir);
    for (const s of samples) writer.write(s);
    await writer.close();
  }
  if (options.plan !== undefined)
    await writeFile(join(dir, 'plan.json'), `${JSON.stringify(options.plan, null, 2)}\n`);
  return dir;
}

export { loadedOf, makeSummary, metricOf, scaledSummary } from './summary-factory.ts';
