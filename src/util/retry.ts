/**
 * The one retry policy for calls that may be repeated safely (Graph `$batch` sends whose connection
 * dropped, a migration's rounds, a notice Teams refused or throttled): exponential backoff with full
 * jitter from `baseMs`, at most `maxMs` a wait, a `Retry-After` given by the far side honoured when it is
 * longer, and a bounded number of attempts. What may be retried is the caller's to say.
 */
export type RetryPolicy = { attempts: number; baseMs: number; maxMs: number };

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 200, maxMs: 10_000 };

/** The wait before attempt `attempt + 1` (attempt counts from 0). */
export function backoffMs(attempt: number, policy: RetryPolicy = DEFAULT_RETRY, retryAfterMs = 0): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return Math.max(retryAfterMs, Math.round(ceiling / 2 + (Math.random() * ceiling) / 2));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export type RetryDecision = false | { retryAfterMs?: number };

/** Runs `fn` until it succeeds, `retryable` says no, or the attempts are spent (the last error is thrown). */
export async function retrying<T>(
  fn: (attempt: number) => Promise<T>,
  retryable: (err: unknown) => RetryDecision,
  options: { policy?: RetryPolicy; onRetry?: (err: unknown, attempt: number, waitMs: number) => void } = {},
): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const decision = attempt + 1 < policy.attempts ? retryable(err) : false;
      if (!decision) throw err;
      const wait = backoffMs(attempt, policy, decision.retryAfterMs ?? 0);
      options.onRetry?.(err, attempt, wait);
      await sleep(wait);
    }
  }
}
