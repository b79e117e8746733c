import { msUntilFull } from './store/token-bucket.ts';
import type { AdmitResult, BucketState } from './store/types.ts';

/**
 * Per-tenant limits: requests per minute and tokens per minute, two token buckets charged
 * together and atomically (store.admit). A turn is charged its prompt estimate plus max_tokens
 * at admission (as Anthropic and Cerebras do), and settled to the model's reported usage at the
 * end: the unused part comes back, an overrun is charged.
 *
 * Headers: OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` (reset = time until
 * the bucket is full again, "6m0s" style), and the IETF draft's `RateLimit-Policy` plus
 * `RateLimit-Limit/Remaining/Reset` (draft-06 field names) for the binding dimension: the one
 * that rejected, or the one with the smaller share left. On 429, RateLimit-Reset equals
 * Retry-After (the draft asks both to name the same instant).
 */
export function rateLimitHeaders(result: AdmitResult): Record<string, string> {
  const { requests, tokens } = result;
  const headers: Record<string, string> = {
    'x-ratelimit-limit-requests': String(requests.capacity),
    'x-ratelimit-remaining-requests': String(remainingUnits(requests)),
    'x-ratelimit-reset-requests': formatResetMs(msUntilFull(requests.remaining, requests.capacity)),
    'x-ratelimit-limit-tokens': String(tokens.capacity),
    'x-ratelimit-remaining-tokens': String(remainingUnits(tokens)),
    'x-ratelimit-reset-tokens': formatResetMs(msUntilFull(tokens.remaining, tokens.capacity)),
    'ratelimit-policy': `${requests.capacity};w=60;comment="requests", ${tokens.capacity};w=60;comment="tokens"`,
  };
  const binding = bindingDimension(result);
  headers['ratelimit-limit'] = String(binding.capacity);
  headers['ratelimit-remaining'] = String(remainingUnits(binding));
  if (result.allowed) {
    headers['ratelimit-reset'] = String(Math.ceil(msUntilFull(binding.remaining, binding.capacity) / 1000));
  } else {
    const retryAfterSec = retryAfterSeconds(result);
    headers['ratelimit-reset'] = String(retryAfterSec);
    headers['retry-after'] = String(retryAfterSec);
  }
  return headers;
}

/** Whole seconds until the rejected turn would be admitted; at least 1. */
export function retryAfterSeconds(result: AdmitResult): number {
  return Math.max(1, Math.ceil(Math.max(result.requests.waitMs, result.tokens.waitMs) / 1000));
}

/** Which dimension ran out (for the rejection metric and message). */
export function rejectedDimension(result: AdmitResult): 'requests' | 'tokens' {
  return result.requests.waitMs >= result.tokens.waitMs ? 'requests' : 'tokens';
}

function bindingDimension(result: AdmitResult): BucketState {
  const { requests, tokens } = result;
  if (!result.allowed) return rejectedDimension(result) === 'requests' ? requests : tokens;
  return requests.remaining / requests.capacity <= tokens.remaining / tokens.capacity ? requests : tokens;
}

function remainingUnits(state: BucketState): number {
  return Math.max(0, Math.floor(state.remaining));
}

/** OpenAI's reset format: "20ms", "1s", "6m0s". */
export function formatResetMs(ms: number): string {
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const totalSec = Math.ceil(ms / 1000);
  const minutes = Math.floor(totalSec / 60);
  return minutes > 0 ? `${minutes}m${totalSec % 60}s` : `${totalSec}s`;
}
