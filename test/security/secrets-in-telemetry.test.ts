/**
 * S6 Secrets and PII never in logs, metric labels or traces (OWASP Logging Cheat Sheet, LLM02).
 * Done: with debug logging on, turns carry canary e-mails, phone numbers and key-like strings in
 *   the message, in Authorization headers (valid, and bogus `al_`/`sk-` keys), in Idempotency-Keys
 *   and request ids, in bad JSON bodies; the error paths run too (401, 400, a model that rejects
 *   requests, a model that fails and is retried).
 * Must hold: 0 canary occurrences in the log lines and in /metrics (names, label values); message
 *   text is never logged; every metric label comes from a fixed set (no tenant, session or
 *   request ids) and the series count does not grow with the number of sessions; the tenant's key
 *   never travels downstream (model requests carry no tenant key); the service exports no traces
 *   (nothing to leak there; docs/reliability.md says so).
 * Figure: canaries x sinks, log lines and series scanned, occurrences found.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, keys } from '../reference-service/agent/helpers/agent-stack.ts';
import { recordFigure } from '../support/audit-figures.ts';
import { startServiceOnRedis, type RedisService } from '../support/service.ts';

const email = 'jane.canary@example.com';
const phone = '+1 415 555 2671';
const fakeAlKey = 'al_live_CANARY0123456789abcdef';
const fakeSkKey = 'sk-CANARYabcdef0123456789';
const messageMarker = 'MSG-CANARY-quokka';
const canaries = [
  email,
  'jane.canary',
  '415 555 2671',
  '4155552671',
  fakeAlKey,
  fakeSkKey,
  keys.acme,
  keys.globex,
  messageMarker,
];

let svc: RedisService;

beforeAll(async () => {
  svc = await startServiceOnRedis({
    withTools: true,
    tune: (raw) => {
      raw.retry = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 };
    },
  });
});

afterAll(async () => {
  await svc?.close();
});

async function metricsText(): Promise<string> {
  return (await call(svc.agent, '/metrics', { key: null })).text();
}

function series(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

const allowedLabels = new Set([
  'replica',
  'method',
  'route',
  'status_code',
  'type',
  'outcome',
  'state',
  'dimension',
  'reason',
  'le',
  'quantile',
]);

async function traffic(prefix: string): Promise<void> {
  const pii = `${messageMarker} mail ${email} or call ${phone}; my key is ${fakeAlKey} and ${fakeSkKey}`;
  const send = async (path: string, options: Parameters<typeof call>[2]) =>
    (await call(svc.agent, path, options)).text();
  await send(`/v1/sessions/${prefix}-1/turns`, {
    body: { message: `${pii}. What is the weather in Lisbon?`, max_tokens: 8 },
  });
  await send(`/v1/sessions/${prefix}-1/turns`, { body: { message: pii, stream: true, max_tokens: 8 } });
  await send(`/v1/sessions/${prefix}-2/turns`, {
    body: { message: pii },
    headers: { 'idempotency-key': `${email} ${fakeAlKey}` },
  });
  await send(`/v1/sessions/${prefix}-3/turns`, {
    body: { message: pii },
    headers: { 'x-request-id': fakeAlKey },
  });
  await send(`/v1/sessions/${prefix}-4/turns`, { key: fakeAlKey, body: { message: pii } });
  await send(`/v1/sessions/${prefix}-4/turns`, { key: fakeSkKey, body: { message: pii } });
  await send(`/v1/sessions/${prefix}-5/turns`, { body: `{"message": "${pii}", ` });
  await send(`/v1/sessions/${prefix}-5/turns`, { body: { message: pii, extra: email } });
  await send(`/v1/sessions/${prefix}-1`, { key: keys.globex });
}

describe('S6 secrets and PII in telemetry', () => {
  it('keeps every canary out of the logs and the metrics, and the tenant key out of downstream calls', async () => {
    await traffic('pii');
    // Error paths: the model rejects requests (502), then fails and is retried (degraded answer).
    svc.modelRecorder.intercept = (req) => (req.path.startsWith('/v1/chat') ? { status: 400 } : null);
    await traffic('pii-rejected');
    svc.modelRecorder.intercept = (req) => (req.path.startsWith('/v1/chat') ? { status: 503 } : null);
    await traffic('pii-failing');
    svc.modelRecorder.intercept = null;
    // Series for every outcome (and for scraping /metrics) exist now; more sessions must add none.
    await traffic('pii-more');
    await metricsText();
    const seriesBefore = series(await metricsText()).length;
    await traffic('pii-again');
    const metrics = await metricsText();
    const seriesAfter = series(metrics).length;
    const logs = svc.logs.text();
    const found: string[] = [];
    for (const c of canaries) {
      if (logs.includes(c)) found.push(`log: ${c}`);
      if (metrics.includes(c)) found.push(`metrics: ${c}`);
    }
    const labelNames = new Set([...metrics.matchAll(/[{,]([a-z_]+)="/g)].map((m) => m[1]!));
    const oddLabels = [...labelNames].filter((l) => !allowedLabels.has(l));
    const sessionLabels = series(metrics).filter((l) => /pii-/.test(l));
    // x-request-id is the client's own correlation id and goes downstream by design; the key must not.
    const downstream = svc.modelRecorder.requests.filter((r) =>
      [keys.acme, keys.globex].some((k) => JSON.stringify(r.headers).includes(k)),
    );
    const logLines = logs.split('\n').filter((l) => l !== '').length;
    recordFigure({
      caseId: 'S6 secrets and PII in telemetry',
      tried: canaries.length * 2,
      failures:
        found.length +
        oddLabels.length +
        sessionLabels.length +
        downstream.length +
        (seriesAfter > seriesBefore ? 1 : 0),
      figure:
        `${canaries.length} canaries x (${logLines} log lines, ${seriesAfter} series): ${found.length} occurrences; ` +
        `labels ${[...labelNames].sort().join(',')}; series ${seriesBefore} -> ${seriesAfter} with more sessions; ` +
        `tenant key in ${downstream.length} of ${svc.modelRecorder.requests.length} model requests; traces: none exported`,
    });
    expect(logs).toContain('model call failed');
    expect(logs).toContain('request failed');
    expect(found).toEqual([]);
    expect(oddLabels).toEqual([]);
    expect(sessionLabels).toEqual([]);
    expect(seriesAfter).toBe(seriesBefore);
    expect(downstream).toEqual([]);
  });
});
