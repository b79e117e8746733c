/**
 * R11a Redis restart with a client ledger of acknowledged turns.
 * Done: a local stack (Redis with AOF fsync always, HAProxy, 2 agent replicas) carries 4
 *   sequential conversations, each turn keyed and retried until acknowledged; Redis is SIGKILLed
 *   and restarted 3 times during the load.
 * Must hold: 0 acknowledged turns lost (every 200 turn is in its session afterwards: AOF
 *   `appendfsync always` persists a turn before it is acknowledged), 0 turns stored twice (the
 *   retries reuse their Idempotency-Key), and the service is writable again after each restart.
 * Figure: turns acknowledged, lost, duplicated; retries by status; time from restart to the next
 *   acknowledged turn.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalStack, type LocalStackHandle } from '../../harness/stack/local.ts';
import { describeWith } from '../harness/stack/support.ts';
import { recordFigure, round } from '../support/audit-figures.ts';
import { sleep, waitFor } from '../support/service.ts';
import { writeStackAgentConfig, type StackAgentConfig } from '../support/stack-config.ts';
import { auditLedger, sessionTurns, startLedgerLoad } from '../support/turn-ledger.ts';

const restarts = 3;

describeWith(['redis-server', 'haproxy'], 'R11a Redis restart vs acknowledged turns', () => {
  let config: StackAgentConfig;
  let stack: LocalStackHandle;

  beforeAll(async () => {
    // A turn cut by the outage leaves its key claimed until the pending TTL; keep it short here.
    config = writeStackAgentConfig([], (raw) => {
      raw.sessions = { idempotencyPendingTtlSec: 2 };
      raw.timeouts = { modelTotalMs: 5_000 };
    });
    stack = await startLocalStack({
      agentReplicas: 2,
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

  it('loses no acknowledged turn across 3 Redis crashes and stores none twice', async () => {
    const apiKey = stack.tenants[0]!.apiKey;
    const sessions = ['ledger-a', 'ledger-b', 'ledger-c', 'ledger-d'];
    const load = startLedgerLoad({ baseUrl: stack.agentUrl, apiKey, sessions });
    const recoveryMs: number[] = [];
    try {
      for (let i = 0; i < restarts; i++) {
        await sleep(700);
        await stack.control.kill('redis');
        await sleep(300);
        await stack.control.restart('redis');
        const restartedAtMs = performance.now();
        const acked = load.entries.length;
        await waitFor(() => load.entries.length > acked, 20_000, 'a turn acknowledged after the restart');
        recoveryMs.push(performance.now() - restartedAtMs);
      }
      await sleep(300);
    } finally {
      await load.stop();
    }
    const audit = await auditLedger(load.entries, (s) => sessionTurns(stack.agentUrl, apiKey, s));
    recordFigure({
      caseId: 'R11a Redis restart (AOF always)',
      tried: audit.acknowledged + [...load.retries.values()].reduce((a, b) => a + b, 0),
      failures: audit.lost.length + audit.duplicates,
      figure:
        `${restarts} crashes: ${audit.acknowledged} turns acknowledged, ${audit.lost.length} lost, ${audit.duplicates} stored twice; ` +
        `retries ${JSON.stringify(Object.fromEntries(load.retries))}; writable again after ` +
        `${recoveryMs.map((ms) => round(ms / 1000, 1)).join('/')} s`,
    });
    expect(audit.acknowledged).toBeGreaterThan(restarts * sessions.length);
    expect(audit.lost).toEqual([]);
    expect(audit.duplicates).toBe(0);
  });
});
