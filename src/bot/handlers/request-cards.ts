/** Sending and updating approval cards, and telling the requester: the work that follows a turn. */
import type { Request } from '../../store/records';
import type { Deps } from '../../workflow';
import {
  addCardCopies,
  cardCopies,
  channelUserId,
  referenceOf,
  type Copy,
  type Reference,
} from '../conversations';
import type { AdaptiveCard } from '../cards/types';
import type { Outbox } from '../outbox';
import { approversOf, requestView } from '../reads';
import { approvalBaseCard, requestStatusCard } from '../views/approval-card';
import { recordCheckCard } from '../views/record-check-card';

/** The approvers and the requester, as the channel knows them: who a card's refresh lists. */
export async function refreshUsers(deps: Deps, r: Request, approvers?: string[]): Promise<string[]> {
  const ids = [...(approvers ?? (await approversOf(deps, r))), r.requesterId];
  return Promise.all(ids.map((id) => channelUserId(deps, id)));
}

export async function baseCardOf(deps: Deps, r: Request, approvers?: string[], note?: string) {
  const [child, refreshUserIds] = await Promise.all([
    deps.store.get('child', r.childId),
    refreshUsers(deps, r, approvers),
  ]);
  return approvalBaseCard({
    requestId: r.id,
    caseRef: child?.record.caseRef ?? 'unknown',
    status: r.status,
    authority: r.authority,
    refreshUserIds,
    ...(note ? { note } : {}),
  });
}

/** Sends a request's approval card to each conversation and keeps the copies sent, so a decision updates
 * them; how many were sent. */
async function sendKeptCopies(
  deps: Deps,
  outbox: Outbox,
  requestId: string,
  refs: Reference[],
  card: AdaptiveCard,
): Promise<number> {
  const copies: Copy[] = [];
  for (const ref of refs) {
    const activityId = await outbox.send(ref, card);
    if (activityId) copies.push({ reference: ref, activityId });
  }
  if (copies.length) await addCardCopies(deps, requestId, copies);
  return copies.length;
}

/** Sends the base approval card to each approver's conversation (once per conversation) and keeps the copies. */
export async function sendApprovalCards(deps: Deps, outbox: Outbox, r: Request): Promise<void> {
  const approvers = await approversOf(deps, r);
  const card = await baseCardOf(deps, r, approvers);
  const sentTo = new Set((await cardCopies(deps, r.id)).map((c) => c.reference.conversation.id));
  const refs: Reference[] = [];
  for (const id of approvers) {
    const ref = await referenceOf(deps, id);
    if (!ref || sentTo.has(ref.conversation.id)) continue;
    sentTo.add(ref.conversation.id);
    refs.push(ref);
  }
  await sendKeptCopies(deps, outbox, r.id, refs, card);
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
): Promise<number> {
  const r = (await deps.store.get('request', requestId))?.record;
  if (!r || !['pending', 'escalated'].includes(r.status)) return 0;
  const approvers = await approversOf(deps, r);
  const toApprovers: Reference[] = [];
  let sent = 0;
  for (const id of to) {
    const ref = await referenceOf(deps, id);
    if (!ref) continue;
    if (approvers.includes(id)) toApprovers.push(ref);
    else if (await outbox.send(ref, notice)) sent++;
  }
  const card = await baseCardOf(deps, r, approvers, waited);
  return sent + (await sendKeptCopies(deps, outbox, r.id, toApprovers, card));
}

/** Every copy of the approval card shows the request as it is now. */
export async function updateApprovalCards(deps: Deps, outbox: Outbox, requestId: string): Promise<void> {
  const copies = await cardCopies(deps, requestId);
  if (!copies.length) return;
  const r = (await deps.store.get('request', requestId))?.record;
  if (!r) return;
  const card = await baseCardOf(deps, r);
  for (const copy of copies) await outbox.update(copy.reference, copy.activityId, card);
}

const NOTES: Partial<Record<Request['status'], { text: string; tone: 'good' | 'warning' | 'attention' }>> = {
  approved: { text: 'Your request was approved. Record the check when it is done.', tone: 'good' },
  declined: { text: 'Your request was declined.', tone: 'attention' },
  'more-info': { text: 'More information was asked for: answer below.', tone: 'warning' },
  escalated: { text: 'Your request went to a higher authority.', tone: 'warning' },
  expired: { text: 'Your request expired.', tone: 'attention' },
};

/** Tells the requester what became of their request (as it is now); after an approval, sends the
 * record-the-check card. */
export async function tellRequester(deps: Deps, outbox: Outbox, request: Request): Promise<void> {
  const ref = await referenceOf(deps, request.requesterId);
  if (!ref) return;
  const found = await deps.store.get('request', request.id);
  const view = found && (await requestView(deps, found));
  if (!found || !view) return;
  const r = found.record;
  const note = NOTES[r.status];
  await outbox.send(
    ref,
    requestStatusCard(view, await refreshUsers(deps, r), { requester: true, ...(note ? { note } : {}) }),
  );
  if (r.status === 'approved') await outbox.send(ref, recordCheckCard(checkCardInput(view, deps.clock())));
}

export function checkCardInput(
  view: Awaited<ReturnType<typeof requestView>> & object,
  now: Date,
  problem?: string,
) {
  return {
    requestId: view.id,
    formId: `check-${view.id}`,
    caseRef: view.caseRef,
    childName: view.childName,
    platforms: view.platforms,
    obligations: view.verdict.obligations,
    today: now.toLocaleDateString('en-CA', { timeZone: 'Europe/London' }),
    ...(problem ? { problem } : {}),
  };
}
