import { afterEach, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../../harness/errors.ts';
import { NEUTRAL_FAULTS, type ModelServerHandle } from '../../../reference-service/model-server/index.ts';
import {
  connectionRefused,
  postJson,
  readSseData,
  sleep,
  sseEvents,
  startTestServer,
  waitFor,
  type TestServerOptions,
} from './helpers.ts';

let server: ModelServerHandle | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(options: TestServerOptions = {}): Promise<ModelServerHandle> {
  server = await startTestServer(options);
  return server;
}

const weatherTools = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

describe('error rate', () => {
  it('fails requests with a 424 generation error, as an event on streams, and turns /health 503', async () => {
    const s = await start();
    s.faults.setErrorRate(1);
    const plain = await postJson(`${s.url}/generate`, { inputs: 'x', parameters: { max_new_tokens: 20 } });
    expect(plain.status).toBe(424);
    expect(await plain.json()).toEqual({
      error: 'Request failed during generation: Server error: injected fault',
      error_type: 'generation',
    });
    const stream = await postJson(`${s.url}/generate_stream`, {
      inputs: 'y',
      parameters: { max_new_tokens: 20 },
    });
    expect(stream.status).toBe(200);
    const events = (await readSseData(stream)).map((d) => JSON.parse(d) as Record<string, unknown>);
    expect(events.length).toBeLessThanOrEqual(20);
    expect(events.at(-1)).toMatchObject({ error_type: 'generation' });
    expect(events.slice(0, -1).every((e) => 'token' in e)).toBe(true);
    expect((await fetch(`${s.url}/health`)).status).toBe(503);
    s.faults.setErrorRate(0);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });

  it('fails about the configured share of requests', async () => {
    const s = await start();
    s.faults.setErrorRate(0.5);
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        postJson(`${s.url}/generate`, { inputs: `q${i}`, parameters: { max_new_tokens: 2 } }).then(
          (r) => r.status,
        ),
      ),
    );
    const failed = statuses.filter((st) => st === 424).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(35);
    expect(statuses.every((st) => st === 200 || st === 424)).toBe(true);
  });
});

describe('hang', () => {
  it('stops producing tokens without closing streams, stalls /health, and resumes when lifted', async () => {
    const s = await start({ perf: { stepMs: 2 } });
    const res = await postJson(`${s.url}/generate_stream`, {
      inputs: 'x',
      parameters: { max_new_tokens: 30 },
    });
    const events = sseEvents(res);
    await events.next();
    s.faults.setHang(true);
    const received: string[] = [];
    const reading = (async () => {
      for await (const e of events) received.push(e);
    })();
    await sleep(50);
    const countWhileHung = received.length;
    let healthStatus = 0;
    const health = fetch(`${s.url}/health`).then((r) => (healthStatus = r.status));
    await sleep(150);
    expect(received.length).toBe(countWhileHung);
    expect(healthStatus).toBe(0);
    expect(s.inFlightRequests()).toBe(1);
    s.faults.setHang(false);
    await reading;
    await health;
    expect(received.length).toBe(29);
    expect(healthStatus).toBe(200);
  });
});

describe('malformed tool calls', () => {
  it('makes tool-call arguments invalid JSON', async () => {
    const s = await start();
    s.faults.setMalformedToolCallRate(1);
    const res = await postJson(`${s.url}/v1/chat/completions`, {
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: weatherTools,
    });
    const body = (await res.json()) as {
      choices: { message: { tool_calls: { function: { arguments: string } }[] } }[];
    };
    const args = body.choices[0]!.message.tool_calls[0]!.function.arguments;
    expect(args.length).toBeGreaterThan(0);
    expect(() => JSON.parse(args)).toThrow();
  });
});

describe('crash', () => {
  it('destroys open streams and the listener at once', async () => {
    let crashed = 0;
    const s = await start({ perf: { stepMs: 5 }, onCrash: () => crashed++ });
    const res = await postJson(`${s.url}/generate_stream`, {
      inputs: 'x',
      parameters: { max_new_tokens: 1000 },
    });
    const events = sseEvents(res);
    await events.next();
    s.faults.crash();
    await expect(
      (async () => {
        for await (const _e of events) void _e;
      })(),
    ).rejects.toThrow();
    expect(await connectionRefused(s.port)).toBe(true);
    expect(s.state()).toBe('crashed');
    expect(crashed).toBe(1);
  });
});

describe('restart', () => {
  it('closes the port for the load time, then listens on the same port with fresh state', async () => {
    const s = await start();
    const port = s.port;
    await postJson(`${s.url}/generate`, { inputs: 'x', parameters: { max_new_tokens: 1 } });
    s.faults.setLatencyMultiplier(2);
    const restarted = s.faults.restart({ loadTimeSec: 0.3 });
    expect(s.state()).toBe('loading');
    expect(await connectionRefused(port)).toBe(true);
    await restarted;
    expect(s.state()).toBe('ready');
    expect(s.port).toBe(port);
    expect(s.faults.state()).toEqual(NEUTRAL_FAULTS);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/^tgi_request_count 0$/m);
  });
});

describe('fault settings', () => {
  it('reset() restores neutral settings and bad values are rejected with every problem listed', async () => {
    const s = await start();
    s.faults.set({ errorRate: 0.2, latencyMultiplier: 4, hang: true, malformedToolCallRate: 1 });
    expect(s.faults.state()).toEqual({
      errorRate: 0.2,
      latencyMultiplier: 4,
      hang: true,
      malformedToolCallRate: 1,
    });
    expect(s.faults.reset()).toEqual(NEUTRAL_FAULTS);
    let thrown: unknown;
    try {
      s.faults.set({ errorRate: 2, latencyMultiplier: 0 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidConfigError);
    expect((thrown as InvalidConfigError).issues.map((i) => i.path)).toEqual([
      'errorRate',
      'latencyMultiplier',
    ]);
  });
});

describe('the admin API', () => {
  const token = 'test-admin-token';
  const auth = { authorization: `Bearer ${token}` };

  it('requires the Bearer token', async () => {
    const s = await start({ adminToken: token });
    expect((await fetch(`${s.url}/admin/faults`)).status).toBe(401);
    const wrong = await fetch(`${s.url}/admin/faults`, {
      headers: { authorization: 'Bearer nope-nope-nope' },
    });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${s.url}/admin/faults`, { headers: auth })).status).toBe(200);
  });

  it('sets, reads and resets faults, and rejects bad settings with 400', async () => {
    const s = await start({ adminToken: token });
    const set = await postJson(`${s.url}/admin/faults`, { errorRate: 0.5, hang: false }, auth);
    expect(await set.json()).toEqual({ ...NEUTRAL_FAULTS, errorRate: 0.5 });
    expect(s.faults.state().errorRate).toBe(0.5);
    const bad = await postJson(`${s.url}/admin/faults`, { latencyMultiplier: -1, bogus: 1 }, auth);
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { code: string; issues: { path: string }[] };
    expect(body.code).toBe('AL_INVALID_CONFIG');
    expect(body.issues.length).toBe(2);
    const reset = await fetch(`${s.url}/admin/faults/reset`, { method: 'POST', headers: auth });
    expect(await reset.json()).toEqual(NEUTRAL_FAULTS);
  });

  it('crashes and restarts the server', async () => {
    const s = await start({ adminToken: token });
    const restart = await postJson(`${s.url}/admin/faults/restart`, { loadTimeSec: 0.2 }, auth);
    expect(restart.status).toBe(202);
    await waitFor(() => s.state() === 'loading');
    expect(await connectionRefused(s.port)).toBe(true);
    await waitFor(() => s.state() === 'ready');
    const crash = await fetch(`${s.url}/admin/faults/crash`, { method: 'POST', headers: auth });
    expect(crash.status).toBe(202);
    await waitFor(() => s.state() === 'crashed');
    expect(await connectionRefused(s.port)).toBe(true);
  });
});
