import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Finds a program the way a shell would. With `searchPath` (PATH syntax) the lookup is pure; without
 * it, `command -v` runs in a shell that inherits this process's environment, the same PATH spawn()
 * uses (so only harness/cli reads the environment).
 */
export function findBinary(name: string, searchPath?: string): string | null {
  if (isAbsolute(name)) return isExecutable(name) ? name : null;
  if (searchPath !== undefined) {
    for (const dir of searchPath.split(delimiter)) {
      if (dir === '') continue;
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
    return null;
  }
  try {
    const found = execFileSync('/bin/sh', ['-c', 'command -v -- "$1"', 'sh', name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return found !== '' && isAbsolute(found) ? found : null;
  } catch {
    return null;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
