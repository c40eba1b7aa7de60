/**
 * Proactive messages: send a card to a kept conversation, or update a card sent before. Work that follows a
 * turn (updating other copies, telling the requester, sending approval cards) runs here after the turn is
 * answered, never inside it; `settled()` lets tests and shutdown wait for it.
 */
import { CardFactory, MessageFactory, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { AdaptiveCard } from './cards/types';
import type { Reference } from './conversations';

export type Task = () => Promise<void>;

export class Outbox {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly log: (s: string) => void,
  ) {}

  /** Sends a card; the new message's id, or undefined if the channel refused it. */
  async send(ref: Reference, card: AdaptiveCard): Promise<string | undefined> {
    let id: string | undefined;
    await this.adapter.continueConversationAsync(
      this.appId,
      ref as unknown as ConversationReference,
      async (ctx) => {
        const r = await ctx.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
        id = r?.id;
      },
    );
    return id;
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
