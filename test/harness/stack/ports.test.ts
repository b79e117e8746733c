import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { allocatePorts } from '../../../harness/stack/ports.ts';

describe('allocatePorts', () => {
  it('returns distinct ports that can be bound right after', async () => {
    const ports = await allocatePorts(8);
    expect(new Set(ports).size).toBe(8);
    for (const port of ports) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
