import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalStack, type LocalStackHandle } from '../../harness/stack/local.ts';
import { hashApiKey } from '../../reference-service/agent/auth.ts';
import { describeWith } from '../harness/stack/support.ts';

const apiKey = 'al_test_tight_0123456789abcdef';
const requestsPerMin = 10;

/** One tenant allowed 10 turns a minute; the placeholder model URL is replaced by the stack's. */
function writeAgentConfig(dir: string): string {
  const path = join(dir, 'agent.json');
  const config = {
    model: { baseUrl: 'http://127.0.0.1:9' },
    tenants: [
      {
        name: 'tight',
        keyHashes: [hashApiKey(apiKey)],
        limits: { requestsPerMin, tokensPerMin: 1_000_000 },
      },
    ],
  };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

describeWith(['redis-server', 'haproxy'], 'rate limits across agent replicas', () => {
  const configDir = mkdtempSync(join(tmpdir(), 'agentload-ratelimit-'));
  let stack: LocalStackHandle;

  beforeAll(async () => {
    stack = await startLocalStack({
      agentReplicas: 2,
      loadTimeSec: 0,
      toolsLatencyScale: 0,
      agentConfigPath: writeAgentConfig(configDir),
      tenants: [{ name: 'tight', apiKey }],
    });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('accepts at most the limit when both replicas take one tenant concurrently', async () => {
    const replicaUrls = stack.replicas.map((r) => r.url);
    expect(replicaUrls).toHaveLength(2);
    const attempts = Array.from({ length: 30 }, (_, i) =>
      fetch(`${replicaUrls[i % 2]}/v1/sessions/rl-${i}/turns`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'hi', max_tokens: 4 }),
        signal: AbortSignal.timeout(20_000),
      }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), replica: i % 2 })),
    );
    const results = await Promise.all(attempts);
    const accepted = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(accepted.length + limited.length).toBe(results.length);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length).toBeLessThanOrEqual(requestsPerMin);
    // Both replicas refused some: the limit is shared, not per replica.
    expect(new Set(limited.map((r) => r.replica))).toEqual(new Set([0, 1]));
    expect(limited.every((r) => r.retryAfter !== null)).toBe(true);
  });
});
