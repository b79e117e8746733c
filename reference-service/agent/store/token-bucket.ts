import type { AdmitResult, BucketLimits, BucketState } from './types.ts';

/**
 * Token bucket, the same math as the Lua in redis-scripts.ts: a bucket holds up to `capacity`
 * units (one minute's quota) and refills at capacity / 60 000 per ms. An empty key is a full
 * bucket. Settling may drive it negative (down to -capacity) when a turn used more than it was
 * charged; later admissions then wait for the refill.
 */
export interface StoredBucket {
  units: number;
  atMs: number;
}

export function ratePerMs(perMin: number): number {
  return perMin / 60_000;
}

export function refill(stored: StoredBucket | undefined, capacity: number, nowMs: number): number {
  if (!stored) return capacity;
  const elapsedMs = Math.max(0, nowMs - stored.atMs);
  return Math.min(capacity, stored.units + elapsedMs * ratePerMs(capacity));
}

export function bucketState(units: number, capacity: number, cost: number): BucketState {
  const rate = ratePerMs(capacity);
  const waitMs = units >= cost ? 0 : Math.ceil((cost - units) / rate);
  return { remaining: units, capacity, ratePerMs: rate, waitMs };
}

/**
 * What both stores report after an admission, from the units left once it was charged (or not):
 * a refused request says how long until each bucket holds its cost.
 */
export function admitResult(
  allowed: boolean,
  reqUnits: number,
  tokUnits: number,
  limits: BucketLimits,
  tokens: number,
): AdmitResult {
  return {
    allowed,
    requests: bucketState(reqUnits, limits.requestsPerMin, allowed ? 0 : 1),
    tokens: bucketState(tokUnits, limits.tokensPerMin, allowed ? 0 : tokens),
  };
}

/** How long a bucket with `units` takes to refill completely, ms (a key can expire after that). */
export function msUntilFull(units: number, capacity: number): number {
  return Math.max(0, Math.ceil((capacity - units) / ratePerMs(capacity)));
}
