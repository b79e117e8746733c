import { describe, expect, it } from 'vitest';
import { createAuthenticator, hashApiKey } from '../../../reference-service/agent/auth.ts';
import type { TenantConfig } from '../../../reference-service/agent/config.ts';

const tenants = [
  {
    name: 'a',
    keyHashes: [hashApiKey('key-a1'), hashApiKey('key-a2')],
    limits: { requestsPerMin: 1, tokensPerMin: 1 },
  },
  { name: 'b', keyHashes: [hashApiKey('key-b')], limits: { requestsPerMin: 1, tokensPerMin: 1 } },
] satisfies TenantConfig[];

describe('createAuthenticator', () => {
  const authenticate = createAuthenticator(tenants);

  it('maps each key, rotated ones included, to its tenant', () => {
    expect(authenticate('Bearer key-a1')?.name).toBe('a');
    expect(authenticate('Bearer key-a2')?.name).toBe('a');
    expect(authenticate('Bearer key-b')?.name).toBe('b');
  });

  it('rejects missing, malformed and unknown keys', () => {
    for (const header of [
      undefined,
      '',
      'key-a1',
      'Basic key-a1',
      'Bearer ',
      'Bearer key-a1 x',
      'Bearer KEY-A1',
      `Bearer ${hashApiKey('key-a1')}`,
    ]) {
      expect(authenticate(header)).toBeNull();
    }
  });
});
