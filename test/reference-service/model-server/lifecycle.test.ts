import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../../harness/errors.ts';
import {
  ModelServerListenError,
  startModelServer,
  type ModelServerHandle,
} from '../../../reference-service/model-server/index.ts';
import { connectionRefused, fakePerfModel } from './helpers.ts';

let server: ModelServerHandle | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('cold start', () => {
  it('keeps the port closed for the load time, then listens', async () => {
    server = await startModelServer({
      port: 0,
      loadTimeSec: 0.3,
      perfModel: fakePerfModel(),
      waitUntilReady: false,
    });
    expect(server.port).toBeGreaterThan(0);
    expect(server.state()).toBe('loading');
    expect(await connectionRefused(server.port)).toBe(true);
    await server.ready;
    expect(server.state()).toBe('ready');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('gives up a cold start that a crash interrupts: ready rejects and the port stays closed', async () => {
    server = await startModelServer({
      port: 0,
      loadTimeSec: 5,
      perfModel: fakePerfModel(),
      waitUntilReady: false,
    });
    server.faults.crash();
    await expect(server.ready).rejects.toThrow(/before it finished loading/);
    expect(server.state()).toBe('crashed');
    expect(await connectionRefused(server.port)).toBe(true);
    await server.faults.restart({ loadTimeSec: 0 });
    expect(server.state()).toBe('ready');
  });

  it('resolves only once listening unless told not to wait', async () => {
    server = await startModelServer({ port: 0, loadTimeSec: 0.1, perfModel: fakePerfModel() });
    expect(server.state()).toBe('ready');
    expect(await connectionRefused(server.port)).toBe(false);
  });
});

describe('startModelServer options', () => {
  it('lists every bad option at once', async () => {
    const attempt = startModelServer({
      port: -1,
      maxConcurrentRequests: 0,
      adminToken: 'short',
      loadTimeSec: 0,
      perfModel: fakePerfModel(),
    });
    await expect(attempt).rejects.toBeInstanceOf(InvalidConfigError);
    const error = (await attempt.catch((e: unknown) => e)) as InvalidConfigError;
    expect(error.issues.map((i) => i.path).sort()).toEqual(['adminToken', 'maxConcurrentRequests', 'port']);
  });

  it('refuses token limits that the KV cache could never hold', async () => {
    const attempt = startModelServer({
      loadTimeSec: 0,
      perfModel: fakePerfModel({ kvCapacityTokens: 1000 }),
    });
    await expect(attempt).rejects.toThrow(/exceeds the KV cache/);
  });

  it('reports a port in use as AL_MODEL_SERVER_LISTEN', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const attempt = startModelServer({ port, loadTimeSec: 0, perfModel: fakePerfModel() });
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelServerListenError);
      expect((error as ModelServerListenError).code).toBe('AL_MODEL_SERVER_LISTEN');
    } finally {
      blocker.close();
    }
  });

  it('loads a named profile when no PerfModel is given', async () => {
    server = await startModelServer({ port: 0, loadTimeSec: 0, profile: 'llama-3.1-8b@h100' });
    const info = (await (await fetch(`${server.url}/info`)).json()) as Record<string, unknown>;
    expect(info.model_id).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(info.simulator).toMatchObject({ profile: 'llama-3.1-8b@h100' });
    expect(info.max_batch_total_tokens).toBeGreaterThan(100_000);
  });
});
