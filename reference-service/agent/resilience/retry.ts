/**
 * Retry delays: "full jitter" exponential backoff (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): delay = U(0, min(maxDelayMs, baseDelayMs * 2^attempt)). A server's Retry-After is a
 * floor: we never come back earlier than asked, and give up when it asks for longer than
 * maxRetryAfterMs (the caller then falls back instead of holding the request). The jitter is added
 * on top of Retry-After, not maxed with it: every client that got the same Retry-After would
 * otherwise come back in the same millisecond and overload the server again.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
}

/** Delay before attempt number `attempt + 1` (attempt 0 just failed), or null: do not retry. */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | null,
  random: () => number,
): number | null {
  if (attempt + 1 >= policy.maxAttempts) return null;
  if (retryAfterMs !== null && retryAfterMs > policy.maxRetryAfterMs) return null;
  const jitterMs = random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return (retryAfterMs ?? 0) + jitterMs;
}

/** Parses Retry-After (delta seconds or an HTTP date) into ms; null when absent or unreadable. */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const dateMs = Date.parse(trimmed);
  return Number.isNaN(dateMs) ? null : Math.max(0, dateMs - nowMs);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
