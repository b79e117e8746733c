import { createHash, timingSafeEqual } from 'node:crypto';
import type { TenantConfig } from './config.ts';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export type Authenticate = (authorizationHeader: string | undefined) => TenantConfig | null;

/**
 * Bearer-key authentication. The presented key is hashed, then compared with every stored hash
 * via timingSafeEqual over fixed-length digests, always scanning all of them, so the time taken
 * says nothing about which stored hash (or how much of one) matched.
 */
export function createAuthenticator(tenants: readonly TenantConfig[]): Authenticate {
  const entries = tenants.flatMap((tenant) =>
    tenant.keyHashes.map((h) => ({ tenant, digest: Buffer.from(h, 'hex') })),
  );
  return (header) => {
    const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header ?? '');
    if (!match) return null;
    const presented = createHash('sha256').update(match[1]!, 'utf8').digest();
    let found: TenantConfig | null = null;
    for (const entry of entries) {
      if (timingSafeEqual(presented, entry.digest) && found === null) found = entry.tenant;
    }
    return found;
  };
}
