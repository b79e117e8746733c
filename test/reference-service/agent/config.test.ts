import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../reference-service/agent/auth.ts';
import { parseAgentConfig, readAgentConfigFile } from '../../../reference-service/agent/config.ts';
import {
  demoAgentConfig,
  demoTenantKeyHashes,
  demoTenantKeys,
} from '../../../reference-service/agent/demo-config.ts';

describe('parseAgentConfig', () => {
  it('fills defaults and freezes the result', () => {
    const config = parseAgentConfig(demoAgentConfig({ modelUrl: 'http://127.0.0.1:1' }));
    expect(config.caps.maxToolIterations).toBe(4);
    expect(Object.isFrozen(config.caps)).toBe(true);
    expect(Object.isFrozen(config.tenants[0]!.keyHashes)).toBe(true);
  });

  it('lists every problem with its path at once', () => {
    const raw = demoAgentConfig({ modelUrl: 'not a url' }) as { tenants: { keyHashes: string[] }[] };
    raw.tenants[0]!.keyHashes = ['plaintext-key'];
    try {
      parseAgentConfig({ ...raw, extra: 1 }, 'cfg.json');
      expect.unreachable();
    } catch (error) {
      const issues = (error as { issues: { path: string }[] }).issues.map((i) => i.path);
      expect(issues).toEqual(expect.arrayContaining(['model.baseUrl', 'tenants[0].keyHashes[0]', '']));
      expect((error as { code: string }).code).toBe('AL_INVALID_CONFIG');
    }
  });

  it('refuses a token limit that could never admit the largest allowed turn', () => {
    const raw = demoAgentConfig({ modelUrl: 'http://127.0.0.1:1' }) as {
      tenants: { limits: { tokensPerMin: number } }[];
    };
    raw.tenants[1]!.limits.tokensPerMin = 100;
    expect(() => parseAgentConfig(raw)).toThrow(/tenants\[1\]\.limits\.tokensPerMin/);
  });

  it('reads YAML and JSON files and says which file is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-config-'));
    writeFileSync(
      join(dir, 'a.yaml'),
      `model:\n  baseUrl: http://127.0.0.1:9\ntenants:\n  - name: t\n    keyHashes: [${hashApiKey('k')}]\n    limits: {requestsPerMin: 1, tokensPerMin: 100000}\n`,
    );
    expect(parseAgentConfig(readAgentConfigFile(join(dir, 'a.yaml'))).tenants[0]!.name).toBe('t');
    writeFileSync(join(dir, 'b.json'), '{oops');
    expect(() => readAgentConfigFile(join(dir, 'b.json'))).toThrow(/b\.json[\s\S]*not valid JSON/);
  });
});

describe('demo tenants', () => {
  it('publish keys whose hashes are the ones in the demo config', () => {
    expect(hashApiKey(demoTenantKeys.acme)).toBe(demoTenantKeyHashes.acme);
    expect(hashApiKey(demoTenantKeys.globex)).toBe(demoTenantKeyHashes.globex);
  });
});
