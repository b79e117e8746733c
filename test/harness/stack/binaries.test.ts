import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBinary } from '../../../harness/stack/binaries.ts';

describe('findBinary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentload-bin-'));
  const program = join(dir, 'fake-program');
  writeFileSync(program, '#!/bin/sh\n');
  chmodSync(program, 0o755);
  writeFileSync(join(dir, 'not-executable'), '');

  it('finds an executable in the search path', () => {
    expect(findBinary('fake-program', `/nonexistent:${dir}`)).toBe(program);
  });

  it('ignores files that are not executable', () => {
    expect(findBinary('not-executable', dir)).toBeNull();
  });

  it('returns null for a program that is nowhere', () => {
    expect(findBinary('agentload-no-such-program', dir)).toBeNull();
    expect(findBinary('agentload-no-such-program')).toBeNull();
  });

  it('looks up through the shell when no search path is given', () => {
    expect(findBinary('sh')).toMatch(/\/sh$/);
  });

  it('accepts an absolute path', () => {
    expect(findBinary(program)).toBe(program);
  });
});
