/**
 * `mkdir -p` that always settles. Node 20's `mkdir(path, { recursive: true })` never returns (and
 * keeps a thread spinning) when a directory cannot be made inside a parent that exists with ENOENT,
 * as under /proc or /sys: it retries the parent and the child forever. These helpers find the
 * deepest existing ancestor, then create each missing level with a plain mkdir, so any failure
 * surfaces as the error of the level that could not be made.
 */
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

function notADirectory(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), {
    code: 'ENOTDIR',
    path,
  });
}

const code = (error: unknown): unknown => (error as NodeJS.ErrnoException).code;

/** Creates `path` and its missing parents; resolves when it is a directory. */
export async function makeDirs(path: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    try {
      if (!(await stat(dir)).isDirectory()) throw notADirectory(dir);
      break;
    } catch (error) {
      if (code(error) !== 'ENOENT' || dirname(dir) === dir) throw error;
      missing.push(dir);
    }
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir);
    } catch (error) {
      if (code(error) !== 'EEXIST' || !(await stat(dir)).isDirectory()) throw error;
    }
  }
}

/** makeDirs, synchronously. */
export function makeDirsSync(path: string): void {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    try {
      if (!statSync(dir).isDirectory()) throw notADirectory(dir);
      break;
    } catch (error) {
      if (code(error) !== 'ENOENT' || dirname(dir) === dir) throw error;
      missing.push(dir);
    }
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (error) {
      if (code(error) !== 'EEXIST' || !statSync(dir).isDirectory()) throw error;
    }
  }
}
