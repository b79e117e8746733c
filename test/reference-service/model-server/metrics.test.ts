import { afterEach, describe, expect, it } from 'vitest';
import type { ModelServerHandle } from '../../../reference-service/model-server/index.ts';
import { durationBuckets } from '../../../reference-service/model-server/metrics.ts';
import { postJson, startTestServer } from './helpers.ts';

let server: ModelServerHandle;
afterEach(() => server.close());

async function scrape(): Promise<string> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

function bucketBounds(text: string, metric: string): string[] {
  const re = new RegExp(`^${metric}_bucket\\{(?:[^}]*,)?le="([^"]+)"`, 'gm');
  return [...text.matchAll(re)].map((m) => m[1]!);
}

function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : NaN;
}

describe('GET /metrics', () => {
  it('exports TGI metric names with their types', async () => {
    server = await startTestServer();
    await postJson(`${server.url}/generate`, { inputs: 'Hello', parameters: { max_new_tokens: 3 } });
    const text = await scrape();
    const types = Object.fromEntries([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
    expect(types).toMatchObject({
      tgi_request_count: 'counter',
      tgi_request_success: 'counter',
      tgi_request_failure: 'counter',
      tgi_request_duration: 'histogram',
      tgi_request_validation_duration: 'histogram',
      tgi_request_queue_duration: 'histogram',
      tgi_request_inference_duration: 'histogram',
      tgi_request_mean_time_per_token_duration: 'histogram',
      tgi_request_generated_tokens: 'histogram',
      tgi_request_input_length: 'histogram',
      tgi_request_max_new_tokens: 'histogram',
      tgi_queue_size: 'gauge',
      tgi_batch_current_size: 'gauge',
      tgi_batch_current_max_tokens: 'gauge',
      tgi_batch_max_total_tokens: 'gauge',
      tgi_batch_next_size: 'histogram',
      tgi_batch_inference_count: 'counter',
      tgi_batch_inference_success: 'counter',
      tgi_batch_inference_duration: 'histogram',
      tgi_batch_forward_duration: 'histogram',
    });
    expect(value(text, 'tgi_request_count')).toBe(1);
    expect(value(text, 'tgi_request_success')).toBe(1);
    expect(value(text, 'tgi_request_generated_tokens_sum')).toBe(3);
    expect(value(text, 'tgi_request_input_length_sum')).toBe(1);
    expect(value(text, 'tgi_batch_max_total_tokens')).toBe(100_000);
  });

  it('uses TGI bucket layouts: 35 geometric duration buckets, 100 linear length buckets, 1..1024 batch sizes', async () => {
    server = await startTestServer({ perf: { maxTotalTokens: 2000, maxInputTokens: 1000 } });
    await postJson(`${server.url}/generate`, { inputs: 'Hello', parameters: { max_new_tokens: 1 } });
    const text = await scrape();
    const duration = bucketBounds(text, 'tgi_request_duration');
    expect(duration).toHaveLength(36);
    expect(duration.slice(0, 35).map(Number)).toEqual(durationBuckets());
    expect(Number(duration[0])).toBeCloseTo(0.00015, 12);
    expect(Number(duration[34])).toBeCloseTo(0.0001 * 1.5 ** 35, 6);
    expect(duration[35]).toBe('+Inf');
    const input = bucketBounds(text, 'tgi_request_input_length');
    expect(input.slice(0, 100).map(Number)).toEqual(
      Array.from({ length: 100 }, (_, x) => (1000 / 100) * (x + 1)),
    );
    const generated = bucketBounds(text, 'tgi_request_generated_tokens').slice(0, 100).map(Number);
    expect([generated[0], generated[99]]).toEqual([20, 2000]);
    const batch = bucketBounds(text, 'tgi_batch_next_size');
    expect(batch).toHaveLength(1025);
    expect([batch[0], batch[1023]]).toEqual(['1', '1024']);
  });

  it('counts failures by TGI err label', async () => {
    server = await startTestServer({ maxConcurrentRequests: 1 });
    await postJson(`${server.url}/generate`, { inputs: 'x', parameters: { temperature: -1 } });
    server.faults.setErrorRate(1);
    await postJson(`${server.url}/generate`, { inputs: 'x', parameters: { max_new_tokens: 5 } });
    const text = await scrape();
    expect(value(text, 'tgi_request_failure{err="validation"}')).toBe(1);
    expect(value(text, 'tgi_request_failure{err="generation"}')).toBe(1);
    expect(value(text, 'tgi_request_count')).toBe(2);
    expect(value(text, 'tgi_request_success')).toBe(0);
  });
});
