/**
 * Delivers the timers' notices (audit events `notice.*`, and `request.expire`, which carries one) as
 * proactive messages to the people they name, and the follow-ups of every unit on a request (its copies of
 * the approval card updated, the requester told, the approval cards sent), as the workflow hands them out
 * (notice-feed.ts: after a kept cursor, under a lease so one instance delivers, each message or step recorded
 * as it is done; nothing from before the bot first ran). A follow-up is in the store with its unit, so an
 * instance that dies after a decision and before its follow-ups leaves them to the next lease holder.
 */
import { noticeHolds, recordSurfaceEvent, takeNotices, type Deps, type PendingNotice } from '../workflow';
import { ripaNoticeFacts } from '../workflow/queries/ripa';
import { deliver, notDelivered, serviceManagers } from './deliver';
import { caseRefOf, nameOf, objectionForNotice, requestById, staffWithRole } from '../workflow/queries';
import { dateGb } from '../vocabulary';
import { pointerCard } from './views/approval-card';
import {
  approvalCardsNotSent,
  escalateDecision,
  LeaseLost,
  refreshOne,
  requesterUnreachable,
  sendApprovalCards,
  sendCheckCard,
  tellRequester,
  updateApprovalCards,
} from './handlers/request-cards';
import { messageScope, type Outbox } from './outbox';
import type { HeldWhile } from './conversations';
import { neutralNoticeCard, noticeCard } from './views/conversation-cards';
import { ripaNoticeCard } from './views/ripa-cards';

const TITLES: Record<string, string> = {
  'request-expired': 'A request expired',
  'decision-waiting': 'A decision is waiting',
  'reminder-due': 'A consent reminder is due',
  'record-check': 'A check has not been recorded',
  'ripa-review': 'A RIPA authorisation needs review',
  'ripa-expired': 'A RIPA authorisation has ended',
};

/** What a notice kept for someone needs to still hold when they are shown it (noticeHolds). */
const whileOf = (n: PendingNotice): HeldWhile => ({
  kind: n.kind,
  ...(n.requestId ? { requestId: n.requestId } : {}),
  ...(n.ripaId ? { ripaId: n.ripaId } : {}),
  ...(n.childId ? { childId: n.childId } : {}),
  ...(n.authority ? { authority: n.authority } : {}),
  ...(n.dueOn ? { dueOn: n.dueOn } : {}),
});

/** The notices kept for a person that still say what is true now; those that no longer do are recorded as
 * dropped, with why, and not shown. */
export async function stillTrue<T extends { while?: HeldWhile; at: string }>(
  deps: Deps,
  staffId: string,
  kept: T[],
): Promise<T[]> {
  const out: T[] = [];
  for (const m of kept) {
    const now = m.while ? await noticeHolds(deps, m.while) : { holds: true as const };
    if (now.holds) {
      out.push(m);
      continue;
    }
    await recordSurfaceEvent(deps, `bot-dropped-kept:${staffId}:${m.at}:${m.while!.kind}`, {
      action: 'bot.deliver',
      target: { kind: 'staff', id: staffId },
      outcome: 'dropped',
      details: {
        notice: m.while!.kind,
        why: now.why,
        ...(m.while!.requestId ? { requestId: m.while!.requestId } : {}),
        ...(m.while!.ripaId ? { ripaId: m.while!.ripaId } : {}),
      },
    });
  }
  return out;
}

/** The requester of the request a notice is about, unless the notice is for them. */
async function requesterOf(deps: Deps, requestId: string | undefined, to: string): Promise<string[]> {
  if (!requestId) return [];
  const r = (await requestById(deps, requestId))?.record;
  return r && r.requesterId !== to ? [r.requesterId] : [];
}

/** One step of a unit's follow-up (notice-feed.ts `FOLLOW_UPS`), on the request as it is now: what of it
 * Teams kept failing for (5xx, no answer), to be done again later — the step itself, or for the approval
 * cards `cards:<staff id>` for each person still to be sent theirs, or `check` for the record-the-check card
 * after the status card went. */
async function followUp(
  deps: Deps,
  outbox: Outbox,
  n: PendingNotice,
  step: string,
  hold: () => Promise<boolean>,
  /** After a message of a step that sends to several people: recorded, so a next holder skips them. */
  mark: (done: string) => Promise<void>,
): Promise<string[]> {
  if (n.followUp?.action === 'objection.raise')
    return tellInformationGovernance(deps, outbox, n, step, hold, mark);
  const r = n.requestId ? (await requestById(deps, n.requestId))?.record : undefined;
  if (!r || !n.followUp) return [];
  if (step === 'update') return (await updateApprovalCards(deps, outbox, r.id)) ? [] : ['update'];
  if (step === 'tell') return tellRequester(deps, outbox, r, n.followUp.actorId);
  if (step === 'check') return (await sendCheckCard(deps, outbox, r)) ? [] : ['check'];
  // The approval cards go to whoever may decide it now: after it was raised or answered, or sent on.
  if (
    (step === 'cards' || step.startsWith('cards:')) &&
    ['pending', 'escalated'].includes(r.status) &&
    (n.followUp.action !== 'request.approve' || r.status === 'escalated')
  ) {
    const only = step === 'cards' ? undefined : [step.slice('cards:'.length)];
    return (await sendApprovalCards(deps, outbox, r, only, hold)).map((id) => `cards:${id}`);
  }
  return [];
}

/** What is said of an objection to information governance, and to whoever can act when one of them cannot be
 * reached or Teams never takes it. */
async function objectionNotice(deps: Deps, n: PendingNotice) {
  const o = await objectionForNotice(deps, n.followUp!.targetId);
  if (!o) return undefined;
  const actorId = n.followUp!.actorId;
  const title = `Objection recorded: case ${o.caseRef}`;
  return {
    card: noticeCard(
      title,
      `${await nameOf(deps, actorId)} recorded an objection raised by ${o.raisedBy} on ${dateGb(o.raisedAt, o.timeZone)}. Every check on this child is stopped until information governance has dealt with it.`,
    ),
    about: `the notice objection-recorded for child ${o.childId}`,
    unreachable: {
      tell: [actorId, ...(await serviceManagers(deps))],
      about: 'An objection was recorded and information governance must deal with it: tell them another way.',
      key: `objection:${n.followUp!.targetId}`,
      keep: {
        title,
        text: 'Every check on this child is stopped until information governance has dealt with it.',
      },
    },
  };
}

/** An objection's notice to each member of information governance (`ig`), or to one of them again (`ig:<id>`),
 * each recorded as it is sent; those Teams kept failing for, as `ig:<id>`. */
async function tellInformationGovernance(
  deps: Deps,
  outbox: Outbox,
  n: PendingNotice,
  step: string,
  hold: () => Promise<boolean>,
  mark: (done: string) => Promise<void>,
): Promise<string[]> {
  const notice = await objectionNotice(deps, n);
  if (!notice) return [];
  const to = step === 'ig' ? await staffWithRole(deps, 'information-governance') : [step.slice('ig:'.length)];
  const left: string[] = [];
  for (const id of to) {
    if (n.sentTo.includes(`ig:${id}`)) continue;
    if (!(await hold())) throw new LeaseLost();
    const d = await deliver(deps, outbox, {
      staffId: id,
      card: notice.card,
      about: notice.about,
      pointer: neutralNoticeCard(await nameOf(deps, id)),
      later: true,
      unreachable: notice.unreachable,
    });
    if (d && 'later' in d) left.push(`ig:${id}`);
    else if (step === 'ig') await mark(`ig:${id}`);
  }
  return left;
}

/** A follow-up's steps Teams kept failing for through every pass: whoever can act is told (the requester's
 * news kept for them and their approver and the service managers told; the requester told whose approval
 * card did not go); a copy not updated is on the record (it shows the request as it is when opened). */
async function followUpGivenUp(
  deps: Deps,
  outbox: Outbox,
  n: PendingNotice,
  left: string[],
  log: (s: string) => void,
): Promise<void> {
  if (n.followUp?.action === 'objection.raise') {
    const notice = await objectionNotice(deps, n);
    for (const step of left)
      if (notice) await notDelivered(deps, outbox, step.slice('ig:'.length), notice.unreachable, log);
    return;
  }
  const r = n.requestId ? (await requestById(deps, n.requestId))?.record : undefined;
  if (!r || !n.followUp) return;
  if (left.includes('tell') || left.includes('check')) {
    const caseRef = (await caseRefOf(deps, r.childId)) ?? r.id;
    await notDelivered(
      deps,
      outbox,
      r.requesterId,
      await requesterUnreachable(deps, r, caseRef, n.followUp.actorId),
      log,
    );
  }
  const cards = left.filter((s) => s.startsWith('cards:')).map((s) => s.slice('cards:'.length));
  if (cards.length) await approvalCardsNotSent(deps, outbox, r.id, cards);
  if (left.includes('update'))
    await recordSurfaceEvent(deps, `bot-not-updated:${r.id}:${n.seq}`, {
      action: 'bot.deliver',
      target: { kind: 'request', id: r.id },
      outcome: 'not-updated',
      details: { event: String(n.seq), status: r.status },
    });
  log(`bot: gave up ${left.join(', ')} of the follow-up of audit event ${n.seq} (request ${r.id})`);
}

/** Passes until nothing is left: deliver what arrived since the cursor, each message once (see
 * notice-feed.ts). Returns how many messages were sent. */
export async function deliverNotices(
  deps: Deps,
  outbox: Outbox,
  holder: string,
  since: string,
  leaseMs?: number,
  log: (s: string) => void = () => undefined,
  stopping: () => boolean = () => false,
): Promise<number> {
  let sent = 0;
  for (;;) {
    const pass = await onePass(deps, outbox, holder, since, leaseMs, log, stopping);
    sent += pass.sent;
    if (!pass.more) return sent;
  }
}

async function onePass(
  deps: Deps,
  outbox: Outbox,
  holder: string,
  since: string,
  leaseMs: number | undefined,
  log: (s: string) => void,
  stopping: () => boolean,
): Promise<{ sent: number; more: boolean }> {
  if (stopping()) return { sent: 0, more: false };
  const taken = await takeNotices(deps, holder, since, leaseMs);
  if (!taken) return { sent: 0, more: false };
  // Before each message: still holding the lease, and not stopping (what is left is in the store, with the
  // cursor: the next holder sends it).
  const hold = async () => {
    if (stopping()) throw new LeaseLost('stopping: the rest is sent by the next holder of the lease');
    return taken.hold();
  };
  if (taken.tookOverFrom)
    log(
      `bot: took over the notices’ lease from ${taken.tookOverFrom.holder} (it ran out at ${taken.tookOverFrom.until})`,
    );
  let sent = 0;
  try {
    for (const n of taken.notices) {
      if (n.followUp) {
        for (const step of n.to) {
          if (n.sentTo.includes(step)) continue;
          if (!(await hold())) throw new LeaseLost();
          const left = await messageScope.run(`notice:${n.seq}:${step}`, () =>
            followUp(deps, outbox, n, step, hold, (done) => taken.sent(n, done)),
          );
          if (!left.length) await taken.sent(n, step);
          else if ((await taken.later(n, step, left)) === 'given-up')
            await followUpGivenUp(deps, outbox, n, left, log);
        }
        continue;
      }
      const title =
        n.kind === 'ripa-review' && n.stage === 'overdue'
          ? 'A RIPA authorisation’s review is overdue'
          : (TITLES[n.kind] ?? 'Notice');
      const card = noticeCard(title, n.text, n.requestId);
      // A timer's notice says what was true when it was made: it is read again before each of its messages,
      // and one no longer true (the request decided, the review recorded) is not sent, and that is recorded.
      const dropped = async (): Promise<boolean> => {
        const now = await noticeHolds(deps, n);
        if (now.holds) return false;
        const left = n.to.filter((to) => !n.sentTo.includes(to));
        await recordSurfaceEvent(deps, `bot-dropped:${n.seq}`, {
          action: 'bot.deliver',
          target: n.requestId
            ? { kind: 'request', id: n.requestId }
            : n.ripaId
              ? { kind: 'ripa', id: n.ripaId }
              : { kind: 'child', id: n.childId ?? '' },
          outcome: 'dropped',
          details: { notice: n.kind, event: String(n.seq), why: now.why, notSentTo: left },
        });
        for (const to of left) await taken.sent(n, to);
        log(`bot: the notice ${n.kind} (audit event ${n.seq}) was not sent: ${now.why}`);
        return true;
      };
      if (await dropped()) continue;
      if (n.kind === 'decision-waiting' && n.requestId) {
        sent += await messageScope.run(`notice:${n.seq}`, () =>
          escalateDecision(deps, outbox, n.requestId!, n.to, card, n.text, {
            sentTo: n.sentTo,
            hold,
            sent: (to) => taken.sent(n, to),
            later: async (to) => {
              if ((await taken.later(n, to)) !== 'given-up') return;
              // Given up after hours of trying: the service managers are told only if it still waits.
              if (!(await noticeHolds(deps, n)).holds) return;
              await notDelivered(
                deps,
                outbox,
                to,
                {
                  tell: await serviceManagers(deps),
                  about: `A notice for them could not be delivered: “${title}”.`,
                  key: `notice:${n.seq}`,
                  keep: { title, text: n.text, requestId: n.requestId!, while: whileOf(n) },
                },
                log,
              );
            },
          }),
        );
        continue;
      }
      for (const to of n.to) {
        if (n.sentTo.includes(to)) continue;
        if (!(await hold())) throw new LeaseLost();
        if (await dropped()) break;
        const unreachable = {
          // Whoever can act: the requester of a request it is about (when it is not for them), and the
          // service managers.
          tell: [...(await requesterOf(deps, n.requestId, to)), ...(await serviceManagers(deps))],
          about: `A notice for them could not be delivered: “${title}”.`,
          key: `notice:${n.seq}`,
          keep: {
            title,
            text: n.text,
            ...(n.requestId ? { requestId: n.requestId } : {}),
            while: whileOf(n),
          },
        };
        const pointer = n.requestId
          ? pointerCard(n.requestId, await refreshOne(deps, to))
          : neutralNoticeCard(await nameOf(deps, to));
        const d = await messageScope.run(`notice:${n.seq}`, async () =>
          deliver(deps, outbox, {
            staffId: to,
            // A RIPA notice shows the authorisation as it is now, the child as this person may see them.
            card: n.ripaId
              ? ripaNoticeCard(title, n.text, n.ripaId, (await ripaNoticeFacts(deps, n.ripaId, to)) ?? [])
              : card,
            about: `the notice ${n.kind} (audit event ${n.seq})`,
            later: true,
            pointer,
            unreachable,
          }),
        );
        if (d && 'activityId' in d) sent++;
        if (!(d && 'later' in d)) await taken.sent(n, to);
        else if ((await taken.later(n, to)) === 'given-up' && (await noticeHolds(deps, n)).holds)
          await notDelivered(deps, outbox, to, unreachable, log);
      }
    }
    await taken.done();
  } catch (err) {
    if (!(err instanceof LeaseLost)) throw err;
    log(`bot: notices: ${err.message}`);
    return { sent, more: false };
  }
  return { sent, more: taken.more };
}

/** Delivers notices every `everyMs` until the store closes or `stop` is called, under a lease of `leaseMs`
 * (an instance that dies leaves the rest to another within that). `deliver()` runs a pass now (or one more
 * after the one under way), after a turn's unit, for shutdown and tests; passes never overlap. */
export function followNotices(
  deps: Deps,
  outbox: Outbox,
  everyMs: number,
  log: (s: string) => void,
  leaseMs = 60_000,
) {
  const since = deps.clock().toISOString();
  const holder = `bot-${process.pid}-${Math.random().toString(36).slice(2)}`;
  let running: Promise<number> | undefined;
  let stopped = false;
  let again: Promise<number> | undefined;
  const deliver = (): Promise<number> => {
    // A pass under way may have read the trail before the unit that asks now: one more pass follows it.
    if (running)
      return (again ??= running
        .catch(() => 0)
        .then(() => {
          again = undefined;
          return deliver();
        }));
    if (stopped) return Promise.resolve(0);
    return (running = deliverNotices(deps, outbox, holder, since, leaseMs, log, () => stopped).finally(
      () => (running = undefined),
    ));
  };
  const timer = setInterval(() => {
    if (running) return;
    deliver().catch((err: Error) => {
      if (/closed|not open/i.test(err.message)) clearInterval(timer);
      else log(`bot: notices: ${err.message}`);
    });
  }, everyMs);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
    since,
    holder,
    deliver,
  };
}
