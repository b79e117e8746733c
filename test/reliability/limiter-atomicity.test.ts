/**
 * R1 Limiter atomicity across replicas.
 * Done: a local stack (Redis, HAProxy, 3 agent replicas as processes) and one tenant allowed 60
 *   requests/min (bucket of 60, refilled 1/s); 300 turns are sent at once through HAProxy.
 * Must hold: admitted <= 60 + 1/s x elapsed (the Lua admission is atomic across replicas), and at
 *   least the 60 of the full bucket; the turns were spread over more than one replica; every other
 *   answer is 429 with Retry-After >= 1 and RateLimit-Reset equal to it.
 * Figure: admitted of sent, the bound, replicas that answered.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalStack, type LocalStackHandle } from '../../harness/stack/local.ts';
import { describeWith } from '../harness/stack/support.ts';
import { recordFigure, round } from '../support/audit-figures.ts';
import { writeStackAgentConfig, type StackAgentConfig } from '../support/stack-config.ts';

const burstKey = 'al_test_burst_0123456789abcdef';
const requestsPerMin = 60;
const sent = 300;

describeWith(['redis-server', 'haproxy'], 'R1 limiter atomicity across replicas', () => {
  let config: StackAgentConfig;
  let stack: LocalStackHandle;

  beforeAll(async () => {
    config = writeStackAgentConfig([
      { name: 'burst', apiKey: burstKey, requestsPerMin, tokensPerMin: 10_000_000 },
    ]);
    stack = await startLocalStack({
      agentReplicas: 3,
      loadTimeSec: 0,
      toolsLatencyScale: 0,
      agentConfigPath: config.path,
      tenants: config.tenants,
    });
  });

  afterAll(async () => {
    await stack?.stop();
    config?.remove();
  });

  it('admits no more than the bucket plus its refill when 300 turns hit 3 replicas at once', async () => {
    const startMs = performance.now();
    const responses = await Promise.all(
      Array.from({ length: sent }, async (_, i) => {
        const res = await fetch(`${stack.agentUrl}/v1/sessions/burst-${i}/turns`, {
          method: 'POST',
          headers: { authorization: `Bearer ${burstKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ message: 'hi', max_tokens: 1 }),
          signal: AbortSignal.timeout(50_000),
        });
        await res.arrayBuffer();
        return res;
      }),
    );
    const elapsedSec = (performance.now() - startMs) / 1000;
    const admitted = responses.filter((r) => r.status === 200).length;
    const rejected = responses.filter((r) => r.status === 429);
    const bound = requestsPerMin + (requestsPerMin / 60) * elapsedSec;
    const replicas = new Set(responses.map((r) => r.headers.get('x-agentload-replica')));
    const badRejections = rejected.filter((r) => {
      const retryAfter = Number(r.headers.get('retry-after'));
      return !(retryAfter >= 1) || r.headers.get('ratelimit-reset') !== String(retryAfter);
    });
    const other = responses.length - admitted - rejected.length;
    recordFigure({
      caseId: 'R1 limiter atomicity across replicas',
      tried: sent,
      failures: Math.max(0, admitted - Math.floor(bound)) + badRejections.length + other,
      figure:
        `${admitted} of ${sent} admitted in ${round(elapsedSec, 2)} s (bound ${round(bound, 1)}), ` +
        `${rejected.length} x 429, ${other} other, replicas ${replicas.size}`,
    });
    expect(other).toBe(0);
    expect(admitted).toBeGreaterThanOrEqual(requestsPerMin);
    expect(admitted).toBeLessThanOrEqual(Math.floor(bound));
    expect(badRejections).toEqual([]);
    expect(replicas.size).toBeGreaterThan(1);
  });
});
