import { describe, expect, it } from 'vitest';
import { metricsUrls } from '../../../harness/stack/metrics-urls.ts';

describe('metricsUrls', () => {
  it("scrapes each component's /metrics, HAProxy's on its stats listener, and skips Redis", () => {
    const components = [
      { id: 'redis', kind: 'redis' as const, url: 'redis://127.0.0.1:7001' },
      { id: 'tools', kind: 'tools' as const, url: 'http://127.0.0.1:7002' },
      { id: 'agent-0', kind: 'agent' as const, url: 'http://127.0.0.1:7003' },
      { id: 'haproxy', kind: 'haproxy' as const, url: 'http://127.0.0.1:7004' },
    ];
    expect(metricsUrls(components, 'http://127.0.0.1:7009')).toEqual([
      { id: 'tools', kind: 'tools', url: 'http://127.0.0.1:7002/metrics' },
      { id: 'agent-0', kind: 'agent', url: 'http://127.0.0.1:7003/metrics' },
      { id: 'haproxy', kind: 'haproxy', url: 'http://127.0.0.1:7009/metrics' },
    ]);
  });
});
