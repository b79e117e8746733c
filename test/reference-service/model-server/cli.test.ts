import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { postJson } from './helpers.ts';

/** `agentload model-server` as a process: the listening line, the API, and a crash that kills it. */

let child: ChildProcess | null = null;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
});

function spawnCli(args: string[]): { proc: ChildProcess; lines: AsyncIterator<string> } {
  const proc = spawn(process.execPath, ['bin/agentload.js', 'model-server', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  return { proc, lines };
}

async function untilEvent(lines: AsyncIterator<string>, event: string): Promise<Record<string, unknown>> {
  for (;;) {
    const next = await lines.next();
    if (next.done) throw new Error(`stdout ended before a "${event}" event`);
    const parsed = JSON.parse(next.value) as Record<string, unknown>;
    if (parsed.event === event) return parsed;
  }
}

function exited(proc: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('agentload model-server', () => {
  it('prints one JSON listening line, serves the real profile, and dies on an admin crash', async () => {
    const { proc, lines } = spawnCli([
      '--port',
      '0',
      '--load-time-sec',
      '0',
      '--admin-token',
      'cli-admin-token',
    ]);
    const listening = await untilEvent(lines, 'listening');
    const url = String(listening.url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await postJson(`${url}/generate`, { inputs: 'Hello', parameters: { max_new_tokens: 3 } });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('x-inference-time'))).toBeGreaterThan(0);
    const exit = exited(proc);
    const crash = await fetch(`${url}/admin/faults/crash`, {
      method: 'POST',
      headers: { authorization: 'Bearer cli-admin-token' },
    });
    expect(crash.status).toBe(202);
    expect(await exit).toEqual({ code: null, signal: 'SIGKILL' });
  }, 20_000);

  it('exits 0 on SIGTERM and 104 on a bad flag', async () => {
    const { proc, lines } = spawnCli(['--port', '0', '--load-time-sec', '0']);
    await untilEvent(lines, 'listening');
    const exit = exited(proc);
    proc.kill('SIGTERM');
    expect(await exit).toEqual({ code: 0, signal: null });
    const bad = spawnCli(['--max-concurrent-requests', '0']);
    expect((await exited(bad.proc)).code).toBe(104);
  }, 20_000);
});
