import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidConfigError, TargetUnreachableError } from '../../../harness/errors.ts';
import { StackControlError } from '../../../harness/stack/errors.ts';
import { startExternalStack } from '../../../harness/stack/external.ts';
import { allocatePort } from '../../../harness/stack/ports.ts';

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function listen(status: number): Promise<string> {
  server = createServer((_req, res) => res.writeHead(status).end());
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

describe('--stack external', () => {
  it('describes a running deployment by its URLs and refuses every control action', async () => {
    // Any HTTP answer counts as reachable: an agent without a route at / answers 404.
    const url = await listen(404);
    const stack = await startExternalStack({
      targetUrl: `${url}/`,
      apiKey: 'key-1',
      modelServer: 'tgi',
      profile: 'llama-3.1-8b@h100',
    });
    expect(stack).toMatchObject({
      kind: 'external',
      agentUrl: url,
      modelUrl: url,
      toolsUrl: null,
      adminToken: null,
      modelServer: 'tgi',
      profile: 'llama-3.1-8b@h100',
      tenants: [{ name: 'default', apiKey: 'key-1' }],
    });
    expect(stack.metricsUrls).toEqual([{ id: 'target', kind: 'agent', url: `${url}/metrics` }]);
    expect(stack.control.list()).toEqual([]);
    await expect(stack.control.kill('agent-0')).rejects.toBeInstanceOf(StackControlError);
    await expect(stack.control.addReplica('agent')).rejects.toThrow(
      /does not control an external deployment/,
    );
    await stack.stop();
  });

  it('fails with AL_TARGET_UNREACHABLE when nothing answers at the target', async () => {
    const port = await allocatePort();
    const error = await startExternalStack({ targetUrl: `http://127.0.0.1:${port}` }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TargetUnreachableError);
    expect((error as TargetUnreachableError).message).toMatch(/does not answer \(ECONNREFUSED\)/);
  });

  it('rejects a target that is not an http(s) URL', async () => {
    const error = await startExternalStack({ targetUrl: 'localhost:8080' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).issues[0]).toMatchObject({ path: 'targetUrl' });
  });
});
