import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessRecord } from './managed-process.ts';
import { isProcessAlive, processStartTime } from './process-info.ts';
import { makeDirsSync } from '../fs/make-dirs.ts';

/**
 * Every local stack owns a directory under the stacks root holding its logs, Redis data, HAProxy
 * config and `stack.json`: the owner's pid and the pid of every child it runs. A stack whose owner died
 * without cleaning up (SIGKILL, a crash) is reaped by the next stack start: its live children
 * (matched by pid and start time, so a reused pid is never hit) get SIGCONT and SIGKILL, its directory
 * goes.
 */
interface StackFile {
  owner: { pid: number; startTime: string | null };
  processes: ProcessRecord[];
  /** Logs kept on purpose (keepLogs): the reaper leaves the directory alone. */
  kept?: boolean;
}

const stackFileName = 'stack.json';
/** A directory without stack.json younger than this may be a stack being created right now. */
const unclaimedGraceMs = 10 * 60_000;

export class StackRegistry {
  readonly dir: string;

  constructor(root: string) {
    makeDirsSync(root);
    this.dir = mkdtempSync(join(root, 'stack-'));
    this.write([]);
  }

  /** Best effort: a failed write (the directory already removed by stop()) must not crash the caller. */
  write(processes: ProcessRecord[], kept = false): void {
    const owner = { pid: process.pid, startTime: processStartTime(process.pid) };
    const file: StackFile = { owner, processes, ...(kept ? { kept } : {}) };
    const tmp = join(this.dir, `${stackFileName}.tmp`);
    try {
      writeFileSync(tmp, JSON.stringify(file));
      renameSync(tmp, join(this.dir, stackFileName));
    } catch {
      // nothing to record into any more
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function isSameProcess(pid: number, startTime: string | null): boolean {
  if (!isProcessAlive(pid)) return false;
  return startTime === null || processStartTime(pid) === startTime;
}

function killGroup(pid: number): void {
  for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Reaps stacks whose owner is gone; returns the ids of the processes it killed. */
export function reapStaleStacks(root: string, nowMs = Date.now()): string[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  const killed: string[] = [];
  for (const entry of entries) {
    const dir = join(root, entry);
    let file: StackFile | null = null;
    try {
      file = JSON.parse(readFileSync(join(dir, stackFileName), 'utf8')) as StackFile;
    } catch {
      file = null;
    }
    if (file === null) {
      try {
        if (nowMs - statSync(dir).mtimeMs > unclaimedGraceMs) rmSync(dir, { recursive: true, force: true });
      } catch {
        // raced with its owner's cleanup
      }
      continue;
    }
    if (isSameProcess(file.owner.pid, file.owner.startTime)) continue;
    for (const p of file.processes) {
      if (!isSameProcess(p.pid, p.startTime)) continue;
      killGroup(p.pid);
      killed.push(`${p.id} (pid ${p.pid})`);
    }
    if (file.kept !== true) rmSync(dir, { recursive: true, force: true });
  }
  return killed;
}
