import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStartTime } from '../../../harness/stack/process-info.ts';
import { reapStaleStacks, StackRegistry } from '../../../harness/stack/stack-registry.ts';
import { eventually, survivors } from './support.ts';

function sleeper(): number {
  const child = spawn('sleep', ['100'], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}

/** A pid that no longer runs: a finished child, reaped. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

function writeStack(root: string, name: string, file: unknown): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'stack.json'), JSON.stringify(file));
  return dir;
}

describe('reapStaleStacks', () => {
  it('kills the processes of a stack whose owner is gone and removes its directory', async () => {
    const root = mkdtempSync(join(tmpdir(), 'agentload-reap-'));
    const pid = sleeper();
    const dir = writeStack(root, 'stack-dead', {
      owner: { pid: await deadPid(), startTime: null },
      processes: [{ id: 'redis', pid, startTime: processStartTime(pid) }],
    });
    expect(reapStaleStacks(root)).toEqual([`redis (pid ${pid})`]);
    await eventually(() => (survivors([pid]).length === 0 ? true : undefined), 5_000);
    expect(existsSync(dir)).toBe(false);
  });

  it('leaves a stack alone while its owner runs', () => {
    const root = mkdtempSync(join(tmpdir(), 'agentload-reap-'));
    const registry = new StackRegistry(root);
    const pid = sleeper();
    registry.write([{ id: 'redis', pid, startTime: processStartTime(pid) }]);
    expect(reapStaleStacks(root)).toEqual([]);
    expect(survivors([pid])).toHaveLength(1);
    process.kill(pid, 'SIGKILL');
    registry.remove();
  });

  it('never kills a process that only reuses a recorded pid', async () => {
    const root = mkdtempSync(join(tmpdir(), 'agentload-reap-'));
    const pid = sleeper();
    writeStack(root, 'stack-reused', {
      owner: { pid: await deadPid(), startTime: null },
      processes: [{ id: 'redis', pid, startTime: '1' }],
    });
    expect(reapStaleStacks(root)).toEqual([]);
    expect(survivors([pid])).toHaveLength(1);
    process.kill(pid, 'SIGKILL');
  });

  it('keeps directories whose logs were kept on purpose', async () => {
    const root = mkdtempSync(join(tmpdir(), 'agentload-reap-'));
    writeStack(root, 'stack-kept', {
      owner: { pid: await deadPid(), startTime: null },
      processes: [],
      kept: true,
    });
    reapStaleStacks(root);
    expect(readdirSync(root)).toEqual(['stack-kept']);
  });

  it('removes an old directory without a stack file but not a fresh one', () => {
    const root = mkdtempSync(join(tmpdir(), 'agentload-reap-'));
    mkdirSync(join(root, 'stack-old'));
    mkdirSync(join(root, 'stack-new'));
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(root, 'stack-old'), hourAgo, hourAgo);
    reapStaleStacks(root);
    expect(readdirSync(root)).toEqual(['stack-new']);
  });
});
