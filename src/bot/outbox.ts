/**
 * Proactive messages: send a card to a kept conversation, update a card sent before, or open a personal chat
 * with someone met elsewhere. Every call waits for a slot under Teams' rate limits (throttle.ts). Throttling
 * (429), the channel's own faults (5xx) and no answer are tried again with backoff, Retry-After honoured; a
 * 403 or 404 (the person blocked the bot, the bot is no longer in the conversation, the conversation is gone)
 * is thrown as `ConversationGone` for the caller to follow; any other refusal (413 too large) is logged with
 * what it was and to whom, and not tried again. The retrying is the Outbox's alone (the connector client makes one
 * request an attempt, auth.ts), each retry one log line with its wait and attempt number (so two alike are not
 * folded into one by the log's repeat rule). Work that follows a turn runs here after the turn is
 * answered, never inside it; `settled()` lets tests and shutdown wait for it.
 */
import {
  CardFactory,
  MessageFactory,
  type CloudAdapter,
  type ConversationParameters,
  type ConversationReference,
  type TurnContext,
} from 'botbuilder';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import { backoffMs, type RetryPolicy } from '../util/retry';
import type { AdaptiveCard } from './cards/types';
import type { Reference } from './conversations';
import type { Installed } from './install';
import { PER_CONVERSATION, PER_TENANT, scaled, Throttle, type Window } from './throttle';

export type Task = () => Promise<void>;

/** What a message is and for whom, for the log when it cannot be sent (ids and kinds, never content);
 * `later`: the caller keeps it to send later when Teams keeps failing (5xx, no answer): `NotSentYet`. */
export type About = { what: string; to: string; later?: boolean };

/** Teams kept failing (5xx, throttling or no answer) through every attempt: the caller keeps the message. */
export class NotSentYet extends Error {
  constructor(readonly status: number | undefined) {
    super(`Teams did not take it (${status ?? 'no answer'})`);
  }
}

/** The connector refused a conversation for good: blocked by the person, bot removed, conversation gone. */
export class ConversationGone extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly conversationId: string,
  ) {
    super(`the conversation is no longer open to Overt (${status}${code ? ` ${code}` : ''})`);
  }
}

/**
 * What a message is part of, for its identity: set by a notices' pass (notices.ts: the notice's audit event and
 * step), so a message sent again — by a later pass, or another instance after a restart — carries the same
 * client activity id as every earlier attempt (`channelData.clientActivityID`; botbuilder drops `activity.id`).
 * Without a scope, one send's attempts share one id. A connector that took a message but answered 5xx is thus
 * asked for the same message again, not a new one (test/bot/connector.ts treats it so; Teams does not document
 * whether it does).
 */
export const messageScope = new AsyncLocalStorage<string>();

function clientIdOf(ref: Reference, about?: About): string {
  const scope = messageScope.getStore();
  if (!scope) return `overt-${randomUUID()}`;
  const h = createHash('sha256').update(`${scope}\n${ref.conversation.id}\n${about?.what ?? ''}`);
  return `overt-${h.digest('hex').slice(0, 32)}`;
}

/** Teams throttling (429), its own faults (5xx) and no answer are tried again; a refusal is not. */
export const SEND_RETRY: RetryPolicy = { attempts: 4, baseMs: 500, maxMs: 8000 };

type SendFailure = { status?: number; code: string; message: string; retryAfterMs?: number };

function failureOf(err: unknown): SendFailure {
  const e = err as {
    statusCode?: number;
    code?: string;
    message?: string;
    response?: { headers?: { get?: (n: string) => string | undefined }; bodyAsText?: string | null };
  };
  const raw = e.response?.headers?.get?.('retry-after');
  const seconds = raw === undefined ? NaN : Number(raw);
  let code = '';
  try {
    code = (JSON.parse(e.response?.bodyAsText ?? '{}') as { error?: { code?: string } }).error?.code ?? '';
  } catch {
    code = '';
  }
  return {
    ...(e.statusCode === undefined ? {} : { status: e.statusCode }),
    code: code || (typeof e.code === 'string' ? e.code : ''),
    message: (e.message ?? String(err)).split('\n')[0]!.slice(0, 200),
    ...(Number.isFinite(seconds) ? { retryAfterMs: seconds * 1000 } : {}),
  };
}

export class Outbox {
  private readonly running = new Set<Promise<void>>();

  /** Set by `stop()`: a failed send is not tried again, and a wait before trying again ends at once. */
  private stopping = false;

  private readonly wake = new Set<() => void>();

  /** Installs the app for a member of staff who has no chat with Overt (install.ts); unset: nobody is. */
  install?: (staffId: string) => Promise<Installed>;

  /** Runs a pass of the notices now (notices.ts `followNotices`); unset: nothing follows a unit. */
  notices?: () => Promise<number>;

  private readonly throttle = new Throttle();

  private readonly perConversation: Window[];

  private readonly perTenant: Window[];

  private readonly retry: RetryPolicy;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly log: (s: string) => void,
    /** Messages per second; and the retry within one send (default SEND_RETRY: 4 attempts from 0.5 s). */
    rates: { perConversation?: number; perTenant?: number; retry?: RetryPolicy } = {},
  ) {
    this.retry = rates.retry ?? SEND_RETRY;
    this.perConversation = scaled(PER_CONVERSATION, rates.perConversation ?? 5);
    this.perTenant = scaled(PER_TENANT, rates.perTenant ?? 40);
  }

  /** One call to the connector for a conversation, under the rules above; false if refused (logged). */
  private async call(
    ref: Reference,
    work: (ctx: TurnContext) => Promise<void>,
    about?: About,
  ): Promise<boolean> {
    const who = about?.to ?? `conversation ${ref.conversation.id}`;
    const what = about?.what ?? 'a card';
    for (let attempt = 0; ; attempt++) {
      await this.throttle.take([
        [`c:${ref.conversation.id}`, this.perConversation],
        [`t:${ref.conversation.tenantId ?? ''}`, this.perTenant],
      ]);
      // The adapter's turn error handler would swallow a failure inside the callback: keep it and act here.
      let failure: SendFailure | undefined;
      await this.adapter.continueConversationAsync(
        this.appId,
        ref as unknown as ConversationReference,
        async (ctx) => {
          try {
            await work(ctx);
          } catch (err) {
            failure = failureOf(err);
          }
        },
      );
      const f = failure as SendFailure | undefined;
      if (!f) return true;
      if (f.status === 403 || f.status === 404) {
        this.log(
          `bot: could not send ${what} to ${who} (${f.status}: ${f.code || f.message}): the conversation is gone`,
        );
        throw new ConversationGone(f.status, f.code, ref.conversation.id);
      }
      const transient = f.status === undefined || f.status === 429 || f.status >= 500;
      // Shutting down, nothing waits on a channel that is failing: the send ends as its last attempt would.
      if (transient && !this.stopping && attempt + 1 < this.retry.attempts) {
        const wait = backoffMs(attempt, this.retry, f.retryAfterMs ?? 0);
        this.log(
          `bot: sending ${what} to ${who} failed (${f.status ?? 'no answer'}: ${f.message}); trying again in ${wait} ms (attempt ${attempt + 2} of ${this.retry.attempts})`,
        );
        await this.pause(wait);
        continue;
      }
      if (transient && about?.later) {
        this.log(
          `bot: could not send ${what} to ${who} (${f.status ?? 'no answer'}: ${f.message}) after ${attempt + 1} attempts; kept to be sent later`,
        );
        throw new NotSentYet(f.status);
      }
      this.log(
        `bot: could not send ${what} to ${who} (${f.status ?? 'no answer'}: ${f.message})${transient ? ` after ${attempt + 1} attempts` : ''}`,
      );
      return false;
    }
  }

  /** Sends a card; the new message's id, or undefined if the channel refused it (logged). Throws
   * `ConversationGone` on 403/404. */
  async send(ref: Reference, card: AdaptiveCard, about?: About): Promise<string | undefined> {
    let id: string | undefined;
    // One identity for every attempt at this message (see messageScope).
    const clientActivityID = clientIdOf(ref, about);
    const ok = await this.call(
      ref,
      async (ctx) => {
        const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
        activity.channelData = { ...(activity.channelData as object), clientActivityID };
        const r = await ctx.sendActivity(activity);
        id = r?.id;
      },
      about,
    );
    return ok ? id : undefined;
  }

  async update(ref: Reference, activityId: string, card: AdaptiveCard, about?: About): Promise<void> {
    await this.call(
      ref,
      async (ctx) => {
        await ctx.updateActivity({
          type: 'message',
          id: activityId,
          conversation: ctx.activity.conversation,
          attachments: [CardFactory.adaptiveCard(card)],
        });
      },
      about ?? { what: `an update of message ${activityId}`, to: `conversation ${ref.conversation.id}` },
    );
  }

  /**
   * Opens a personal chat with the person of a reference kept from a group chat or channel (Teams allows it
   * when the app is installed where the two met); the new chat's reference, or undefined if Teams refused.
   */
  async openPersonal(ref: Reference): Promise<Reference | undefined> {
    const user = ref.user;
    if (!user) return undefined;
    await this.throttle.take([[`t:${ref.conversation.tenantId ?? ''}`, this.perTenant]]);
    const tenantId = ref.conversation.tenantId;
    const params = {
      isGroup: false,
      bot: ref.bot,
      members: [{ id: user.id, ...(user.name ? { name: user.name } : {}) }],
      ...(tenantId ? { tenantId, channelData: { tenant: { id: tenantId } } } : {}),
    } as unknown as ConversationParameters;
    let conversationId: string | undefined;
    try {
      await this.adapter.createConversationAsync(
        this.appId,
        ref.channelId,
        ref.serviceUrl,
        this.appId ? 'https://api.botframework.com' : '',
        params,
        async (ctx) => {
          conversationId = ctx.activity.conversation?.id;
        },
      );
    } catch (err) {
      const f = failureOf(err);
      this.log(
        `bot: could not open a personal chat with ${user.id} (${f.status ?? 'no answer'}: ${f.code || f.message})`,
      );
      return undefined;
    }
    if (!conversationId) return undefined;
    return {
      ...ref,
      conversation: { id: conversationId, conversationType: 'personal', ...(tenantId ? { tenantId } : {}) },
    };
  }

  /** After a unit on a request: its follow-ups, kept in the store with it (notice-feed.ts `FOLLOW_UPS`), are
   * done now by this instance if it holds the notices' lease, else by the instance that does. */
  async followUps(): Promise<void> {
    await this.notices?.();
  }

  /** Runs tasks after a turn was answered; a failure is logged, not thrown (the turn's answer stands). */
  run(tasks: Task[]): void {
    for (const task of tasks) {
      const p = task().catch((err: Error) => this.log(`bot: after a turn: ${err.message}`));
      this.running.add(p);
      void p.finally(() => this.running.delete(p));
    }
  }

  /** Waits `ms`, or less if the outbox stops meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.add(done);
    });
  }

  /** At shutdown: sends under way are not tried again after a failure, and waits to try again end now. */
  stop(): void {
    this.stopping = true;
    for (const done of [...this.wake]) done();
  }

  async settled(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }
}
