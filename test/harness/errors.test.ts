import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../harness/cli/exit-codes.ts';

const roots = ['harness', 'reference-service', 'planner', 'reports', 'scenarios', 'deploy'];

function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(sourceFiles(path));
    else if (path.endsWith('.ts')) out.push(path);
  }
  return out;
}

describe('docs/errors.md', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');

  it('documents every error code the code declares', () => {
    const codes = new Set<string>();
    for (const root of roots) {
      for (const file of sourceFiles(root)) {
        for (const m of readFileSync(file, 'utf8').matchAll(/code = '(AL_[A-Z0-9_]+)'/g)) codes.add(m[1]!);
      }
    }
    expect(codes.size).toBeGreaterThan(0);
    const missing = [...codes].filter((c) => !doc.includes(`| ${c} |`));
    expect(missing).toEqual([]);
  });

  it('documents no error code the code does not raise', () => {
    const sources = roots.flatMap(sourceFiles).map((file) => readFileSync(file, 'utf8'));
    const documented = [...doc.matchAll(/^\| (AL_[A-Z0-9_]+) \|/gm)].map((m) => m[1]!);
    expect(documented.length).toBeGreaterThan(0);
    const stale = documented.filter((c) => !sources.some((text) => new RegExp(`\\b${c}\\b`).test(text)));
    expect(stale).toEqual([]);
  });

  it('documents every exit code', () => {
    for (const [name, value] of Object.entries(ExitCode)) {
      expect(doc).toContain(`| ${value} | ${name} |`);
    }
  });
});
