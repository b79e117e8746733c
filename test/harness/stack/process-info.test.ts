import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, processGroupMembers } from '../../../harness/stack/process-info.ts';

describe('processGroupMembers', () => {
  it('lists the live processes of a group, and nothing once they are gone', async () => {
    // A shell leading its own group, with a child of its own in that group.
    const leader = spawn('sh', ['-c', 'sleep 30 & wait'], { detached: true, stdio: 'ignore' });
    const pgid = leader.pid!;
    try {
      let members: number[] = [];
      for (let i = 0; i < 100 && members.length < 2; i++) {
        members = processGroupMembers(pgid);
        if (members.length < 2) await new Promise((r) => setTimeout(r, 20));
      }
      expect(members).toContain(pgid);
      expect(members).toHaveLength(2);
      expect(members.every(isProcessAlive)).toBe(true);
    } finally {
      process.kill(-pgid, 'SIGKILL');
    }
    await new Promise((r) => leader.once('exit', r));
    for (let i = 0; i < 100 && processGroupMembers(pgid).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(processGroupMembers(pgid)).toEqual([]);
  });

  it('finds no member in a group that does not exist', () => {
    expect(processGroupMembers(2 ** 22 + 12_345)).toEqual([]);
  });
});
