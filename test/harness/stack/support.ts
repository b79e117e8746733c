import { describe } from 'vitest';
import { findBinary } from '../../../harness/stack/binaries.ts';
import { isProcessAlive, processGroupMembers } from '../../../harness/stack/process-info.ts';

export { processState } from '../../../harness/stack/process-info.ts';

/**
 * Tests that need real programs: skipped with a message when one is missing, unless the matching
 * REQUIRE_* switch is set (CI sets both), in which case they fail.
 */
const switches: Record<string, string> = { 'redis-server': 'REQUIRE_REDIS', haproxy: 'REQUIRE_HAPROXY' };

export function missingBinaries(names: readonly string[]): string[] {
  return names.filter((n) => findBinary(n, process.env.PATH ?? '') === null);
}

export function describeWith(names: readonly string[], title: string, body: () => void): void {
  const missing = missingBinaries(names);
  const required = missing.filter((n) => process.env[switches[n] ?? ''] === '1');
  if (required.length > 0) {
    describe(title, () => {
      throw new Error(
        `${required.join(', ')} not installed but ${required.map((n) => switches[n]).join(', ')}=1`,
      );
    });
    return;
  }
  if (missing.length > 0) {
    console.warn(
      `skipping "${title}": ${missing.join(', ')} not installed (apt-get install ${missing.join(' ')})`,
    );
    describe.skip(title, body);
    return;
  }
  describe(title, body);
}

export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A probe that throws counts as "not yet": polling HAProxy's stats while it reloads can meet a
    // worker that closes its connections (undici: "other side closed").
    let lastError: unknown = null;
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError === null ? '' : ` (last probe failed: ${String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Live pids among `pids`, and live members of their process groups (children of children). */
export function survivors(pids: readonly number[]): number[] {
  const alive = new Set<number>();
  for (const pid of pids) {
    if (isProcessAlive(pid)) alive.add(pid);
    for (const member of processGroupMembers(pid)) alive.add(member);
  }
  return [...alive];
}
