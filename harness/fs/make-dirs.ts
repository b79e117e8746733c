/**
 * `mkdir -p` that always settles. Node 20's `mkdir(path, { recursive: true })` never returns (and
 * keeps a thread spinning) when a directory cannot be made inside a parent that exists with ENOENT,
 * as under /proc or /sys: it retries the parent and the child forever. These helpers find the
 * deepest existing ancestor, then create each missing level with a plain mkdir, so any failure
 * surfaces as the error of the level that could not be made.
 */
import { mkdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const code = (error: unknown): unknown => (error as NodeJS.ErrnoException).code;

/**
 * The levels of `path` that do not exist yet, outermost first; throws ENOTDIR when an existing level
 * is not a directory. Synchronous for both helpers: a few metadata lookups, once per directory a
 * command makes, never on a hot path.
 */
function missingLevels(path: string): string[] {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    try {
      if (statSync(dir).isDirectory()) return missing.reverse();
    } catch (error) {
      if (code(error) !== 'ENOENT' || dirname(dir) === dir) throw error;
      missing.push(dir);
      continue;
    }
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), {
      code: 'ENOTDIR',
      path: dir,
    });
  }
}

/** A level made meanwhile by someone else is fine, if it is a directory. */
function unlessMadeMeanwhile(error: unknown, dir: string): void {
  if (code(error) !== 'EEXIST' || !statSync(dir).isDirectory()) throw error;
}

/** Creates `path` and its missing parents; resolves when it is a directory. */
export async function makeDirs(path: string): Promise<void> {
  for (const dir of missingLevels(path)) await mkdir(dir).catch((error) => unlessMadeMeanwhile(error, dir));
}

/** makeDirs, synchronously. */
export function makeDirsSync(path: string): void {
  for (const dir of missingLevels(path)) {
    try {
      mkdirSync(dir);
    } catch (error) {
      unlessMadeMeanwhile(error, dir);
    }
  }
}
