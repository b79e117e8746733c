import { afterEach, describe, expect, it } from 'vitest';
import type { ModelServerHandle, StepRecord } from '../../../reference-service/model-server/index.ts';
import { holdStream, postJson, startTestServer, waitFor, type TestServerOptions } from './helpers.ts';

let server: ModelServerHandle | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function startRecording(options: TestServerOptions): Promise<StepRecord[]> {
  const steps: StepRecord[] = [];
  server = await startTestServer({ ...options, onStep: (r) => steps.push(r) });
  return steps;
}

function generate(inputs: string, maxNewTokens: number): Promise<Response> {
  return postJson(`${server!.url}/generate`, { inputs, parameters: { max_new_tokens: maxNewTokens } });
}

describe('continuous batching over HTTP', () => {
  it('runs one sequence per step for one client and grows the batch as clients are added', async () => {
    const steps = await startRecording({ perf: { stepMs: 2 } });
    for (let i = 0; i < 3; i++) await generate(`solo ${i}`, 10);
    expect(Math.max(...steps.map((s) => s.input.decodeSeqs))).toBe(1);
    steps.length = 0;
    await Promise.all(Array.from({ length: 16 }, (_, i) => generate(`crowd ${i}`, 60)));
    expect(Math.max(...steps.map((s) => s.input.decodeSeqs))).toBeGreaterThanOrEqual(8);
  });

  it('holds later requests behind a head that does not fit in the KV cache, then admits them together', async () => {
    const steps = await startRecording({ perf: { stepMs: 10, kvCapacityTokens: 200, maxTotalTokens: 200 } });
    const words = (n: number): string => 'word '.repeat(n).trim();
    const first = generate(words(100), 50); // reserves 150 of 200
    await waitFor(() => steps.length > 0);
    const blocked = generate(words(100), 50); // needs 150: waits for the first
    await waitFor(() => steps.some((s) => s.queueSize === 1));
    const small = generate('tiny', 10); // would fit (11 tokens), but the head blocks it
    await waitFor(() => steps.some((s) => s.queueSize === 2));
    await Promise.all([first, blocked, small]);
    const whileFirstRan = steps.filter((s) => s.queueSize > 0);
    expect(whileFirstRan.every((s) => s.batchSize === 1)).toBe(true);
    expect(steps.some((s) => s.admitted === 2)).toBe(true);
    expect(Math.max(...steps.map((s) => s.batchSize))).toBe(2);
  });

  it('splits a long prompt into prefill chunks that ride along with decoding steps', async () => {
    const steps = await startRecording({ perf: { stepMs: 2, maxBatchPrefillTokens: 64 } });
    const running = generate('short', 100);
    await waitFor(() => steps.some((s) => s.input.decodeSeqs === 1));
    await generate('word '.repeat(300), 2);
    await running;
    const mixed = steps.filter((s) => s.input.prefillTokens > 0 && s.input.decodeSeqs > 0);
    expect(mixed.length).toBeGreaterThanOrEqual(4);
    expect(mixed.every((s) => s.input.prefillTokens + s.input.decodeSeqs <= 64)).toBe(true);
  });

  it('times every step by the PerfModel and the latency multiplier', async () => {
    const steps = await startRecording({
      perf: { stepMs: (i) => 1 + i.decodeSeqs * 0.5 + i.prefillTokens * 0.01 },
    });
    await generate('a b c', 4);
    server!.faults.setLatencyMultiplier(3);
    await generate('a b c', 4);
    const first = steps.slice(0, 4).map((s) => s.durationMs);
    const second = steps.slice(4, 8).map((s) => s.durationMs);
    expect(first).toEqual([1.03, 1.5, 1.5, 1.5]);
    expect(second).toEqual(first.map((ms) => ms * 3));
  });

  it('drops a request whose client goes away, freeing its permit and KV', async () => {
    const steps = await startRecording({ perf: { stepMs: 5 } });
    const hold = await holdStream(server!.url);
    await waitFor(() => server!.inFlightRequests() === 1 && steps.length > 0);
    hold.release();
    await waitFor(() => server!.inFlightRequests() === 0);
    const metrics = await (await fetch(`${server!.url}/metrics`)).text();
    expect(metrics).toMatch(/^tgi_request_failure\{err="dropped"\} 1$/m);
    expect(metrics).toMatch(/^tgi_batch_current_max_tokens 0$/m);
  });
});
