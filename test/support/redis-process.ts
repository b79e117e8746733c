import { spawn, type ChildProcess } from 'node:child_process';
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
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs],
    { stdio: 'ignore' },
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
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
  };
}

/** Starts a replica of `primary` and resolves once it has synced (link up, offsets equal). */
export async function startReplicaOf(primary: RedisProcess): Promise<RedisProcess> {
  const replica = await startRedisProcess(['--replicaof', '127.0.0.1', String(primary.port)]);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const info = await replica.client.info('replication');
    if (/master_link_status:up/.test(info) && !/master_sync_in_progress:1/.test(info)) return replica;
    if (Date.now() > deadline) throw new Error(`replica on ${replica.port} did not sync within 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
