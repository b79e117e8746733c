import { readdirSync, readFileSync } from 'node:fs';

/**
 * Linux /proc facts about a pid. A zombie (exited, not yet reaped by its parent: HAProxy workers whose
 * master was SIGKILLed end up so under an init that does not reap) counts as gone: it runs nothing
 * and holds no port.
 */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

const hasProc = statFields(process.pid) !== null;

/** Exists and is neither a zombie (Z) nor dead (X). */
function isLive(fields: string[] | null): fields is string[] {
  return fields !== null && fields[0] !== 'Z' && fields[0] !== 'X';
}

/** State letter (R running, S sleeping, T stopped, Z zombie, ...), or null when gone or no /proc. */
export function processState(pid: number): string | null {
  return statFields(pid)?.[0] ?? null;
}

export function isProcessAlive(pid: number): boolean {
  if (hasProc) return isLive(statFields(pid));
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Start time in clock ticks since boot (field 22), which tells a pid apart from a later reuse of it. */
export function processStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/**
 * Live pids in process group `pgid` (HAProxy's workers with their master); empty without /proc.
 * Polled while a component stops, so the common answer costs no scan: kill(-pgid, 0) failing with
 * ESRCH means no process (not even a zombie) is left in the group. Otherwise each /proc/<pid>/stat
 * is read once (a blocking scan of every process on the machine).
 */
export function processGroupMembers(pgid: number): number[] {
  if (!hasProc || !groupHasProcesses(pgid)) return [];
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    // Field 5, the process group id.
    if (isLive(fields) && Number(fields[2]) === pgid) members.push(Number(entry));
  }
  return members;
}

function groupHasProcesses(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
