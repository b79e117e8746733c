import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDirs, makeDirsSync } from '../../../harness/fs/make-dirs.ts';
import { runAgentload } from '../../support/agentload-cli.ts';

const roots: string[] = [];
function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'agentload-make-dirs-'));
  roots.push(root);
  return root;
}
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

const hasProc = existsSync('/proc/self/stat');

describe.each([
  ['makeDirs', (p: string) => makeDirs(p)],
  ['makeDirsSync', async (p: string) => makeDirsSync(p)],
] as const)('%s', (_name, make) => {
  it('creates every missing level and accepts a directory that exists', async () => {
    const root = tempRoot();
    const deep = join(root, 'a', 'b', 'c');
    await make(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    await make(deep);
    await make(root);
  });

  it('refuses a path through a file with ENOTDIR', async () => {
    const root = tempRoot();
    writeFileSync(join(root, 'file'), 'x');
    await expect(make(join(root, 'file'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(make(join(root, 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  // Node 20's recursive mkdir never settles here (it retries /proc and /proc/x forever).
  it.runIf(hasProc)('fails at once where a directory cannot be made in an existing parent', async () => {
    await expect(make('/proc/agentload-no-such-dir/results')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('an --out that cannot be made', () => {
  it.runIf(hasProc)('fails before the stack starts, with AL_RESULTS_WRITE', async () => {
    const r = await runAgentload(['run', 'smoke', '--out', '/proc/agentload-no-such-dir'], {
      timeoutMs: 30_000,
    });
    expect(r.code).toBe(103);
    expect(r.stderr).toContain('AL_RESULTS_WRITE');
    expect(r.stderr).not.toContain('starting the local stack');
  });
});
