import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLocalStackOptions, type LocalStackOptionsInput } from '../../../harness/stack/local-options.ts';
import { planLocalStack } from '../../../harness/stack/local-plan.ts';

/** A directory with stand-in executables: the plan only looks programs up, it never runs them. */
function binDir(names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'agentload-plan-'));
  for (const name of names) {
    writeFileSync(join(dir, name), '#!/bin/sh\n');
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

const plan = (input: LocalStackOptionsInput) => planLocalStack(parseLocalStackOptions(input));
const both = binDir(['redis-server', 'haproxy']);
const onlyHaproxy = binDir(['haproxy']);
const onlyRedis = binDir(['redis-server']);

describe('planLocalStack', () => {
  it('runs two agent replicas with Redis state when redis-server and haproxy are installed', () => {
    const p = plan({ searchPath: both });
    expect(p).toMatchObject({ agentReplicas: 2, modelReplicas: 1, inMemoryState: false, warnings: [] });
    expect(p.redisBinary).toBe(join(both, 'redis-server'));
  });

  it('falls back to one replica with in-memory state, and says so, without redis-server', () => {
    const p = plan({ searchPath: onlyHaproxy });
    expect(p).toMatchObject({ agentReplicas: 1, inMemoryState: true });
    expect(p.warnings.join(' ')).toMatch(/in memory.*apt-get install redis-server/);
  });

  it('treats a binary set to null as not installed', () => {
    expect(plan({ searchPath: both, binaries: { redisServer: null } }).inMemoryState).toBe(true);
  });

  it('refuses several agent replicas without redis-server, saying how to install it', () => {
    expect(() => plan({ searchPath: onlyHaproxy, agentReplicas: 2 })).toThrow(
      expect.objectContaining({
        code: 'AL_DEPENDENCY_MISSING',
        hint: expect.stringContaining('apt-get install redis-server'),
      }),
    );
  });

  it('refuses several replicas without haproxy, saying how to install it', () => {
    for (const input of [{ agentReplicas: 2 }, { agentReplicas: 1, modelReplicas: 2 }]) {
      expect(() => plan({ searchPath: onlyRedis, ...input })).toThrow(
        expect.objectContaining({
          code: 'AL_DEPENDENCY_MISSING',
          hint: expect.stringContaining('apt-get install haproxy'),
        }),
      );
    }
  });

  it('runs one replica of each without haproxy, with a warning', () => {
    const p = plan({ searchPath: onlyRedis });
    expect(p).toMatchObject({ agentReplicas: 1, haproxyBinary: null, inMemoryState: false });
    expect(p.warnings.join(' ')).toMatch(/apt-get install haproxy/);
  });

  it('takes the GPUs per model replica and the cold start from the profile', () => {
    const p = plan({ searchPath: both, profile: 'llama-3.1-70b@h100-tp4' });
    expect(p.gpusPerModelReplica).toBe(4);
    expect(p.loadTimeSec).toBeGreaterThan(0);
    expect(plan({ searchPath: both, profile: 'llama-3.1-70b@h100-tp4', loadTimeSec: 0 }).loadTimeSec).toBe(0);
  });

  it('rejects an unknown profile before anything starts', () => {
    expect(() => plan({ searchPath: both, profile: 'no-such-model@h100' })).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^AL_/) }),
    );
  });
});

describe('parseLocalStackOptions', () => {
  it('lists every invalid option with its path', () => {
    expect(() =>
      parseLocalStackOptions({ agentReplicas: 0, modelReplicas: 100, unknown: 1 } as never),
    ).toThrow(
      expect.objectContaining({
        code: 'AL_INVALID_CONFIG',
        issues: expect.arrayContaining([
          expect.objectContaining({ path: 'agentReplicas' }),
          expect.objectContaining({ path: 'modelReplicas' }),
        ]),
      }),
    );
  });
});
