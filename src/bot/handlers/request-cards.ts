/** Sending and updating approval cards, and telling the requester: the work that follows a turn. */
import { DEFAULT_TIME_ZONE } from '../../policy/profile';
import { authorityInSentence, label, phrase, REQUEST_STATUS } from '../../vocabulary';
import { recordSurfaceEvent, type Deps } from '../../workflow';
import { MAX_REFRESH_USERS } from '../cards/build';
import type { AdaptiveCard } from '../cards/types';
import { addCardCopies, cardCopies, channelUserId, dropCardCopies, type Reference } from '../conversations';
import { deliver, serviceManagers, tellOnReturn, type Delivery } from '../deliver';
import { ConversationGone, NotSentYet, type Outbox } from '../outbox';
import {
  approversOf,
  checkPeople,
  type CheckPeople,
  caseRefOf,
  nameOf,
  requestById,
  requestView,
  teamNameOf,
  type Request,
} from '../../workflow/queries';
import { checkUnderRipa } from '../../workflow/queries/ripa';
import { approvalBaseCard, pointerCard, requestStatusCard } from '../views/approval-card';
import { noticeCard } from '../views/conversation-cards';
import { recordCheckCard } from '../views/record-check-card';

/** Who a card's refresh lists, by their Teams user ids (MRIs, conversations.ts `channelUserId`): whoever the
 * copy is for (`first`: the chat's recipient, the person viewing it) first, then the requester, then those who
 * may decide, each whose MRI Overt knows, at most 60 (Teams refreshes for no more). Each chat's card has its
 * own list: with more than 60 who may decide, one list for every chat left some recipients off their own
 * card (issue 20 walk: officers 59 and 60). Anyone else opens the card by hand ("Open"). */
export async function refreshUsers(
  deps: Deps,
  r: Request,
  approvers?: string[],
  ...first: (string | undefined)[]
): Promise<string[]> {
  return (await refreshLister(deps, r, approvers))(...first);
}

/** The refresh list of a request, read once, for each recipient's copy: `(recipientMri) => userIds`. */
export async function refreshLister(
  deps: Deps,
  r: Request,
  approvers?: string[],
): Promise<(...first: (string | undefined)[]) => string[]> {
  const ids = [...new Set([r.requesterId, ...(approvers ?? (await approversOf(deps, r)))])];
  const mris = (await Promise.all(ids.map((id) => channelUserId(deps, id)))).filter((m): m is string => !!m);
  return (...first) =>
    [...new Set([...first.filter((m): m is string => !!m), ...mris])].slice(0, MAX_REFRESH_USERS);
}

/** A refresh list of one person: theirs, if Overt knows their Teams user id. */
export async function refreshOne(deps: Deps, staffId: string): Promise<string[]> {
  const mri = await channelUserId(deps, staffId);
  return mri ? [mri] : [];
}

/** The base approval card. In a personal chat it names the case reference; posted where others can read it
 * (`shared`), nothing about the child at all. */
export async function baseCardOf(
  deps: Deps,
  r: Request,
  approvers?: string[],
  note?: string,
  shared = false,
  /** The copy's refresh list, when the caller made it for its recipient (refreshLister). */
  users?: string[],
) {
  const [caseRef, refreshUserIds] = await Promise.all([
    shared ? undefined : caseRefOf(deps, r.childId),
    users ?? refreshUsers(deps, r, approvers),
  ]);
  return approvalBaseCard({
    requestId: r.id,
    ...(caseRef === undefined ? {} : { caseRef }),
    status: r.status,
    authority: r.authority,
    refreshUserIds,
    ...(note ? { note } : {}),
  });
}

/** The approval card for one recipient: their own MRI first on its refresh list. */
async function cardsFor(deps: Deps, r: Request, approvers: string[], note?: string) {
  const lister = await refreshLister(deps, r, approvers);
  return async (staffId: string) => {
    const users = lister(await channelUserId(deps, staffId));
    const [card, shared] = await Promise.all([
      baseCardOf(deps, r, approvers, note, false, users),
      baseCardOf(deps, r, approvers, note, true, users),
    ]);
    return { card, shared };
  };
}

/** What a kept "waiting for a decision" needs to still hold when it is shown: the request still waiting for
 * the same authority. */
const waitingWhile = (r: Request) => ({ kind: 'decision-waiting', requestId: r.id, authority: r.authority });

const waitingFor = (who: string) =>
  `A request is waiting for ${who} to decide it: ask them to open Overt in Teams again, or ask another approver.`;

/** Sends a request's approval card to each person (one copy per conversation: the base card in their
 * personal chat, the neutral one where others can read it) and keeps each copy as it is sent (before the
 * next: an instance that dies part-way leaves the copies it sent on record, and the next holder sends only
 * the rest), so a decision updates them; whoever cannot be reached is named to the requester and the service
 * managers. Those Teams kept failing for (5xx, no answer) are returned, to be sent again later. */
async function sendKeptCopies(
  deps: Deps,
  outbox: Outbox,
  r: Request,
  to: string[],
  approvers: string[],
  note?: string,
  /** Before each card, under a notices' pass: still holding its lease (false: LeaseLost; the next holder
   * sends the rest, skipping the copies kept). */
  hold?: () => Promise<boolean>,
): Promise<string[]> {
  const [cardOf, managers, before] = await Promise.all([
    cardsFor(deps, r, approvers, note),
    serviceManagers(deps),
    cardCopies(deps, r.id),
  ]);
  const sentTo = new Set(before.map((c) => c.reference.conversation.id));
  let copies = 0;
  const notSent: string[] = [];
  const later: string[] = [];
  const unreachable: string[] = [];
  const refusedFor = new Map<string, string>();
  for (const staffId of to) {
    if (hold && !(await hold())) throw new LeaseLost();
    const { card, shared } = await cardOf(staffId);
    const d = await deliver(deps, outbox, {
      staffId,
      card,
      about: `the approval card of request ${r.id}`,
      pointer: shared,
      openPersonal: false,
      later: true,
      sentTo,
      unreachable: {
        tell: [r.requesterId, ...managers],
        about: waitingFor(await nameOf(deps, staffId)),
        key: `approval:${r.id}:${r.status}`,
        summarised: true,
      },
    });
    if (d && 'unreachable' in d) {
      unreachable.push(staffId);
      if (d.refused) refusedFor.set(staffId, d.refused);
    }
    if (d && 'activityId' in d) {
      await addCardCopies(deps, r.id, [{ reference: d.ref, activityId: d.activityId }]);
      copies++;
    } else if (d && 'later' in d) later.push(staffId);
    // Not sent and nobody told yet (Teams refused the card for good, 413): the requester is.
    else if (!d) notSent.push(staffId);
  }
  if (unreachable.length)
    await tellUnreachable(deps, outbox, r, unreachable, approvers.length, managers, refusedFor);
  if (notSent.length) await tellNotSent(deps, outbox, r, notSent, copies, managers);
  return later;
}

/** Teams kept failing, through every later pass, to take the approval card for these people: the requester
 * is told (as for a card Teams refused), with who did not get it. */
export async function approvalCardsNotSent(
  deps: Deps,
  outbox: Outbox,
  requestId: string,
  notSent: string[],
): Promise<void> {
  const r = (await requestById(deps, requestId))?.record;
  // Given up hours later: said only while the request still waits for a decision (decided since, it is not).
  if (!r || !notSent.length || !['pending', 'escalated'].includes(r.status)) return;
  const copies = await cardCopies(deps, r.id);
  await tellNotSent(deps, outbox, r, notSent, copies.length, await serviceManagers(deps));
}

/** Those who may decide whom Overt could not reach, in ONE card to the requester and the service managers
 * (never a card per person), and one audit event naming them all and who was told. */
async function tellUnreachable(
  deps: Deps,
  outbox: Outbox,
  r: Request,
  unreachable: string[],
  of: number,
  managers: string[],
  refusedFor: Map<string, string>,
): Promise<void> {
  const refused = unreachable.length === 1 ? refusedFor.get(unreachable[0]!) : undefined;
  const names = await Promise.all(unreachable.map((id) => nameOf(deps, id)));
  const who =
    names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} others` : names.join(', ');
  const one = unreachable.length === 1;
  // The request by its child's case reference and reason: the card says which request it is about.
  const caseRef = await caseRefOf(deps, r.childId);
  const request = `the request for case ${caseRef} (${label(r.reason)})`;
  const title = one
    ? `Overt cannot reach ${names[0]} about case ${caseRef}`
    : `Overt could not reach ${unreachable.length} of the ${of} people who may decide case ${caseRef}`;
  // The text goes on from the title (the fallback is both): it never says the title again.
  const text = one
    ? refused
      ? `${names[0]} may decide ${request}, but does not have the Overt app in Teams, and Overt could not add it for them: ${refused}. Overt cannot send them anything until it is added (an administrator can allow it, or ${names[0]} can add Overt in Teams). ${waitingFor(names[0]!)}`
      : `${names[0]} may decide ${request}, but does not have the Overt app in Teams (it was never added for them, or they removed or blocked it, or left the only chat Overt could use), so Overt cannot send them anything. ${waitingFor(names[0]!)}`
    : `They are ${who}. ${request[0]!.toUpperCase()}${request.slice(1)} is stored and waits for a decision: ask them to open Overt in Teams.`;
  const card = noticeCard(title, text, r.id);
  const told: string[] = [];
  const tell = [...new Set([r.requesterId, ...managers])];
  for (const id of tell) {
    const d = await deliver(deps, outbox, {
      staffId: id,
      card,
      about: `the notice that the deciders of request ${r.id} cannot be reached`,
      pointer: pointerCard(r.id, []),
    });
    if (d && !('unreachable' in d)) told.push(id);
  }
  // Whoever could not be told now is told when they next open Overt: never nobody.
  const later = await tellOnReturn(
    deps,
    tell.filter((id) => !told.includes(id)),
    { title, text, while: waitingWhile(r) },
  );
  // Each person not reached is on the record, with who was told (by the one summary).
  for (const staffId of unreachable)
    await recordSurfaceEvent(deps, `bot-unreachable:${staffId}:approval:${r.id}:${r.status}`, {
      action: 'bot.deliver',
      target: { kind: 'staff', id: staffId },
      outcome: 'unreachable',
      details: {
        about: `approval:${r.id}:${r.status}`,
        told,
        ...(later.length ? { toldOnReturn: later } : {}),
        summary: `${unreachable.length} of ${of}`,
        ...(refusedFor.get(staffId) ? { why: refusedFor.get(staffId)! } : {}),
      },
    });
}

/**
 * Never a half-told request: it is stored whatever Teams does with the card, so when a card could not be
 * sent to someone who may decide, the requester is told that the request is kept and waiting, and whom Overt
 * could not reach — and the service managers if the requester cannot be reached either. An audit event
 * records who was not sent the card and who was told.
 */
async function tellNotSent(
  deps: Deps,
  outbox: Outbox,
  r: Request,
  notSent: string[],
  sent: number,
  managers: string[],
): Promise<void> {
  const names = await Promise.all(notSent.map((id) => nameOf(deps, id)));
  const who =
    names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} others` : names.join(' and ');
  const authority = authorityInSentence(r.authority);
  const card = noticeCard(
    'Your request is kept, but a card did not go',
    `Your request is stored in Overt and waits for a decision by ${authority}. Teams did not accept the approval card for ${who}` +
      (sent
        ? `; the others who may decide were sent it.`
        : `, so nobody who may decide has it in their chat yet.`) +
      ` Ask ${names.length > 1 ? 'them' : names[0]} to open Overt in Teams, where the request is waiting; you will be told of the decision here.`,
    r.id,
  );
  const d = await deliver(deps, outbox, {
    staffId: r.requesterId,
    card,
    about: `the notice that request ${r.id}'s approval card did not go to every decider`,
    pointer: pointerCard(r.id, await refreshOne(deps, r.requesterId)),
    unreachable: {
      tell: managers,
      about: `Their request is stored and waits for a decision by ${authority}; Teams did not accept the approval card for ${who}.`,
      key: `not-sent:${r.id}:${r.status}`,
      keep: {
        title: 'Your request is kept, but a card did not go',
        text: `Teams did not accept the approval card for ${who}: ask them to open Overt in Teams.`,
        requestId: r.id,
        while: waitingWhile(r),
      },
    },
  });
  const told = d && !('unreachable' in d) ? [r.requesterId] : [];
  await auditDelivery(deps, `bot-not-sent:${r.id}:${r.status}:${notSent.join(',')}`, r, 'not-sent', {
    notSent,
    told,
  });
}

/** One `bot.deliver` audit event about a request's approval card (nothing else written). */
async function auditDelivery(
  deps: Deps,
  key: string,
  r: Request,
  outcome: 'not-sent' | 'no-approver',
  details: Record<string, string[]>,
): Promise<void> {
  await recordSurfaceEvent(deps, key, {
    action: 'bot.deliver',
    target: { kind: 'request', id: r.id },
    outcome,
    details,
  });
}

/** Sends the base approval card to each approver (or to those of them in `only`, when sent again later) and
 * keeps the copies; those Teams kept failing for, to be sent again later. */
export async function sendApprovalCards(
  deps: Deps,
  outbox: Outbox,
  r: Request,
  only?: string[],
  hold?: () => Promise<boolean>,
): Promise<string[]> {
  const approvers = await approversOf(deps, r);
  const to = only ? only.filter((id) => approvers.includes(id)) : approvers;
  if (only || approvers.length) return sendKeptCopies(deps, outbox, r, to, approvers, undefined, hold);
  // Nobody may decide it (no one holds the authority for this team): the service managers are told, by the
  // team's name, so the request is not left with nobody; it waits, and is audited as not sent.
  const team = await teamNameOf(deps, r.teamId, 'the team');
  const authority = authorityInSentence(r.authority);
  const card = noticeCard(
    `Nobody can decide a request for ${team}`,
    `A request for ${team} needs a decision by ${authority}, and nobody in Overt holds that role for the team. Set one up (or a delegation) and they will find it under "waiting for me".`,
    r.id,
  );
  const told: string[] = [];
  for (const id of await serviceManagers(deps)) {
    const d = await deliver(deps, outbox, {
      staffId: id,
      card,
      about: `the notice that nobody can decide request ${r.id}`,
      pointer: card,
    });
    if (d && !('unreachable' in d)) told.push(id);
  }
  await auditDelivery(deps, `bot-no-approver:${r.id}:${r.status}`, r, 'no-approver', { told });
  return [];
}

/** A notice delivered person by person under the notices' lease (notices.ts): whom it already reached, a
 * check before each message (false: another instance delivers the rest) and a record after each. */
export interface NoticeProgress {
  sentTo: readonly string[];
  hold: () => Promise<boolean>;
  sent: (staffId: string) => Promise<void>;
  /** Teams kept failing for this person's message (5xx, no answer): kept to be sent in a later pass. */
  later?: (staffId: string) => Promise<void>;
}

/** Stops the pass when the lease has gone to another instance: it sends what is left. */
export class LeaseLost extends Error {
  constructor(why = 'another instance holds the notices’ lease now; it delivers the rest') {
    super(why);
  }
}

/**
 * A decision waiting too long, escalated by the timers to the team's managers: those of them who may decide
 * get the approval card again (a new copy, kept, so the decision updates it too); the others, who can only
 * chase it, the notice. Once the request has been decided or withdrawn, nobody is sent anything.
 * How many messages were sent.
 */
export async function escalateDecision(
  deps: Deps,
  outbox: Outbox,
  requestId: string,
  to: string[],
  notice: AdaptiveCard,
  waited: string,
  progress?: NoticeProgress,
): Promise<number> {
  const r = (await requestById(deps, requestId))?.record;
  if (!r || !['pending', 'escalated'].includes(r.status)) return 0;
  const approvers = await approversOf(deps, r);
  const left = to.filter((id) => !progress?.sentTo.includes(id));
  let sent = 0;
  for (const id of left.filter((id) => !approvers.includes(id))) {
    if (progress && !(await progress.hold())) throw new LeaseLost();
    const d = await deliver(deps, outbox, {
      staffId: id,
      card: notice,
      about: `the notice decision-waiting for request ${r.id}`,
      pointer: pointerCard(r.id, []),
      later: !!progress?.later,
    });
    if (d && 'activityId' in d) sent++;
    if (d && 'later' in d) await progress?.later?.(id);
    else await progress?.sent(id);
  }
  const toApprovers = left.filter((id) => approvers.includes(id));
  // The copies already sent are not sent again; an escalation is a new copy in each of their chats, kept as
  // it is sent, so a decision updates it whoever sends the next one.
  const cardOf = await cardsFor(deps, r, approvers, waited);
  const sentTo = new Set<string>();
  for (const staffId of toApprovers) {
    if (progress && !(await progress.hold())) throw new LeaseLost();
    const { card, shared } = await cardOf(staffId);
    const d = await deliver(deps, outbox, {
      staffId,
      card,
      about: `the escalated approval card of request ${r.id}`,
      pointer: shared,
      openPersonal: false,
      later: !!progress?.later,
      sentTo,
    });
    if (d && 'activityId' in d) {
      await addCardCopies(deps, r.id, [{ reference: d.ref, activityId: d.activityId }]);
      sent++;
    }
    if (d && 'later' in d) await progress?.later?.(staffId);
    else await progress?.sent(staffId);
  }
  return sent;
}

/** Every copy of the approval card shows the request as it is now; a copy in a conversation that has gone
 * is forgotten. False when Teams kept failing for a copy (5xx, no answer): the update is done again later
 * (an update shows the request as it is then, so doing it twice shows nothing twice). */
export async function updateApprovalCards(deps: Deps, outbox: Outbox, requestId: string): Promise<boolean> {
  const copies = await cardCopies(deps, requestId);
  if (!copies.length) return true;
  const r = (await requestById(deps, requestId))?.record;
  if (!r) return true;
  const lister = await refreshLister(deps, r);
  let all = true;
  for (const copy of copies) {
    const personal = copy.reference.conversation.conversationType === 'personal';
    // Each copy lists the person of its chat first (the reference kept names them).
    const users = lister(copy.reference.user?.id);
    const card = await baseCardOf(deps, r, undefined, undefined, !personal, users);
    try {
      await outbox.update(copy.reference, copy.activityId, card, {
        what: `an update of the approval card of request ${requestId} (message ${copy.activityId})`,
        to: `conversation ${copy.reference.conversation.id}`,
        later: true,
      });
    } catch (err) {
      if (err instanceof NotSentYet) all = false;
      else if (err instanceof ConversationGone)
        await dropCardCopies(deps, requestId, copy.reference.conversation.id);
      else throw err;
    }
  }
  return all;
}

const NOTES: Partial<Record<Request['status'], { text: string; tone: 'good' | 'warning' | 'attention' }>> = {
  approved: { text: 'Your request was approved. Record the check when it is done.', tone: 'good' },
  declined: { text: 'Your request was declined.', tone: 'attention' },
  'more-info': { text: 'More information was asked for: answer below.', tone: 'warning' },
  escalated: { text: 'Your request went to a higher authority.', tone: 'warning' },
  expired: { text: 'Your request expired.', tone: 'attention' },
  stopped: {
    text: 'Your request was stopped: the RIPA authorisation it was approved under was cancelled, so no check may be done under it from the day it was cancelled. A viewing done before then can still be recorded; if a check is still needed, raise a new request.',
    tone: 'attention',
  },
};

/** What a requester is told and kept, when Overt cannot reach them. */
export const requesterUnreachable = async (
  deps: Deps,
  r: Request,
  caseRef: string,
  actorId?: string,
): Promise<NonNullable<Delivery['unreachable']>> => {
  const note = NOTES[r.status];
  return {
    tell: [...(actorId ? [actorId] : []), ...(await serviceManagers(deps))],
    about: `Their request is now ${phrase(r.status, REQUEST_STATUS)}; they should open Overt in Teams to see it.`,
    key: `requester:${r.id}:${r.status}`,
    keep: {
      title: `Your request for ${caseRef}`,
      text: note?.text ?? `Your request is now ${phrase(r.status, REQUEST_STATUS)}.`,
      requestId: r.id,
    },
  };
};

/** Tells the requester what became of their request (as it is now); after an approval, sends the
 * record-the-check card. In their personal chat only: where others can read it, a neutral pointer whose
 * refresh shows the requester their own view. Nobody reachable: the service managers are told. What Teams
 * kept failing for (5xx, no answer), to be sent later: `tell` (the status card, and the check card after it),
 * `check` (the record-the-check card alone). */
export async function tellRequester(
  deps: Deps,
  outbox: Outbox,
  request: Request,
  /** Who acted (the approver): told, with the service managers, when the requester cannot be reached. */
  actorId?: string,
): Promise<('tell' | 'check')[]> {
  const found = await requestById(deps, request.id);
  const view = found && (await requestView(deps, found));
  if (!found || !view) return [];
  const r = found.record;
  const note = NOTES[r.status];
  const users = await refreshUsers(deps, r);
  const d = await deliver(deps, outbox, {
    staffId: r.requesterId,
    card: requestStatusCard(view, users, { requester: true, ...(note ? { note } : {}) }),
    about: `the status card of request ${r.id} (${r.status})`,
    pointer: pointerCard(r.id, await refreshOne(deps, r.requesterId)),
    later: true,
    unreachable: await requesterUnreachable(deps, r, view.caseRef, actorId),
  });
  if (d && 'later' in d) return ['tell'];
  if (r.status === 'approved' && d && 'activityId' in d && !d.shared)
    return (await sendCheckCard(deps, outbox, r, d.ref)) ? [] : ['check'];
  return [];
}

/** The record-the-check card to the requester of an approved request, in their personal chat (`ref`, or the
 * one kept); false when Teams kept failing for it (to be sent later). */
export async function sendCheckCard(
  deps: Deps,
  outbox: Outbox,
  request: Request,
  ref?: Reference,
): Promise<boolean> {
  const found = await requestById(deps, request.id);
  const view = found && (await requestView(deps, found));
  if (!found || !view || found.record.status !== 'approved') return true;
  const r = found.record;
  const underRipa = await checkUnderRipa(deps, r);
  const card = recordCheckCard({
    ...checkCardInput(view, deps.clock(), await checkPeople(deps, r), r.requesterId),
    ...(underRipa ? { underRipa } : {}),
  });
  const about = { what: `the record-the-check card of request ${r.id}`, to: r.requesterId, later: true };
  if (!ref) {
    const d = await deliver(deps, outbox, {
      staffId: r.requesterId,
      card,
      about: about.what,
      later: true,
    });
    return !(d && 'later' in d);
  }
  try {
    await outbox.send(ref, card, about);
  } catch (err) {
    if (err instanceof NotSentYet) return false;
    if (!(err instanceof ConversationGone)) throw err;
  }
  return true;
}

export function checkCardInput(
  view: Awaited<ReturnType<typeof requestView>> & object,
  now: Date,
  people: CheckPeople,
  opener: string,
  problem?: string,
) {
  return {
    authorisers: people.authorisers,
    ...(people.viewers
      ? {
          viewers: people.viewers,
          ...(people.viewers.some((v) => v.id === opener) ? { viewerDefault: opener } : {}),
        }
      : {}),
    requestId: view.id,
    version: view.version,
    formId: `check-${view.id}`,
    caseRef: view.caseRef,
    childName: view.childName,
    platforms: view.platforms,
    obligations: view.verdict.obligations,
    today: now.toLocaleDateString('en-CA', { timeZone: view.timeZone ?? DEFAULT_TIME_ZONE }),
    ...(problem ? { problem } : {}),
  };
}
