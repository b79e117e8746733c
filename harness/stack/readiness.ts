import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { ManagedProcess } from './managed-process.ts';

/** Why a component did not become ready: it exited, or the deadline passed. */
export class NotReadyError extends Error {
  constructor(
    message: string,
    readonly exited: boolean,
  ) {
    super(message);
  }
}

export interface WaitOptions {
  description: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Fail fast when this process exits while we wait. */
  process?: ManagedProcess;
}

/** Polls `probe` until it returns a value other than undefined. */
export async function waitUntil<T>(probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 50;
  for (;;) {
    const exit = options.process?.exitInfo;
    if (exit) {
      const how = exit.error
        ? exit.error.message
        : exit.signal
          ? `signal ${exit.signal}`
          : `code ${exit.code}`;
      throw new NotReadyError(
        `${options.description}: the process exited (${how}) before it was ready`,
        true,
      );
    }
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      throw new NotReadyError(`${options.description}: not ready after ${options.timeoutMs} ms`, false);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Reads a file from `offset` (at most 1 MiB); '' when it is missing. */
export function readFrom(path: string, offset: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.max(0, Math.min(size - offset, 1 << 20));
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, offset);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The last `lines` lines of a log, for error messages. */
export function logTail(path: string, lines = 15): string {
  const text = readFrom(path, 0).trimEnd();
  return text.split('\n').slice(-lines).join('\n');
}

/** The first `{"event":"listening",...}` JSON line written to `logPath` after `offset`, if any. */
export function findListeningLine(logPath: string, offset: number): Record<string, unknown> | undefined {
  for (const line of readFrom(logPath, offset).split('\n')) {
    if (!line.startsWith('{') || !line.includes('"listening"')) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.event === 'listening') return parsed;
    } catch {
      // a partial line: the next poll reads it whole
    }
  }
  return undefined;
}

/** HTTP status of GET `url`, or 0 when it does not answer within `timeoutMs`. */
export async function httpStatus(url: string, timeoutMs = 1_000): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 0;
  }
}

/** Sends RESP commands and resolves with the raw reply ('' on error or timeout). */
export function redisCommand(
  host: string,
  port: number,
  command: string,
  timeoutMs = 1_000,
): Promise<string> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = createConnection({ host, port });
    const done = () => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(timeoutMs, done);
    socket.on('error', () => {
      reply = '';
      done();
    });
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.endsWith('\r\n')) done();
    });
  });
}

/** True when TCP connects to host:port. */
export function canConnect(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
