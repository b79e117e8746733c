import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { allocatePort } from '../../harness/stack/ports.ts';
import { waitUntil } from '../../harness/stack/readiness.ts';
import { redisProbe } from '../../harness/stack/redis-server.ts';

/** A real redis-server on a free port, without persistence, for one test file. */
export interface TestRedis {
  url: string;
  port: number;
  /** SIGKILL: Redis disappears (connections refused). */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: --save ''). */
  restart(): Promise<void>;
  /** SIGKILL and removes its directory. */
  stop(): Promise<void>;
}

/** A redis-server started with extra arguments (e.g. `--replicaof`), and a client to it. */
export interface RedisProcess {
  port: number;
  client: Redis;
  /** SIGKILL, as a crashed primary; also drops the client and the directory. */
  kill(): Promise<void>;
}

export async function startTestRedis(extraArgs: string[] = []): Promise<TestRedis> {
  const port = await allocatePort();
  // A replica writes the snapshot it syncs from to its directory: keep that out of the checkout.
  const dir = mkdtempSync(join(tmpdir(), 'agentload-redis-'));
  let child: ChildProcess | null = null;
  const launch = async (): Promise<void> => {
    child = spawn(
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
    await waitForPing(port);
  };
  const kill = async (): Promise<void> => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  const stop = async (): Promise<void> => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, port, kill, restart: launch, stop };
}

export async function startRedisProcess(extraArgs: string[] = []): Promise<RedisProcess> {
  const server = await startTestRedis(extraArgs);
  const client = new Redis({
    port: server.port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
  });
  client.on('error', () => undefined);
  await client.connect();
  const kill = async (): Promise<void> => {
    client.disconnect();
    await server.stop();
  };
  return { port: server.port, client, kill };
}

async function waitForPing(port: number): Promise<void> {
  const ping = redisProbe('127.0.0.1', port);
  await waitUntil(async () => ((await ping()) ? true : undefined), {
    description: `redis-server on port ${port} answering PING`,
    timeoutMs: 10_000,
  });
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
  const marker = `after-${Date.now()}`;
  let written = false;
  const following = async (): Promise<true | undefined> => {
    const info = await replica.client.info('replication');
    if (!/master_link_status:up/.test(info) || /master_sync_in_progress:1/.test(info)) return undefined;
    if (!written) await primary.client.set('replication-probe', marker);
    written = true;
    return (await replica.client.get('replication-probe')) === marker ? true : undefined;
  };
  try {
    await waitUntil(following, {
      description: `replica on ${replica.port} following its primary`,
      timeoutMs: 10_000,
      intervalMs: 20,
    });
  } catch (error) {
    await replica.kill();
    throw error;
  }
  return replica;
}
