import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { findBinary } from '../../../harness/stack/binaries.ts';
import { reapStaleStacks } from '../../../harness/stack/stack-registry.ts';
import { describeWith, eventually, survivors } from './support.ts';

interface ParentReport {
  pids: number[];
  components?: { id: string; kind: string; pid: number }[];
  dir?: string;
  guarded?: number;
  sleeper?: number;
}

/** Starts fixtures/orphan-parent.ts, reads its report, then SIGKILLs it (no cleanup can run). */
async function killParentAfterStart(args: string[]): Promise<ParentReport> {
  const parent = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/harness/stack/fixtures/orphan-parent.ts', ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: parent.stdout! });
  const report = await new Promise<ParentReport>((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line) as ParentReport));
    parent.once('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
  });
  const exited = new Promise((resolve) => parent.once('exit', resolve));
  parent.kill('SIGKILL');
  await exited;
  return report;
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((i) => !test(i))];
}

const hasSetpriv = process.platform === 'linux' && findBinary('setpriv') !== null;

describe('children of a parent that dies without cleaning up', () => {
  it.skipIf(!hasSetpriv)('die with it when started through setpriv --pdeathsig', async () => {
    const root = mkdtempSync(join(tmpdir(), 'agentload-orphans-'));
    const report = await killParentAfterStart(['processes', root, 'yes']);
    await eventually(
      () => (survivors([report.sleeper!]).length === 0 ? true : undefined),
      5_000,
      'sleep to die',
    );
  });

  it('exit through the parent guard when they are node processes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'agentload-orphans-'));
    const report = await killParentAfterStart(['processes', root, 'no']);
    await eventually(
      () => (survivors([report.guarded!]).length === 0 ? true : undefined),
      8_000,
      'guarded child to exit',
    );
    // Without setpriv and without a guard, a child outlives its parent: what the reaper is for.
    expect(survivors([report.sleeper!])).toHaveLength(1);
    process.kill(report.sleeper!, 'SIGKILL');
  });
});

describeWith(['redis-server', 'haproxy'], 'a local stack whose owner was SIGKILLed', () => {
  it.skipIf(!hasSetpriv)('leaves no process behind', async () => {
    const root = mkdtempSync(join(tmpdir(), 'agentload-orphans-'));
    const report = await killParentAfterStart(['stack', root, 'yes']);
    expect(report.pids.length).toBeGreaterThanOrEqual(5);
    await eventually(
      () => (survivors(report.pids).length === 0 ? true : undefined),
      8_000,
      'every component to die',
    );
  });

  it('is reaped by the next start when nothing else stopped its processes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'agentload-orphans-'));
    const report = await killParentAfterStart(['stack', root, 'no']);
    // Node components exit through their guard; redis-server and haproxy have none without setpriv.
    const [unguarded, guarded] = partition(
      report.components!,
      (c) => c.kind === 'redis' || c.kind === 'haproxy',
    );
    const nodePids = guarded.map((c) => c.pid);
    await eventually(
      () => (survivors(nodePids).length === 0 ? true : undefined),
      8_000,
      'node components to exit',
    );
    expect(survivors(unguarded.map((c) => c.pid)).length).toBeGreaterThanOrEqual(2);
    const killed = reapStaleStacks(root);
    expect(killed.join(' ')).toMatch(/redis/);
    await eventually(
      () => (survivors(report.pids).length === 0 ? true : undefined),
      5_000,
      'reaped processes to die',
    );
    expect(existsSync(report.dir!)).toBe(false);
  });
});
