import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { StoreUnavailableError } from '../store';
import { breakerOf } from './graph-client';
import { budgetFor, graphRetry, retryAfterMs, sleep, type GraphRetryPolicy, type RetryBudget } from './retry';

/**
 * JSON batching (GRAPH-LISTS.md §5): at most 20 requests per `$batch`. Every retry of a Graph call is made
 * here, by the one policy in retry.ts: a `$batch` that dropped or was throttled as a whole, and inner
 * 429/503/504 answers re-sent after the largest Retry-After (the SDK's own RetryHandler is not used).
 * A chain runs its requests in order (each `dependsOn` the one before), so a failure stops it: the
 * requests after it answer 424 and were not run.
 */

export const BATCH_LIMIT = 20;
const RETRYABLE = new Set([429, 503, 504]);

export type GraphCall = {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the version root: `/sites/{id}/lists/{id}/items`. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** In `parallel`: the index of another call in the same list that must run first (`dependsOn`). */
  after?: number;
};

export type GraphReply = { status: number; headers: Record<string, string>; body: unknown };

const BatchResponse = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
    }),
  ),
});

/** Thrown when Graph cannot be reached or keeps throttling past every retry: an outage, not a value. */
export class GraphUnavailableError extends StoreUnavailableError {
  override name = 'GraphUnavailableError';
}

/** A connection that dropped or was refused before an answer came: worth sending again (a `$batch` that
 * did run is recognised by its effects: unique ids and eTags). A timeout is not retried: the caller is
 * answered within it. */
function droppedConnection(e: unknown): boolean {
  const { status, name, text } = described(e);
  if (timedOut(e)) return false;
  if (status !== undefined && status > 0) return false;
  // Status -1 is the SDK's "no answer came" (its GraphError for a failed fetch), whatever the cause's
  // name: seen as a bare `Error` with no text when the server dropped the connection mid-answer.
  return (
    status === -1 ||
    name === 'TypeError' ||
    /fetch failed|ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|other side closed|UND_ERR_SOCKET/i.test(text)
  );
}

/** The SDK wraps a failed fetch as a GraphError with status -1, the cause's name as `code` and its text
 * as `body`. */
function described(e: unknown): { status?: number; name: string; text: string } {
  const err = e as { statusCode?: number; message?: string; name?: string; code?: string; body?: unknown };
  return {
    ...(err.statusCode === undefined ? {} : { status: err.statusCode }),
    name: err.code ?? err.name ?? '',
    text: `${err.message ?? ''} ${typeof err.body === 'string' ? err.body : ''}`.trim(),
  };
}

function timedOut(e: unknown): boolean {
  const { name } = described(e);
  return name === 'TimeoutError' || name === 'AbortError' || name === 'BreakerOpenError';
}

/** The largest Retry-After among replies, in milliseconds; `undefined` if none gives one. */
function largestRetryAfter(replies: GraphReply[]): number | undefined {
  const waits = replies
    .map((r) => retryAfterMs(Object.entries(r.headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1]))
    .filter((ms): ms is number => ms !== undefined);
  return waits.length ? Math.max(...waits) : undefined;
}

/** A `$batch` answered 429/503/504 as a whole: its Retry-After (the SDK's GraphError keeps the headers). */
function throttledWhole(e: unknown): { retryAfterMs?: number } | undefined {
  const err = e as { statusCode?: number; headers?: { get?: (name: string) => string | null } };
  if (err.statusCode === undefined || !RETRYABLE.has(err.statusCode)) return undefined;
  const after = retryAfterMs(err.headers?.get?.('retry-after'));
  return after === undefined ? {} : { retryAfterMs: after };
}

function notRun(): GraphReply {
  return { status: 424, headers: {}, body: { error: { code: 'FailedDependency', message: 'not run' } } };
}

export class Batcher {
  readonly retry: GraphRetryPolicy;
  constructor(
    private readonly client: Client,
    retry: Partial<GraphRetryPolicy> = {},
  ) {
    this.retry = graphRetry(retry);
  }

  /** One `$batch` HTTP request of at most 20 calls; the replies in the calls' order. */
  private async once(
    calls: GraphCall[],
    chain: boolean,
    budget: RetryBudget,
    indices?: number[],
  ): Promise<GraphReply[]> {
    // `after` names an index of the whole list; in this round it is a position, if that call runs again.
    const position = new Map((indices ?? []).map((original, at) => [original, at]));
    const requests = calls.map((c, i) => ({
      id: String(i + 1),
      method: c.method,
      url: c.url,
      headers: {
        ...(c.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...c.headers,
      },
      ...(c.body === undefined ? {} : { body: c.body }),
      ...(chain && i > 0 ? { dependsOn: [String(i)] } : {}),
      ...(!chain && c.after !== undefined && position.has(c.after)
        ? { dependsOn: [String(position.get(c.after)! + 1)] }
        : {}),
    }));
    let raw: unknown;
    for (let retry = 0; ; retry++) {
      try {
        raw = await this.client.api('/$batch').post({ requests });
        break;
      } catch (e) {
        const { status, text } = described(e);
        // No answer: when to ask again is the breaker's (graph-client.ts) — it now fails requests at once.
        const after = breakerOf(this.client)?.retryAfterSeconds();
        if (described(e).name === 'BreakerOpenError')
          throw new GraphUnavailableError((e as Error).message, after);
        if (timedOut(e)) throw new GraphUnavailableError(`Graph did not answer in time: ${text}`, after);
        // A failed sign-in (config.ts) is not a dropped connection: sending again would only wait as long again.
        if (described(e).name === 'GraphSignInError')
          throw new GraphUnavailableError((e as Error).message || text);
        const again = droppedConnection(e) ? {} : throttledWhole(e);
        const wait = again ? budget.wait(retry, again.retryAfterMs) : undefined;
        if (wait === undefined)
          throw new GraphUnavailableError(
            `Graph $batch failed (${status ?? 'no status'}${again ? `, after ${retry} retries` : ''}): ${text || String(e)}`,
          );
        await sleep(wait);
      }
    }
    const parsed = BatchResponse.parse(raw);
    const byId = new Map(parsed.responses.map((r) => [r.id, r]));
    return requests.map((r) => {
      const reply = byId.get(r.id);
      if (!reply) throw new GraphUnavailableError(`Graph $batch gave no response for request ${r.id}`);
      return { status: reply.status, headers: reply.headers ?? {}, body: reply.body };
    });
  }

  /** Up to 20 calls, re-sending the throttled ones (and, in a chain, everything after them). */
  private async group(calls: GraphCall[], chain: boolean): Promise<GraphReply[]> {
    const budget = budgetFor(this.retry);
    const replies: (GraphReply | undefined)[] = calls.map(() => undefined);
    let todo = calls.map((_, i) => i);
    for (let round = 0; todo.length > 0; round++) {
      const got = await this.once(
        todo.map((i) => calls[i]!),
        chain,
        budget,
        todo,
      );
      const again: number[] = [];
      const throttled: GraphReply[] = [];
      for (const [j, i] of todo.entries()) {
        const reply = got[j]!;
        replies[i] = reply;
        if (RETRYABLE.has(reply.status)) {
          throttled.push(reply);
          again.push(i);
        } else if (!chain && reply.status === 424 && calls[i]!.after !== undefined) {
          // Not run because the call it waits for was throttled: it goes again with that call.
          again.push(i);
        }
      }
      if (chain && again.length > 0) {
        // In a chain only the first failure ran; if it was throttled, the rest (424) go again with it.
        const first = todo.findIndex((i) => (replies[i]?.status ?? 0) >= 300);
        const firstIndex = todo[first]!;
        todo = RETRYABLE.has(replies[firstIndex]!.status) ? todo.slice(first) : [];
      } else {
        todo = again;
      }
      if (todo.length === 0) break;
      const wait = budget.wait(round, largestRetryAfter(throttled));
      if (wait === undefined)
        throw new GraphUnavailableError(`Graph kept throttling after ${round} retries of $batch`);
      await sleep(wait);
    }
    return replies.map((r) => r!);
  }

  /** Any number of calls, 20 to a `$batch`, the batches sent together; a call with `after` runs after
   * that one (both must then fall in the same 20). */
  async parallel(calls: GraphCall[]): Promise<GraphReply[]> {
    const groups: GraphCall[][] = [];
    for (let i = 0; i < calls.length; i += BATCH_LIMIT) groups.push(calls.slice(i, i + BATCH_LIMIT));
    return (await Promise.all(groups.map((g) => this.group(g, false)))).flat();
  }

  /** Calls run strictly in order, 20 to a `$batch`; the first failure stops the chain (424 after it). */
  async chain(calls: GraphCall[]): Promise<GraphReply[]> {
    const out: GraphReply[] = [];
    for (let i = 0; i < calls.length; i += BATCH_LIMIT) {
      const replies = await this.group(calls.slice(i, i + BATCH_LIMIT), true);
      out.push(...replies);
      if (replies.some((r) => r.status >= 300)) {
        while (out.length < calls.length) out.push(notRun());
        break;
      }
    }
    return out;
  }
}

/** A 2xx reply. */
export const ok = (r: GraphReply): boolean => r.status >= 200 && r.status < 300;

/** The error code and message of a Graph error reply. */
export function errorOf(r: GraphReply): { code: string; message: string } {
  const e = z
    .object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }) })
    .safeParse(r.body);
  return e.success
    ? { code: e.data.error.code ?? '', message: e.data.error.message ?? '' }
    : { code: '', message: '' };
}

/** SharePoint's answer to a duplicate in a unique column (400 invalidRequest; GRAPH-LISTS.md, README). */
export function isUniqueViolation(r: GraphReply): boolean {
  return r.status === 400 && /unique constraints/i.test(errorOf(r).message);
}
