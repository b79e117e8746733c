import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { demuxLogs } from '../../../harness/stack/container-docker.ts';
import { appContentHash, productionPackages } from '../../../harness/stack/container-images.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('the app image inputs', () => {
  it('ship what the services load (and tsx), neither the development tree nor the harness-only packages', () => {
    const packages = productionPackages(repoRoot);
    for (const name of ['fastify', 'ioredis', 'openai', 'tsx', 'zod']) {
      expect(packages).toContain(`node_modules/${name}`);
    }
    for (const name of ['vitest', 'typescript', 'eslint', 'testcontainers', 'vega', 'dockerode']) {
      expect(packages).not.toContain(`node_modules/${name}`);
    }
    // Nested packages travel with their parent directory.
    expect(packages.some((p) => p.split('node_modules/').length > 2)).toBe(false);
    expect(productionPackages(repoRoot, ['fastify'])).not.toContain('node_modules/fastify');
  });

  it('hash to a tag that changes with the app files and with the base image', () => {
    const root = mkdtempSync(join(tmpdir(), 'agentload-hash-'));
    try {
      writeFileSync(join(root, 'package.json'), readFileSync(join(repoRoot, 'package.json')));
      const first = appContentHash(root, 'sha256:aaa');
      expect(appContentHash(root, 'sha256:aaa')).toBe(first);
      expect(appContentHash(root, 'sha256:bbb')).not.toBe(first);
      writeFileSync(join(root, 'package.json'), '{"name":"changed"}');
      expect(appContentHash(root, 'sha256:aaa')).not.toBe(first);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("Docker's multiplexed log stream", () => {
  it('is split into the text of its stdout and stderr frames', () => {
    const frame = (kind: number, text: string) => {
      const body = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = kind;
      header.writeUInt32BE(body.length, 4);
      return Buffer.concat([header, body]);
    };
    expect(demuxLogs(Buffer.concat([frame(1, 'listening\n'), frame(2, 'warn\n')]))).toBe('listening\nwarn\n');
    expect(demuxLogs(Buffer.from('plain tty output'))).toBe('plain tty output');
  });
});
