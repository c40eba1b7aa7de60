import { AsyncLocalStorage } from 'node:async_hooks';
import { backoffMs } from '../../util/retry';

/**
 * The one retry policy for Microsoft Graph, in one place. Every Graph call is a `$batch` (batch.ts), and
 * what is retried is decided here:
 * - a `$batch` whose connection dropped before an answer came, or that was answered 429, 503 or 504 as a
 *   whole;
 * - inner requests answered 429, 503 or 504 (in a chain, with the requests after them);
 * - a unit (units.ts) that met another writer's change it did not expect, or whose unit item was rolled
 *   back, plans and sends again.
 * A wait is Graph's `Retry-After` when it gives one, else exponential backoff with jitter from `baseMs`
 * (at most `maxMs`). A timeout is never retried: the caller is answered within it.
 *
 * One budget per store operation (a get, a query, a unit's commit with all its sends): it may retry until
 * `budgetMs` after it began, and no one request more than `retries` times. A wait that would end past the
 * budget is not made: the operation fails as unavailable at once (the surfaces answer 503 with
 * Retry-After), rather than hold a person's click.
 */
export interface GraphRetryPolicy {
  /** Retries of any one request (or re-plans of one unit). */
  retries: number;
  /** The first wait when Graph names none; it doubles per retry, with jitter, up to `maxMs`. */
  baseMs: number;
  maxMs: number;
  /** How long after it began an operation may still wait to retry. */
  budgetMs: number;
}

export const GRAPH_RETRY: GraphRetryPolicy = { retries: 10, baseMs: 3_000, maxMs: 30_000, budgetMs: 60_000 };

/** The policy with the configured first wait (GraphConfig's `retryDelaySeconds`). */
export const graphRetry = (over: Partial<GraphRetryPolicy> = {}): GraphRetryPolicy => ({
  ...GRAPH_RETRY,
  ...over,
});

/** One operation's budget: its deadline, shared by every retry made under it. */
export class RetryBudget {
  readonly deadline: number;
  constructor(readonly policy: GraphRetryPolicy) {
    this.deadline = Date.now() + policy.budgetMs;
  }

  /** Whether the deadline is still ahead (for retries that need no wait: another writer's clash). */
  open(): boolean {
    return Date.now() < this.deadline;
  }

  /** The wait before retry number `retry` (from 0) of one request, or `undefined` when the budget does not
   * allow it: the request has had its retries, or the wait would end past the deadline. */
  wait(retry: number, retryAfterMs?: number): number | undefined {
    if (retry >= this.policy.retries) return undefined;
    const ms =
      retryAfterMs !== undefined
        ? retryAfterMs
        : backoffMs(retry, {
            attempts: this.policy.retries,
            baseMs: this.policy.baseMs,
            maxMs: this.policy.maxMs,
          });
    return Date.now() + ms > this.deadline ? undefined : ms;
  }
}

const operation = new AsyncLocalStorage<RetryBudget>();

/** Runs one store operation under one budget: the retries of every `$batch` it sends draw on it. */
export function underBudget<T>(policy: GraphRetryPolicy, run: () => Promise<T>): Promise<T> {
  return operation.getStore() ? run() : operation.run(new RetryBudget(policy), run);
}

/** The budget of the operation under way, or a new one for a call made outside any. */
export const budgetFor = (policy: GraphRetryPolicy): RetryBudget =>
  operation.getStore() ?? new RetryBudget(policy);

/** `Retry-After` in milliseconds: seconds or an HTTP date; `undefined` when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const n = Number(value);
  if (Number.isFinite(n)) return Math.max(0, n * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
