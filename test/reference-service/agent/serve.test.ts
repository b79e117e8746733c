import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTenantKeys } from '../../../reference-service/agent/demo-config.ts';
import { startModelServer, type ModelServerHandle } from '../../../reference-service/model-server/index.ts';
import { fastProfile } from './helpers/agent-stack.ts';

let model: ModelServerHandle;

beforeAll(async () => {
  model = await startModelServer({ loadTimeSec: 0, profile: fastProfile });
});

afterAll(async () => {
  await model?.close();
});

function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['bin/agentload.js', 'agent', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const rl = createInterface({ input: child.stdout });
  const firstLine = new Promise<string>((resolve) => {
    rl.on('line', (line) => {
      lines.push(line);
      if (lines.length === 1) resolve(line);
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, firstLine, exited, stderr: () => stderr };
}

describe('agentload agent', () => {
  it('prints a listening line, serves the demo tenants, and stops cleanly on SIGTERM', async () => {
    const cli = runCli(['--port', '0', '--replica-id', 'cli-1'], { AGENTLOAD_MODEL_URL: model.url });
    const ready = JSON.parse(await cli.firstLine) as {
      event: string;
      url: string;
      replica: string;
      store: string;
    };
    expect(ready).toMatchObject({ event: 'listening', replica: 'cli-1', store: 'memory' });
    const res = await fetch(`${ready.url}/v1/sessions/cli/turns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demoTenantKeys.globex}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hello', max_tokens: 3 }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-agentload-replica')).toBe('cli-1');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.lines.at(-1)).toContain('"event":"stopped"');
    expect(cli.stderr()).not.toContain(demoTenantKeys.globex);
  });

  it('exits with the invalid-config code and names the missing setting', async () => {
    const cli = runCli(['--port', '0'], { AGENTLOAD_MODEL_URL: '' });
    expect(await cli.exited).toBe(104);
    expect(cli.stderr()).toMatch(/AL_INVALID_CONFIG[\s\S]*model\.baseUrl/);
  });
});
