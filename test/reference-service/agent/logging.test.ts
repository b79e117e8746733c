import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAgentLogger, scrubText } from '../../../reference-service/agent/logging.ts';

function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return {
    logger: createAgentLogger({ replicaId: 'r1', stream, level: 'debug' }),
    text: () => lines.join(''),
  };
}

describe('scrubText', () => {
  it('removes e-mail addresses, phone numbers, bearer tokens and agentload keys', () => {
    const out = scrubText(
      'mail jane.doe+x@example.co.uk or call +1 (415) 555-0100 / 020 7946 0958 with Bearer abc.def and al_demo_acme_6d1a327d0ddaf4d0',
    );
    expect(out).not.toMatch(/jane|example|415|555|7946|abc\.def|6d1a327d/);
    expect(out).toContain('[Redacted email]');
    expect(out).toContain('[Redacted phone]');
    expect(out).toContain('Bearer [Redacted]');
    expect(out).toContain('[Redacted key]');
  });

  it('keeps dates, ports and durations readable', () => {
    const text = 'at 2025-01-01T10:00:00Z connect ECONNREFUSED 127.0.0.1:6379 after 1500 ms';
    expect(scrubText(text)).toBe(text);
  });
});

describe('createAgentLogger', () => {
  it('censors secret fields and scrubs strings inside messages, objects and errors', () => {
    const { logger, text } = captureLogger();
    logger.info({ req: { headers: { authorization: 'Bearer al_live_secret_123456' } } }, 'hello');
    logger.info(
      { apiKey: 'al_live_other_123456', note: 'from bob@example.com' },
      'user %s wrote',
      'alice@example.org',
    );
    logger.error({ err: new Error('lookup failed for carol@example.net, phone +44 20 7946 0958') }, 'failed');
    const out = text();
    // The phone number whole: "7946" alone also turns up in epoch-ms timestamps (1795794698429).
    expect(out).not.toMatch(/al_live|example\.(com|org|net)|7946 0958/);
    expect(out).toContain('[Redacted]');
    expect(out).toContain('[Redacted email]');
  });
});
