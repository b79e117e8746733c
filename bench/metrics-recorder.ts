/**
 * Cost of the recorder's hot path per request, against a peer measured in the same run: the bare
 * hdr-histogram-js recordValue calls for the same values. Also the samples file write and read.
 * Run: npx tsx bench/metrics-recorder.ts [samples]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'hdr-histogram-js';
import { Recorder } from '../harness/metrics/recorder.ts';
import { parseThresholds } from '../harness/metrics/thresholds.ts';
import { readSamples } from '../harness/results/read.ts';
import { unknownStack, type RequestSample, type Summary } from '../harness/results/schema.ts';
import { SamplesWriter } from '../harness/results/write.ts';
import { cpuMsSince } from './engine-bench-support.ts';

const N = Number(process.argv[2] ?? 100_000);
const TOKENS = 64;
const INTERVAL_MS = 2; // 500 requests/s

function sample(i: number): RequestSample {
  const at = i * INTERVAL_MS;
  const gaps = Array.from({ length: TOKENS - 1 }, (_, k) => 15 + ((i + k) % 17));
  const firstTokenMs = at + 120 + (i % 50);
  return {
    scheduledAtMs: at,
    sentAtMs: at + (i % 3),
    firstByteMs: at + 40,
    firstTokenMs,
    tokenGapsMs: gaps,
    endMs: firstTokenMs + gaps.reduce((a, b) => a + b, 0),
    inputTokens: 200,
    outputTokens: TOKENS,
    tokenSource: 'usage',
    status: 200,
    errorClass: i % 100 === 0 ? 'http_5xx' : null,
    degraded: false,
    tenant: 't',
    session: `s${i % 500}`,
    turn: i % 10,
    replica: 'r1',
    phase: 'steady',
  };
}

const RUN: Omit<Summary['run'], 'durationSec'> = {
  id: 'bench',
  scenario: 'bench',
  seed: 1,
  startedAt: new Date().toISOString(),
  endedAt: new Date().toISOString(),
  target: 'none',
  stack: unknownStack('external'),
  versions: { agentload: '0', node: process.version },
  segment: null,
  source: 'agentload',
};

function timeMs(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

const samples = Array.from({ length: N }, (_, i) => sample(i));

const peerMs = timeMs(() => {
  const [ttft, e2e, itl, lag] = [build(), build(), build(), build()];
  for (const s of samples) {
    ttft.recordValue(Math.round((s.firstTokenMs! - s.scheduledAtMs) * 1000));
    e2e.recordValue(Math.round((s.endMs - s.scheduledAtMs) * 1000));
    for (const g of s.tokenGapsMs) itl.recordValue(g * 1000);
    lag.recordValue(Math.round((s.sentAtMs - s.scheduledAtMs) * 1000));
  }
});

const recorder = new Recorder({
  slo: { ttftMs: 500, itlMs: 30, e2eMs: 3000, percentile: 95 },
  thresholds: parseThresholds({ ttft_ms: ['p(95)<1500'], http_req_failed: ['rate<0.05'] }),
});
recorder.setPhase('steady', 0);
const recordMs = timeMs(() => {
  let checkedAtMs = 0;
  for (const s of samples) {
    recorder.record(s);
    if (s.endMs - checkedAtMs >= 1000) {
      recorder.checkThresholds(s.endMs);
      recorder.snapshot(s.endMs);
      checkedAtMs = s.endMs;
    }
  }
});
const finishMs = timeMs(() => recorder.finish({ endMs: N * INTERVAL_MS + 5000, run: RUN }));

const dir = await mkdtemp(join(tmpdir(), 'agentload-bench-'));
const writer = SamplesWriter.open(dir);
const writeCpu0 = process.cpuUsage();
const writeMs = timeMs(() => {
  for (const s of samples) writer.write(s);
});
await writer.close();
const writeCpuMs = cpuMsSince(writeCpu0);
let read = 0;
const readStart = performance.now();
for await (const _ of readSamples(dir)) read += 1;
const readMs = performance.now() - readStart;
await rm(dir, { recursive: true, force: true });

const perSample = (ms: number): string => `${((ms * 1000) / N).toFixed(2)} us`;
console.log(`${N} samples of ${TOKENS} tokens (node ${process.version})`);
console.log(`peer: raw HDR recordValue      ${perSample(peerMs)}/sample`);
console.log(
  `Recorder.record                ${perSample(recordMs)}/sample = ${(recordMs / peerMs).toFixed(2)}x peer (live thresholds + snapshot each second)`,
);
console.log(`Recorder.finish                ${finishMs.toFixed(0)} ms for the whole run`);
console.log(
  `SamplesWriter.write            ${perSample(writeMs)}/sample on the event loop (gzip runs in the threadpool)`,
);
console.log(
  `SamplesWriter, write to close  ${perSample(writeCpuMs)}/sample of process CPU, gzip threads included`,
);
console.log(`readSamples (gunzip + zod)     ${perSample(readMs)}/sample, ${read} read`);
