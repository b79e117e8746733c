import { redisCommand } from './readiness.ts';

/**
 * redis-server's flags in every stack: AOF in `dir` with fsync on every write, no RDB snapshots, so
 * a restart loses no acknowledged turn.
 */
export function redisServerArgs(host: string, port: number, dir: string): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    host,
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--save',
    '',
  ];
}

/** What redis-server logs once it serves. */
export const redisReadyLine = /Ready to accept connections/;

export function redisProbe(host: string, port: number): () => Promise<boolean> {
  return async () => (await redisCommand(host, port, 'PING')).startsWith('+PONG');
}
