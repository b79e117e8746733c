import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { findBinary } from '../../../harness/stack/binaries.ts';
import { startLocalStack } from '../../../harness/stack/local.ts';
import { describeWith } from './support.ts';

describeWith(['redis-server', 'haproxy'], 'local stack start when a port is taken', () => {
  it('starts again on new ports, once', async () => {
    // A redis-server that finds its port taken the first time it runs, as when another process
    // binds the port between our allocation and its start.
    const dir = mkdtempSync(join(tmpdir(), 'agentload-port-'));
    const marker = join(dir, 'failed-once');
    const wrapper = join(dir, 'redis-server');
    writeFileSync(
      wrapper,
      `#!/bin/sh\nif [ ! -e ${marker} ]; then touch ${marker}; echo "bind: Address already in use"; exit 1; fi\n` +
        `exec ${findBinary('redis-server')} "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    const progress: string[] = [];
    const stack = await startLocalStack({
      agentReplicas: 1,
      loadTimeSec: 0,
      toolsLatencyScale: 0,
      binaries: { redisServer: wrapper },
      onProgress: (line) => progress.push(line),
    });
    try {
      expect(progress.join('\n')).toContain('starting again on new ports');
      expect(stack.control.list().every((c) => c.state === 'running')).toBe(true);
    } finally {
      await stack.stop();
    }
  });
});
