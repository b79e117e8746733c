import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../reference-service/agent/helpers/redis-server.ts';

/** A redis-server on a free port with extra arguments (e.g. `--replicaof`), and a client to it. */
export interface RedisProcess {
  port: number;
  client: Redis;
  /** SIGKILL, as a crashed primary. */
  kill(): Promise<void>;
}

export async function startRedisProcess(extraArgs: string[] = []): Promise<RedisProcess> {
  const port = await freePort();
  // A replica writes the snapshot it syncs from to its directory: keep that out of the checkout.
  const dir = mkdtempSync(join(tmpdir(), 'agentload-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      // Full syncs start at once (Redis 7 waits 5 s for more replicas to share a diskless sync).
      '--repl-diskless-sync-delay',
      '0',
      ...extraArgs,
    ],
    { stdio: 'ignore', cwd: dir },
  );
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch {
      client.disconnect();
      if (Date.now() > deadline)
        throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    client,
    kill: async () => {
      client.disconnect();
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a replica of `primary` and resolves once writes on the primary reach it. Redis 7.0 can
 * report a replica of a primary that has never written as linked (`master_link_status:up`) while
 * it receives nothing afterwards, so the primary gets a write first, and a second write must
 * arrive on the replica before it counts as following.
 */
export async function startReplicaOf(primary: RedisProcess): Promise<RedisProcess> {
  await primary.client.set('replication-probe', 'before');
  const replica = await startRedisProcess(['--replicaof', '127.0.0.1', String(primary.port)]);
  const deadline = Date.now() + 10_000;
  const marker = `after-${Date.now()}`;
  let written = false;
  for (;;) {
    const info = await replica.client.info('replication');
    if (/master_link_status:up/.test(info) && !/master_sync_in_progress:1/.test(info)) {
      if (!written) await primary.client.set('replication-probe', marker);
      written = true;
      if ((await replica.client.get('replication-probe')) === marker) return replica;
    }
    if (Date.now() > deadline) throw new Error(`replica on ${replica.port} did not follow within 10 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
