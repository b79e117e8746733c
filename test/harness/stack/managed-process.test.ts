import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManagedProcess } from '../../../harness/stack/managed-process.ts';
import { eventually, processState, survivors } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'agentload-managed-'));
const started: ManagedProcess[] = [];

function sh(script: string, id = 'sh'): { proc: ManagedProcess; offset: number; logPath: string } {
  const proc = new ManagedProcess(id, null);
  started.push(proc);
  const logPath = join(dir, `${id}.log`);
  const offset = proc.start({ command: '/bin/sh', args: ['-c', script], cwd: dir, logPath });
  return { proc, offset, logPath };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill()));
});

describe('ManagedProcess', () => {
  it('reports how the process exited', async () => {
    const { proc } = sh('exit 3');
    expect(await proc.waitExit(5_000)).toMatchObject({ code: 3, signal: null });
    expect(proc.running).toBe(false);
  });

  it('appends output to its log and returns where this start begins', async () => {
    const first = sh('echo first', 'log');
    await first.proc.waitExit(5_000);
    const second = first.proc.start({
      command: '/bin/sh',
      args: ['-c', 'echo second'],
      cwd: dir,
      logPath: first.logPath,
    });
    await first.proc.waitExit(5_000);
    const log = readFileSync(first.logPath, 'utf8');
    expect(log).toContain('first');
    expect(log.slice(second)).toBe('second\n');
  });

  it('kills the whole process group, children included', async () => {
    const { proc } = sh('sleep 100 & sleep 100 & wait');
    const pid = proc.pid!;
    await eventually(() => (survivors([pid]).length >= 3 ? true : undefined), 5_000, 'the two sleeps');
    await proc.kill();
    expect(survivors([pid])).toEqual([]);
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const { proc, offset } = sh('trap "" TERM; echo ready; while :; do sleep 1; done', 'stubborn');
    const log = () => readFileSync(join(dir, 'stubborn.log'), 'utf8').slice(offset);
    await eventually(() => (log().includes('ready') ? true : undefined));
    const exit = await proc.terminate(300);
    expect(exit?.signal).toBe('SIGKILL');
  });

  it('pauses and resumes the process with SIGSTOP and SIGCONT', async () => {
    // One process: a short-lived child exiting while its group is stopped would make the kernel send
    // the (orphaned) group SIGHUP and SIGCONT.
    const proc = new ManagedProcess('sleeper', null);
    started.push(proc);
    proc.start({ command: 'sleep', args: ['100'], cwd: dir, logPath: join(dir, 'sleeper.log') });
    proc.signalGroup('SIGSTOP');
    expect(await eventually(() => (processState(proc.pid!) === 'T' ? 'T' : undefined), 5_000)).toBe('T');
    proc.signalGroup('SIGCONT');
    await eventually(() => (processState(proc.pid!) !== 'T' ? true : undefined), 5_000, 'resume');
  });

  it('stops a paused process', async () => {
    const { proc } = sh('sleep 100');
    proc.signalGroup('SIGSTOP');
    expect(await proc.terminate(2_000)).not.toBeNull();
  });

  it('reports a program that cannot start as an exit with an error', async () => {
    const proc = new ManagedProcess('missing', null);
    proc.start({ command: '/nonexistent/program', args: [], cwd: dir, logPath: join(dir, 'missing.log') });
    const exit = await proc.waitExit(5_000);
    expect(exit?.error?.message).toMatch(/ENOENT/);
  });
});
