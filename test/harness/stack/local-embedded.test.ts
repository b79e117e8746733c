import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStackHandle } from '../../../harness/stack/local.ts';
import { getSession, sendTurn } from '../../integration/agent-client.ts';
import { survivors } from './support.ts';

/** The embedded fallback: what a machine without redis-server and haproxy gets (simulated with null paths). */
describe('local stack without redis-server and haproxy', () => {
  let stack: LocalStackHandle;

  beforeAll(async () => {
    stack = await startLocalStack({
      loadTimeSec: 0,
      toolsLatencyScale: 0,
      binaries: { redisServer: null, haproxy: null },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('runs one agent replica with in-memory state and says so', () => {
    expect(stack.inMemoryState).toBe(true);
    expect(stack.redisUrl).toBeNull();
    expect(stack.haproxy).toBeNull();
    expect(stack.control.list().map((c) => c.id)).toEqual(['tools', 'model-0', 'agent-0']);
    expect(stack.warnings.join('\n')).toMatch(/in memory[\s\S]*apt-get install redis-server/);
    expect(stack.warnings.join('\n')).toMatch(/apt-get install haproxy/);
  });

  it('serves turns straight from the agent and keeps the session history', async () => {
    expect(stack.agentUrl).toBe(stack.replicas[0]!.url);
    expect(stack.modelUrl).toBe(stack.modelUrls[0]);
    const key = stack.tenants[0]!.apiKey;
    expect((await sendTurn(stack.agentUrl, key, 'embedded', 'first')).status).toBe(200);
    expect((await sendTurn(stack.agentUrl, key, 'embedded', 'second')).status).toBe(200);
    expect((await getSession(stack.agentUrl, key, 'embedded')).turns.map((t) => t.user)).toEqual([
      'first',
      'second',
    ]);
  });

  it('cannot add replicas without a load balancer, and says how to install one', async () => {
    await expect(stack.control.addReplica('agent')).rejects.toMatchObject({
      code: 'AL_DEPENDENCY_MISSING',
      hint: expect.stringContaining('apt-get install haproxy'),
    });
  });

  it('stop() leaves no process behind', async () => {
    const pids = stack.control.list().map((c) => c.pid!);
    await stack.stop();
    expect(survivors(pids)).toEqual([]);
  });
});

describe('local stack asked for more than it can run', () => {
  it('refuses two agent replicas without redis-server before starting anything', async () => {
    const stacksRoot = mkdtempSync(join(tmpdir(), 'agentload-refuse-'));
    await expect(
      startLocalStack({ agentReplicas: 2, stacksRoot, binaries: { redisServer: null } }),
    ).rejects.toMatchObject({
      code: 'AL_DEPENDENCY_MISSING',
      hint: expect.stringContaining('apt-get install redis-server'),
    });
    expect(existsSync(stacksRoot) ? readdirSync(stacksRoot) : []).toEqual([]);
  });
});
