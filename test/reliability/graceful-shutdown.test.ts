/**
 * R10 Graceful shutdown mid-stream.
 * Done: a local stack (HAProxy, 2 agent replicas as processes, a slowed model) runs 8 streaming
 *   turns; once every stream has sent tokens, agent-0 gets SIGTERM (the stack's restart: SIGTERM,
 *   SIGKILL only after 20 s); short turns keep arriving through HAProxy meanwhile.
 * Must hold: no stream is truncated: every one, on either replica, ends with `done` and `[DONE]`
 *   and no error; agent-0 logs its `stopped` line (it exited on its own, after draining, before
 *   any SIGKILL); turns sent during the drain get 200 or the retryable 503 `shutting_down`, never a
 *   connection error or another 5xx.
 * Figure: streams in flight at SIGTERM (on agent-0), completed, truncated; drain time; statuses of
 *   the turns sent during the drain.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalStack, type LocalStackHandle } from '../../harness/stack/local.ts';
import { describeWith } from '../harness/stack/support.ts';
import { setModelFaults, streamTurn } from '../integration/agent-client.ts';
import { recordFigure, round } from '../support/audit-figures.ts';

describeWith(['redis-server', 'haproxy'], 'R10 graceful shutdown mid-stream', () => {
  let stack: LocalStackHandle;

  beforeAll(async () => {
    stack = await startLocalStack({
      agentReplicas: 2,
      loadTimeSec: 0,
      toolsLatencyScale: 0,
      stopGraceMs: 20_000,
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** Short turns through HAProxy until `stop` resolves; returns a status (or error text) per turn. */
  async function probeDuring(stop: Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    let stopped = false;
    void stop.finally(() => (stopped = true));
    const key = stack.tenants[1]!.apiKey;
    for (let i = 0; !stopped; i++) {
      try {
        const res = await fetch(`${stack.agentUrl}/v1/sessions/drain-probe-${i}/turns`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ message: 'hi', max_tokens: 1 }),
          signal: AbortSignal.timeout(20_000),
        });
        const body = (await res.json()) as { error?: { code: string } };
        seen.push(res.status === 200 ? '200' : `${res.status} ${body.error?.code}`);
      } catch (error) {
        seen.push(`error ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return seen;
  }

  it('finishes every stream in flight when a replica gets SIGTERM, and exits cleanly', async () => {
    const key = stack.tenants[0]!.apiKey;
    await setModelFaults(stack.modelUrls[0]!, stack.adminToken!, { latencyMultiplier: 10 });
    const streams = Array.from({ length: 8 }, (_, i) =>
      streamTurn(stack.agentUrl, key, `drain-${i}`, 'Tell me a story about queues', 24),
    );
    const firsts = await Promise.all(streams.map((s) => s.firstToken));
    const onAgent0 = firsts.filter((f) => f.replica === 'agent-0').length;
    const startMs = performance.now();
    const restart = stack.control.restart('agent-0');
    const [, probes, outcomes] = await Promise.all([
      restart,
      probeDuring(restart),
      Promise.all(streams.map((s) => s.outcome)),
    ]);
    const drainSec = (performance.now() - startMs) / 1000;
    await setModelFaults(stack.modelUrls[0]!, stack.adminToken!, { latencyMultiplier: 1 });
    const truncated = outcomes.filter((o) => !o.done || o.error !== null);
    const log = readFileSync(stack.logFile('agent-0'), 'utf8');
    const stoppedCleanly = log.includes('"event":"stopped"');
    const badProbes = probes.filter((p) => p !== '200' && p !== '503 shutting_down');
    recordFigure({
      caseId: 'R10 graceful shutdown mid-stream',
      tried: outcomes.length + probes.length,
      failures: truncated.length + badProbes.length + (stoppedCleanly ? 0 : 1),
      figure:
        `${outcomes.length} streams in flight at SIGTERM (${onAgent0} on agent-0): ${outcomes.length - truncated.length} completed, ` +
        `${truncated.length} truncated; restart (drain + start) ${round(drainSec, 1)} s; turns during drain: ` +
        `${probes.filter((p) => p === '200').length} x 200, ${probes.filter((p) => p === '503 shutting_down').length} x 503 shutting_down, ` +
        `${badProbes.length} other`,
    });
    expect(onAgent0).toBeGreaterThan(0);
    expect(truncated).toEqual([]);
    expect(stoppedCleanly).toBe(true);
    expect(badProbes).toEqual([]);
  });
});
