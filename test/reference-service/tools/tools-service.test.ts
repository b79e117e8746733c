import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startToolsService, type ToolsServiceHandle } from '../../../reference-service/tools/index.ts';

const adminToken = 'test-admin-token';

async function call(url: string, name: string, args: unknown) {
  const response = await fetch(`${url}/tools/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(args),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function admin(url: string, method: string, body?: unknown, token = adminToken) {
  return fetch(`${url}/admin/faults`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('tools service', () => {
  let service: ToolsServiceHandle;

  beforeAll(async () => {
    service = await startToolsService({ seed: 7, adminToken, latencyScale: 0 });
  });
  afterAll(async () => {
    await service.close();
  });

  it('lists every tool as an OpenAI function definition', async () => {
    const tools = (await (await fetch(`${service.url}/tools`)).json()) as {
      type: string;
      function: { name: string; description: string; parameters: { type: string } };
    }[];
    expect(tools.map((t) => t.function.name).sort()).toEqual([
      'get_weather',
      'lookup_order',
      'search_knowledge',
    ]);
    for (const t of tools) {
      expect(t.type).toBe('function');
      expect(t.function.description.length).toBeGreaterThan(10);
      expect(t.function.parameters.type).toBe('object');
    }
  });

  it('answers a weather call with the same result every time for the same city', async () => {
    const first = await call(service.url, 'get_weather', { city: 'Lisbon' });
    const second = await call(service.url, 'get_weather', { city: 'Lisbon', unit: 'celsius' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual(second.body);
    expect(first.body.result).toMatchObject({ city: 'Lisbon', unit: 'celsius' });
  });

  it('looks up a well-formed order id and finds its items and total', async () => {
    const { status, body } = await call(service.url, 'lookup_order', { orderId: 'ORD-10442' });
    expect(status).toBe(200);
    const result = body.result as {
      found: boolean;
      items: { priceUsd: number; quantity: number }[];
      totalUsd: number;
    };
    expect(result.found).toBe(true);
    const sum = result.items.reduce((s, i) => s + i.priceUsd * i.quantity, 0);
    expect(result.totalUsd).toBeCloseTo(sum, 2);
  });

  it('searches the bundled knowledge base', async () => {
    const { status, body } = await call(service.url, 'search_knowledge', { query: 'refund', topK: 2 });
    expect(status).toBe(200);
    const results = (body.result as { results: { id: string }[] }).results;
    expect(results[0]?.id).toBe('kb-refunds');
    expect(results.length).toBeLessThanOrEqual(2);
  });

  it('rejects bad arguments with 400 and names each offending field', async () => {
    const { status, body } = await call(service.url, 'lookup_order', { orderId: '42', extra: true });
    expect(status).toBe(400);
    const error = body.error as { code: string; message: string };
    expect(error.code).toBe('invalid_arguments');
    expect(error.message).toContain('orderId: must look like ORD-12345');
    expect(error.message).toContain("'extra'");
  });

  it('rejects arguments that are not a JSON object', async () => {
    const { status, body } = await call(service.url, 'get_weather', ['Lisbon']);
    expect(status).toBe(400);
    expect((body.error as { message: string }).message).toContain('must be a JSON object');
  });

  it('answers 404 for an unknown tool and lists the known ones', async () => {
    const { status, body } = await call(service.url, 'launch_rocket', {});
    expect(status).toBe(404);
    expect((body.error as { message: string }).message).toContain('get_weather');
  });

  it('refuses the admin API without the right Bearer token', async () => {
    expect((await admin(service.url, 'GET', undefined, 'wrong-token')).status).toBe(401);
    expect((await fetch(`${service.url}/admin/faults`)).status).toBe(401);
  });

  it('rejects invalid fault settings with every problem listed', async () => {
    const response = await admin(service.url, 'PUT', { errorRate: 2, hang: 'yes' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { issues: string[] } };
    expect(body.error.issues).toHaveLength(2);
  });

  it('fails every call with 500 while the error rate is 1, then recovers when cleared', async () => {
    expect((await admin(service.url, 'PUT', { errorRate: 1 })).status).toBe(200);
    const failed = await call(service.url, 'get_weather', { city: 'Oslo' });
    expect(failed.status).toBe(500);
    expect((failed.body.error as { code: string }).code).toBe('injected_fault');
    expect((await admin(service.url, 'DELETE')).status).toBe(200);
    expect((await call(service.url, 'get_weather', { city: 'Oslo' })).status).toBe(200);
  });

  it('accepts POST and POST /reset like the model server admin API', async () => {
    const set = await admin(service.url, 'POST', { latencyMultiplier: 2 });
    expect(await set.json()).toMatchObject({ latencyMultiplier: 2 });
    const reset = await fetch(`${service.url}/admin/faults/reset`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(await reset.json()).toMatchObject({ latencyMultiplier: 1 });
  });

  it('limits faults to the named tools', async () => {
    service.faults.set({ errorRate: 1, tools: ['lookup_order'] });
    try {
      expect((await call(service.url, 'get_weather', { city: 'Oslo' })).status).toBe(200);
      expect((await call(service.url, 'lookup_order', { orderId: 'ORD-1234' })).status).toBe(500);
    } finally {
      service.faults.reset();
    }
  });

  it('resets the connection without a response while the reset rate is 1', async () => {
    service.faults.set({ resetRate: 1 });
    try {
      await expect(call(service.url, 'get_weather', { city: 'Oslo' })).rejects.toThrow();
    } finally {
      service.faults.reset();
    }
  });

  it('holds calls while hanging and answers them once the hang is lifted', async () => {
    service.faults.set({ hang: true });
    const pending = call(service.url, 'get_weather', { city: 'Oslo' });
    let settled = false;
    void pending.finally(() => (settled = true));
    for (let i = 0; i < 100 && service.faults.hangingCount === 0; i += 1)
      await new Promise((r) => setTimeout(r, 10));
    expect(service.faults.hangingCount).toBe(1);
    expect(settled).toBe(false);
    service.faults.set({ hang: false });
    expect((await pending).status).toBe(200);
  });

  it('exposes Prometheus metrics with per-tool call counts', async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    expect(text).toMatch(/tools_calls_total\{tool="get_weather",outcome="ok"\} \d+/);
  });
});

describe('tools service without an admin token', () => {
  it('has no admin routes', async () => {
    const service = await startToolsService({ latencyScale: 0 });
    try {
      expect((await fetch(`${service.url}/admin/faults`)).status).toBe(404);
    } finally {
      await service.close();
    }
  });

  it('rejects invalid options with a clear error', async () => {
    await expect(startToolsService({ port: -1, adminToken: 'short' })).rejects.toMatchObject({
      code: 'AL_INVALID_CONFIG',
      issues: [expect.objectContaining({ path: 'port' }), expect.objectContaining({ path: 'adminToken' })],
    });
  });

  it('closes while a call hangs', async () => {
    const service = await startToolsService({ latencyScale: 0 });
    service.faults.set({ hang: true });
    const pending = call(service.url, 'get_weather', { city: 'Oslo' }).catch((e: unknown) => e);
    for (let i = 0; i < 100 && service.faults.hangingCount === 0; i += 1)
      await new Promise((r) => setTimeout(r, 10));
    await service.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});
