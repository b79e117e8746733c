import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../../harness/errors.ts';
import { parseModelServerKind, parseStackKind, startStack } from '../../../harness/stack/providers.ts';

describe('stack providers', () => {
  it('accepts the four stack kinds and names them when given another', () => {
    expect(['local', 'containers', 'compose', 'external'].map(parseStackKind)).toEqual([
      'local',
      'containers',
      'compose',
      'external',
    ]);
    expect(() => parseStackKind('k8s')).toThrow(/"k8s" is not one of local, containers, compose, external/);
    expect(parseModelServerKind('tgi')).toBe('tgi');
    expect(() => parseModelServerKind('vllm')).toThrow(InvalidConfigError);
  });

  it('refuses real TGI on the local stack and an external stack without a target', async () => {
    await expect(startStack('local', { modelServer: 'tgi' })).rejects.toThrow(/tgi needs --stack containers/);
    await expect(startStack('external', {})).rejects.toThrow(/--stack external needs --target/);
  });
});
