import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHaproxyConfig, type HaproxyConfigSpec } from '../../../harness/stack/haproxy-config.ts';
import { describeWith } from './support.ts';

function makeSpec(overrides: Partial<HaproxyConfigSpec> = {}): HaproxyConfigSpec {
  return {
    proxies: [
      {
        name: 'agents',
        bind: { host: '127.0.0.1', port: 18001 },
        healthPath: '/readyz',
        servers: [
          { id: 'agent-0', host: '127.0.0.1', port: 18010 },
          { id: 'agent-1', host: '127.0.0.1', port: 18011 },
        ],
        stickySessions: true,
      },
      { name: 'models', bind: { host: '127.0.0.1', port: 18002 }, healthPath: '/health', servers: [] },
    ],
    stats: { host: '127.0.0.1', port: 18003 },
    stateFile: '/tmp/agentload-test-servers.state',
    healthCheckIntervalMs: 500,
    streamIdleTimeoutMs: 600_000,
    hardStopAfterMs: 30_000,
    ...overrides,
  };
}

describe('renderHaproxyConfig', () => {
  it('balances by least connections with an HTTP health check per backend', () => {
    const config = renderHaproxyConfig(makeSpec());
    expect(config).toContain('backend agents\n  balance leastconn\n  option httpchk GET /readyz');
    expect(config).toContain('option httpchk GET /health');
    expect(config).toContain('  server agent-1 127.0.0.1:18011 check');
    expect(config).toContain('default-server inter 500ms fall 2 rise 2');
  });

  it('retries failed connections on another server and keeps SSE streams open for minutes', () => {
    const config = renderHaproxyConfig(makeSpec());
    expect(config).toContain('option redispatch 1');
    expect(config).toMatch(/retries \d/);
    expect(config).toContain('timeout server 600000ms');
    expect(config).toContain('option http-no-delay');
  });

  it('sticks sessions by the session id path segment only when asked', () => {
    const sticky = renderHaproxyConfig(makeSpec());
    expect(sticky).toContain('stick on path,field(4,/) if { path_beg /v1/sessions/ }');
    const models = sticky.slice(sticky.indexOf('backend models'));
    expect(models).not.toContain('stick');
  });

  it('refuses names HAProxy would misread', () => {
    const spec = makeSpec();
    const bad = {
      ...spec,
      proxies: [{ ...spec.proxies[0]!, servers: [{ id: 'agent 0', host: 'x', port: 1 }] }],
    };
    expect(() => renderHaproxyConfig(bad)).toThrow(/invalid HAProxy server name/);
  });
});

describeWith(['haproxy'], 'renderHaproxyConfig with haproxy -c', () => {
  it('produces a config HAProxy accepts, with and without servers and stats', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentload-haproxy-cfg-'));
    for (const spec of [makeSpec(), makeSpec({ stats: null })]) {
      const path = join(dir, 'haproxy.cfg');
      writeFileSync(path, renderHaproxyConfig(spec));
      expect(() => execFileSync('haproxy', ['-c', '-q', '-f', path], { stdio: 'pipe' })).not.toThrow();
    }
  });
});
