/**
 * One turn: a message gets a card by lenient matching; an `adaptiveCard/action` invoke goes to the route of
 * its verb; an `application/search` invoke answers the child typeahead; install and first contact keep the
 * conversation reference. The person is always looked up in the store by the id Teams sends.
 */
import { randomUUID } from 'node:crypto';
import { ActivityTypes, CardFactory, TurnContext } from 'botbuilder';
import { firstWelcome, recordSurfaceEvent, type Deps } from '../workflow';
import type { AdaptiveCard } from './cards/types';
import { ExecuteInvoke, SearchInvoke } from './activity';
import {
  claimArrival,
  dropReference,
  forgetConversation,
  keepReference,
  Reference,
  takeHeld,
} from './conversations';
import { auditRefusal, type Seen } from './identity';
import { intentOf } from './intents';
import type { Outbox, Task } from './outbox';
import { childChoices } from '../workflow/queries';
import { staffZone } from '../workflow/zone';
import { staffOf } from './reads';
import { route } from './routes';
import { stillTrue } from './notices';
import type { Turn } from './turn';
import type { TabLink } from './settings';
import { helpCard, isWaitingCard, onReturnCard, withKept } from './views/conversation-cards';
import { awaitingDecision } from '../workflow/role-views';
import { errorCard } from './views/failure-card';
import { AuditTrailBrokenError, TRAIL_BROKEN_SENTENCE } from '../workflow';
import { CHILD_DATASET } from './views/request-form';

const CARD = 'application/vnd.microsoft.card.adaptive';

async function invokeResponse(ctx: TurnContext, status: number, body: unknown): Promise<void> {
  await ctx.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status, body } });
}
const cardBody = (card: AdaptiveCard) => ({ statusCode: 200, type: CARD, value: card });
const errorBody = (status: number, message: string) => ({
  statusCode: status,
  type: 'application/vnd.microsoft.error',
  value: { code: status === 401 ? 'Unauthorized' : 'BadRequest', message },
});

const UNKNOWN_PERSON = errorCard(
  'Overt does not know you',
  'You are not set up as a member of staff in Overt, so nothing can be done here. Ask your administrator to add you.',
);

export async function onTurn(
  ctx: TurnContext,
  deps: Deps,
  outbox: Outbox,
  after: Task[],
  log: (s: string) => void,
  staffMap: Readonly<Record<string, string>> = {},
  tab: TabLink = () => undefined,
) {
  const a = ctx.activity;
  const staff = await staffOf(deps, a.from ?? {}, staffMap);
  const botGone =
    (a.type === ActivityTypes.InstallationUpdate && /^remove/.test(a.action ?? '')) ||
    (a.type === ActivityTypes.ConversationUpdate &&
      (a.membersRemoved ?? []).some((m) => m.id === a.recipient?.id));
  if (botGone) {
    // The app was removed, or the bot taken out of this chat: the conversation is forgotten for everyone who
    // met the bot there (not only whoever sent the event), never kept again from this event.
    if (a.conversation?.id) await forgetConversation(deps, a.conversation.id);
    return;
  }
  // People who left a chat are not written to there again.
  if (a.type === ActivityTypes.ConversationUpdate && a.conversation?.id)
    for (const m of a.membersRemoved ?? []) {
      const left = await staffOf(deps, m, staffMap);
      if (left) await dropReference(deps, left.id, a.conversation.id);
    }
  // Any activity from a person (a message, a card click, the app added again, a conversationUpdate) is them
  // being here: their way in is kept, restoring what a block or a removal dropped (written only when it changed).
  // A card click restores a way in that is missing and otherwise writes only what its verb does.
  if (staff) {
    const ref = Reference.safeParse(TurnContext.getConversationReference(a));
    // A reference not kept only means no proactive message yet: the turn itself goes on.
    if (ref.success)
      await keepReference(deps, staff.id, ref.data, {
        restoreOnly: a.type === ActivityTypes.Invoke,
      }).catch((e: Error) => log(`bot: reference: ${e.message}`));
  }
  const turn = (automatic = false): Turn | undefined =>
    staff && {
      deps,
      staff,
      userId: a.from.id,
      conversationType: a.conversation?.conversationType ?? 'personal',
      activityId: a.id ?? randomUUID(),
      automatic,
      outbox,
      tab,
      after: (task) => after.push(task),
    };

  // A person of the right tenant whom Overt does not know, asking for something: refused, and on the record.
  const notStaff = async () =>
    auditRefusal(deps, a as Seen, {
      reason: 'not-staff',
      message: 'the sender is not a member of staff in Overt (no staff record for their Entra object id)',
    }).catch((e: Error) => log(`bot: refusal not audited: ${e.message}`));

  const installed =
    (a.type === ActivityTypes.InstallationUpdate && a.action === 'add') ||
    (a.type === ActivityTypes.ConversationUpdate &&
      (a.membersAdded ?? []).some((m) => m.id === a.recipient?.id));
  const personal = a.conversation?.conversationType === 'personal';
  /** On coming back to their personal chat: what was kept for them while they could not be reached, and (on
   * an install or a greeting) how many requests wait for their decision; taken, and on the record, here. */
  const returning = async (greeting: boolean): Promise<AdaptiveCard | undefined> => {
    if (!staff || !personal) return undefined;
    // Only what is still true is shown: a "waiting for a decision" kept while they were away, decided since, is not.
    const missed = await stillTrue(deps, staff.id, await takeHeld(deps, staff.id));
    const waiting = greeting ? await awaitingDecision(deps, { actorId: staff.id }) : undefined;
    const shown = onReturnCard(
      missed,
      waiting?.ok ? waiting.value.length : 0,
      await staffZone(deps, staff.teamIds),
    );
    if (shown && missed.length)
      await recordSurfaceEvent(deps, `bot-kept-delivered:${staff.id}:${missed.at(-1)!.at}:${missed.length}`, {
        action: 'bot.deliver',
        target: { kind: 'staff', id: staff.id },
        outcome: 'delivered-on-return',
        details: { count: String(missed.length) },
      });
    return shown;
  };
  /** The same, sent as a card of its own after `before` (the welcome on an install): what the person came for
   * is answered first, never swallowed by the notices. */
  const onReturn = async (greeting: boolean, before?: (missed: number) => Promise<void>): Promise<void> => {
    if (!staff || !personal) return;
    // Only what is still true is shown: a "waiting for a decision" kept while they were away, decided since, is not.
    const missed = await stillTrue(deps, staff.id, await takeHeld(deps, staff.id));
    await before?.(missed.length);
    const waiting = greeting ? await awaitingDecision(deps, { actorId: staff.id }) : undefined;
    const shown = onReturnCard(
      missed,
      waiting?.ok ? waiting.value.length : 0,
      await staffZone(deps, staff.teamIds),
    );
    if (!shown) return;
    await ctx.sendActivity({ type: 'message', attachments: [CardFactory.adaptiveCard(shown)] });
    if (missed.length)
      await recordSurfaceEvent(deps, `bot-kept-delivered:${staff.id}:${missed.at(-1)!.at}:${missed.length}`, {
        action: 'bot.deliver',
        target: { kind: 'staff', id: staff.id },
        outcome: 'delivered-on-return',
        details: { count: String(missed.length) },
      });
  };

  if (a.type === ActivityTypes.Message) {
    const t = turn();
    if (!t) await notStaff();
    let card: AdaptiveCard;
    // Whatever the message (a command, a greeting, words an older Overt understood, an older card's Submit
    // with no text), ONE reply: what was kept for the person, and on a greeting or help how many requests wait
    // for them, go in the same card as the answer (issue 20 walk: a legacy command had two replies).
    let kept: AdaptiveCard | undefined;
    if (!t) card = UNKNOWN_PERSON;
    else {
      const intent = intentOf(a.text ?? '');
      try {
        card =
          'help' in intent
            ? helpCard(intent.unknown, t.staff.role)
            : await route(intent.verb, intent.data, t);
      } catch (err) {
        log(`bot: message failed: ${(err as Error).stack ?? String(err)}`);
        card = failureCard(err);
      }
      // A greeting or help is someone arriving: they are shown what waits for them too.
      // (Not when the answer is that list itself: a manager's "hi" — it says the count once.)
      const greeting =
        ('help' in intent || intent.verb === 'request.new' || intent.verb === 'hello') &&
        !isWaitingCard(card);
      kept = await returning(greeting).catch((e: Error) => {
        log(`bot: on return: ${e.message}`);
        return undefined;
      });
    }
    await ctx.sendActivity({
      type: 'message',
      attachments: [CardFactory.adaptiveCard(kept ? withKept(card, kept) : card)],
    });
    return;
  }

  if (a.type === ActivityTypes.Invoke) {
    try {
      if (a.name === 'adaptiveCard/action') {
        const v = ExecuteInvoke.safeParse(a.value);
        if (!v.success)
          return invokeResponse(
            ctx,
            400,
            errorBody(400, `value: not an Action.Execute invoke (${v.error.issues[0]?.message})`),
          );
        const t = turn(v.data.trigger === 'automatic');
        if (!t) await notStaff();
        const card = t ? await route(v.data.action.verb, v.data.action.data, t) : UNKNOWN_PERSON;
        return invokeResponse(ctx, 200, cardBody(card));
      }
      if (a.name === 'application/search') {
        const v = SearchInvoke.safeParse(a.value);
        if (!v.success || v.data.dataset !== CHILD_DATASET)
          return invokeResponse(
            ctx,
            400,
            errorBody(400, `value: not a search of the "${CHILD_DATASET}" dataset`),
          );
        const results = staff
          ? await childChoices(
              deps,
              staff,
              v.data.queryText,
              v.data.queryOptions?.top ?? 10,
              v.data.queryOptions?.skip ?? 0,
            )
          : [];
        return invokeResponse(ctx, 200, {
          type: 'application/vnd.microsoft.search.searchResponse',
          value: { results },
        });
      }
      return invokeResponse(
        ctx,
        400,
        errorBody(400, `name: Overt does not answer "${a.name ?? ''}" invokes`),
      );
    } catch (err) {
      log(`bot: invoke failed: ${(err as Error).stack ?? String(err)}`);
      return invokeResponse(ctx, 200, cardBody(failureCard(err)));
    }
  }

  if (installed && personal) {
    const welcome = () =>
      ctx.sendActivity({
        type: 'message',
        attachments: [CardFactory.adaptiveCard(staff ? helpCard(undefined, staff.role) : UNKNOWN_PERSON)],
      });
    if (!staff) {
      await welcome();
      return;
    }
    // One answer per install: the other of Teams' two events for it says nothing.
    if (
      !(await claimArrival(
        deps,
        staff.id,
        a.type === ActivityTypes.InstallationUpdate ? 'installationUpdate' : 'conversationUpdate',
      ))
    )
      return;
    // Welcomed once: Teams sends two events when the app is added, and may add it again later. Someone who
    // adds it again with notices kept for them is welcomed too, before the notices (issue 12 walk: they were
    // shown "While you were away" alone, with nothing saying what Overt does); the notices are taken by the
    // first of the two events, so the second adds nothing.
    const first = await firstWelcome(deps, staff.id);
    let welcomed = false;
    await onReturn(true, async (missed) => {
      if (first || missed) {
        welcomed = true;
        await welcome();
      }
    }).catch((e: Error) => log(`bot: on return: ${e.message}`));
    if (first && !welcomed) await welcome();
  }
}

/** What the person is told when a turn fails: while the audit trail is broken, that Overt has stopped taking
 * changes (every verb, read or change, the same sentence); otherwise that something went wrong on our side. */
function failureCard(err: unknown): AdaptiveCard {
  if (err instanceof AuditTrailBrokenError) return errorCard('Overt is paused', TRAIL_BROKEN_SENTENCE);
  return errorCard('Overt could not finish this', 'Something went wrong on our side. Try again in a moment.');
}

/** A turn that failed outside its verb (the adapter's onTurnError): the person still gets the card saying so,
 * as the answer to their invoke or as a reply to their message. */
export async function answerFailure(ctx: TurnContext, err: unknown): Promise<void> {
  const card = failureCard(err);
  if (ctx.activity.type === ActivityTypes.Invoke) await invokeResponse(ctx, 200, cardBody(card));
  else if (ctx.activity.type === ActivityTypes.Message)
    await ctx.sendActivity({ type: 'message', attachments: [CardFactory.adaptiveCard(card)] });
}
