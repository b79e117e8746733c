import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_GAUGE_NAMES,
  gaugesFrom,
  parsePrometheusText,
  scrapeOnce,
  startScrapeLoop,
  type ScrapeResult,
} from '../../../harness/metrics/scrape.ts';

const TGI_METRICS = `# HELP tgi_queue_size Current queue size
# TYPE tgi_queue_size gauge
tgi_queue_size 3
# TYPE tgi_batch_current_size gauge
tgi_batch_current_size{shard="0"} 8 1700000000000
tgi_request_duration_bucket{le="+Inf"} 12
`;
const AGENT_METRICS = `agent_in_flight_requests{replica="a"} 5
agent_breaker_open{dependency="model"} 1
agent_breaker_open{dependency="tools"} 0
`;

describe('parsePrometheusText', () => {
  it('reads names, labels (with escapes), values and ignores comments and timestamps', () => {
    const { samples, invalidLines } = parsePrometheusText(
      `${TGI_METRICS}weird{path="a\\"b\\\\c\\nd", x = "1",} -2.5e3\nnan_metric NaN\ninf_metric -Inf\n`,
    );
    expect(invalidLines).toEqual([]);
    expect(samples).toEqual([
      { name: 'tgi_queue_size', labels: {}, value: 3 },
      { name: 'tgi_batch_current_size', labels: { shard: '0' }, value: 8 },
      { name: 'tgi_request_duration_bucket', labels: { le: '+Inf' }, value: 12 },
      { name: 'weird', labels: { path: 'a"b\\c\nd', x: '1' }, value: -2500 },
      { name: 'nan_metric', labels: {}, value: Number.NaN },
      { name: 'inf_metric', labels: {}, value: Number.NEGATIVE_INFINITY },
    ]);
  });

  it('lists lines it can not read instead of failing', () => {
    const { samples, invalidLines } = parsePrometheusText(
      'ok 1\n9bad 1\nno_value\nlabels{x="1" 2\nok2 abc\nok3 1 2 3\n',
    );
    expect(samples).toEqual([{ name: 'ok', labels: {}, value: 1 }]);
    expect(invalidLines.map((l) => l.line)).toEqual([2, 3, 4, 5, 6]);
  });
});

describe('gaugesFrom', () => {
  it('sums each gauge over series and is null for gauges nobody exposed', () => {
    const tgi = parsePrometheusText(TGI_METRICS).samples;
    expect(gaugesFrom([...tgi, ...tgi])).toEqual({
      queueSize: 6,
      batchSize: 16,
      agentInFlight: null,
      breakerOpen: null,
    });
    expect(gaugesFrom(parsePrometheusText(AGENT_METRICS).samples)).toEqual({
      queueSize: null,
      batchSize: null,
      agentInFlight: 5,
      breakerOpen: 1,
    });
  });

  it('reads other metric names when told', () => {
    const samples = parsePrometheusText('my_queue 7\n').samples;
    expect(gaugesFrom(samples, { ...DEFAULT_GAUGE_NAMES, queueSize: 'my_queue' }).queueSize).toBe(7);
  });
});

describe('scrapeOnce', () => {
  let server: Server;
  let base = '';
  let closedPortUrl = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/tgi') res.end(TGI_METRICS);
      else if (req.url === '/agent') res.end(AGENT_METRICS);
      else {
        res.statusCode = 404;
        res.end('nope');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const spare = createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
    closedPortUrl = `http://127.0.0.1:${(spare.address() as AddressInfo).port}/metrics`;
    await new Promise((r) => spare.close(r));
  });

  afterAll(() => new Promise((r) => server.close(r)));

  it('sums gauges over every target and lists the targets that failed', async () => {
    const result = await scrapeOnce(
      [`${base}/tgi`, `${base}/tgi`, `${base}/agent`, `${base}/missing`, closedPortUrl],
      {
        timeoutMs: 2000,
      },
    );
    expect(result.gauges).toEqual({ queueSize: 6, batchSize: 16, agentInFlight: 5, breakerOpen: 1 });
    expect(result.failures.map((f) => f.url).sort()).toEqual([`${base}/missing`, closedPortUrl].sort());
    expect(result.failures.find((f) => f.url.endsWith('/missing'))?.message).toBe('HTTP 404');
  });

  it('scrapes repeatedly until stopped', async () => {
    const results: ScrapeResult[] = [];
    const loop = startScrapeLoop([`${base}/tgi`], { intervalMs: 10, onResult: (r) => results.push(r) });
    while (results.length < 3) await new Promise((r) => setTimeout(r, 10));
    await loop.stop();
    const seen = results.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(results.length).toBe(seen);
    expect(results[0]!.gauges.queueSize).toBe(3);
  });
});
