/**
 * Proactive messages: send a card to a kept conversation, or update a card sent before. Work that follows a
 * turn (updating other copies, telling the requester, sending approval cards) runs here after the turn is
 * answered, never inside it; `settled()` lets tests and shutdown wait for it.
 */
import { CardFactory, MessageFactory, type CloudAdapter, type ConversationReference } from 'botbuilder';
import { backoffMs, sleep, type RetryPolicy } from '../util/retry';
import type { AdaptiveCard } from './cards/types';
import type { Reference } from './conversations';

export type Task = () => Promise<void>;

/** What a message is and for whom, for the log when it cannot be sent (ids and kinds, never content). */
export type About = { what: string; to: string };

/** Teams throttling (429), its own faults (5xx) and no answer are tried again; a refusal (404 gone, 403,
 * 413 too large) is not. */
const SEND_RETRY: RetryPolicy = { attempts: 4, baseMs: 500, maxMs: 8000 };

type SendFailure = { status?: number; message: string; retryAfterMs?: number };

function failureOf(err: unknown): SendFailure {
  const e = err as {
    statusCode?: number;
    message?: string;
    response?: { headers?: { get?: (n: string) => string | undefined } };
  };
  const raw = e.response?.headers?.get?.('retry-after');
  const seconds = raw === undefined ? NaN : Number(raw);
  return {
    ...(e.statusCode === undefined ? {} : { status: e.statusCode }),
    message: (e.message ?? String(err)).split('\n')[0]!.slice(0, 200),
    ...(Number.isFinite(seconds) ? { retryAfterMs: seconds * 1000 } : {}),
  };
}

export class Outbox {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly log: (s: string) => void,
  ) {}

  /** Sends a card; the new message's id, or undefined if the channel refused it. Throttling and the
   * channel's own faults are tried again with backoff (Retry-After honoured); a failure is logged with
   * what it was and to whom. */
  async send(ref: Reference, card: AdaptiveCard, about?: About): Promise<string | undefined> {
    const who =
      about?.to ?? `conversation ${String((ref as { conversation?: { id?: string } }).conversation?.id)}`;
    const what = about?.what ?? 'a card';
    for (let attempt = 0; ; attempt++) {
      let id: string | undefined;
      let failure: SendFailure | undefined;
      await this.adapter.continueConversationAsync(
        this.appId,
        ref as unknown as ConversationReference,
        async (ctx) => {
          try {
            const r = await ctx.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
            id = r?.id;
          } catch (err) {
            failure = failureOf(err);
          }
        },
      );
      const f = failure as SendFailure | undefined;
      if (!f) return id;
      const transient = f.status === undefined || f.status === 429 || f.status >= 500;
      if (transient && attempt + 1 < SEND_RETRY.attempts) {
        const wait = backoffMs(attempt, SEND_RETRY, f.retryAfterMs ?? 0);
        this.log(
          `bot: sending ${what} to ${who} failed (${f.status ?? 'no answer'}: ${f.message}); trying again in ${wait} ms`,
        );
        await sleep(wait);
        continue;
      }
      this.log(
        `bot: could not send ${what} to ${who} (${f.status ?? 'no answer'}: ${f.message})${transient ? ` after ${attempt + 1} attempts` : ''}`,
      );
      return undefined;
    }
  }

  async update(ref: Reference, activityId: string, card: AdaptiveCard): Promise<void> {
    await this.adapter.continueConversationAsync(
      this.appId,
      ref as unknown as ConversationReference,
      async (ctx) => {
        await ctx.updateActivity({
          type: 'message',
          id: activityId,
          conversation: ctx.activity.conversation,
          attachments: [CardFactory.adaptiveCard(card)],
        });
      },
    );
  }

  /** Runs tasks after a turn was answered; a failure is logged, not thrown (the turn's answer stands). */
  run(tasks: Task[]): void {
    for (const task of tasks) {
      const p = task().catch((err: Error) => this.log(`bot: after a turn: ${err.message}`));
      this.running.add(p);
      void p.finally(() => this.running.delete(p));
    }
  }

  async settled(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }
}
