import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalStack, type LocalStackHandle } from '../../../harness/stack/local.ts';
import { sendTurn } from '../../integration/agent-client.ts';
import { describeWith, survivors } from './support.ts';

describeWith(['redis-server', 'haproxy'], 'startLocalStack', () => {
  let stack: LocalStackHandle;

  beforeAll(async () => {
    stack = await startLocalStack({ agentReplicas: 2, loadTimeSec: 0, toolsLatencyScale: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('runs every component, each with a live pid', () => {
    const components = stack.control.list();
    expect(components.map((c) => c.id)).toEqual([
      'redis',
      'tools',
      'model-0',
      'agent-0',
      'agent-1',
      'haproxy',
    ]);
    for (const c of components) {
      expect(c.state).toBe('running');
      expect(survivors([c.pid!])).not.toEqual([]);
    }
  });

  it('describes itself through the StackHandle contract', () => {
    expect(stack).toMatchObject({
      kind: 'local',
      profile: 'llama-3.1-8b@h100',
      gpusPerModelReplica: 1,
      inMemoryState: false,
      warnings: [],
    });
    expect(stack.tenants.map((t) => t.name)).toEqual(['acme', 'globex']);
    expect(stack.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.modelUrls).toEqual([stack.modelServers[0]!.url]);
    expect(stack.agentUrl).toBe(stack.haproxy!.url);
    expect(stack.replicas.map((r) => r.id)).toEqual(['agent-0', 'agent-1']);
  });

  it('answers a turn through HAProxy with a demo tenant key', async () => {
    const reply = await sendTurn(
      stack.agentUrl,
      stack.tenants[0]!.apiKey,
      'stack-basic',
      'What is the weather in Oslo?',
    );
    expect(reply.status).toBe(200);
    expect(['agent-0', 'agent-1']).toContain(reply.replica);
  });

  it('spreads sessions over both agent replicas', async () => {
    const replicas = new Set<string | null>();
    for (let i = 0; i < 6; i += 1) {
      replicas.add((await sendTurn(stack.agentUrl, stack.tenants[0]!.apiKey, `spread-${i}`, 'hi')).replica);
    }
    expect(replicas).toEqual(new Set(['agent-0', 'agent-1']));
  });

  it('serves the model servers through their own HAProxy frontend', async () => {
    expect(stack.modelUrl).not.toBe(stack.modelUrls[0]);
    expect((await fetch(`${stack.modelUrl}/health`)).status).toBe(200);
  });

  it('exposes metrics for every component except Redis', async () => {
    expect(stack.metricsUrls.map((m) => m.id)).toEqual(['tools', 'model-0', 'agent-0', 'agent-1', 'haproxy']);
    for (const { url } of stack.metricsUrls) expect((await fetch(url)).status).toBe(200);
  });

  it('protects the fault APIs of the tools service and the model servers with its admin token', async () => {
    const auth = { authorization: `Bearer ${stack.adminToken}` };
    expect((await fetch(`${stack.toolsUrl}/admin/faults`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${stack.modelUrls[0]}/admin/faults`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${stack.toolsUrl}/admin/faults`)).status).toBe(401);
  });

  it('keeps one log per component and its pids in stack.json', () => {
    expect(readFileSync(stack.logFile('agent-0'), 'utf8')).toContain('"event":"listening"');
    expect(readFileSync(stack.logFile('redis'), 'utf8')).toContain('Ready to accept connections');
    const file = JSON.parse(readFileSync(join(stack.dir, 'stack.json'), 'utf8')) as {
      processes: { pid: number }[];
    };
    expect(file.processes.map((p) => p.pid).sort()).toEqual(
      stack.control
        .list()
        .map((c) => c.pid)
        .sort(),
    );
  });

  it('runs Redis with an append-only file synced on every write', async () => {
    const config = readFileSync(stack.logFile('redis'), 'utf8');
    expect(config).toContain('--appendonly yes');
    expect(config).toContain('--appendfsync always');
    expect(existsSync(join(stack.redis!.dataDir, 'appendonlydir'))).toBe(true);
  });

  it('stop() leaves no process behind and removes its directory', async () => {
    const pids = stack.control.list().map((c) => c.pid!);
    const dir = stack.dir;
    await stack.stop();
    expect(survivors(pids)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect(stack.control.list().every((c) => c.state === 'stopped' && c.pid === null)).toBe(true);
  });
});
