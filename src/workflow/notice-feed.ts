/**
 * The timers' notices as a surface delivers them: the audit events `notice.*` (and `request.expire`, which
 * carries one) after a cursor kept in the store, under a lease so that one instance delivers. Events from
 * before `since` (when the surface first ran) are not handed out.
 *
 * A unit that changes a request also leaves its follow-ups there (`FOLLOW_UPS`): its own event is the notice
 * (durable with the unit, whichever instance made it), handed out as a notice of kind `follow-up` whose steps
 * (the approval card's copies updated, the requester told, the approval cards sent) stand in its `to`.
 *
 * Each notice is delivered once across instances: before every message the holder renews the lease (a holder
 * that has lost it stops, and the new holder sends the rest), and after every message the cursor records it
 * (the notice being delivered and the people already sent it). An instance that dies part-way therefore
 * leaves only the message it had in flight unknown: the next holder sends that one again (a message Teams
 * took but whose answer never reached the dead holder arrives twice; nothing is lost).
 */
import { z } from 'zod';
import { dayOf } from '../policy/days';
import type { Deps } from './types';
import { childZone } from './zone';

const NoticeDetails = z.object({
  kind: z.string(),
  to: z.array(z.string()),
  text: z.string(),
  childId: z.string().optional(),
  requestId: z.string().optional(),
  ripaId: z.string().optional(),
  authority: z.string().optional(),
  dueOn: z.string().optional(),
  stage: z.enum(['due', 'overdue']).optional(),
});
/** One notice to deliver: its kind, the staff it is for, its words, what it is about, its event's number,
 * and whom it was already sent to (by a holder that stopped part-way). */
export type PendingNotice = z.infer<typeof NoticeDetails> & {
  seq: number;
  sentTo: string[];
  /** Kept from an earlier pass, when Teams kept failing: `to` holds only those still to be sent it (for a
   * follow-up, the steps left, a step that sends to many narrowed to those left: `cards:<staff id>`). */
  retry?: boolean;
  /** How many passes have tried it (a kept one). */
  tries?: number;
  /** A unit's follow-ups: the event's action, who acted and on what; `to` holds the steps left to take. */
  followUp?: { action: string; actorId: string; targetId: string };
};

/** The steps that follow a unit on a request, by its event's action (refusals have none): `update` every copy
 * of the approval card, `tell` the requester what became of it (and send the record-the-check card after an
 * approval), `cards` send the approval cards to whoever may decide it now. */
export const FOLLOW_UPS: Record<string, readonly FollowUpStep[]> = {
  'request.raise': ['cards'],
  'request.approve': ['update', 'tell', 'cards'],
  'request.decline': ['update', 'tell'],
  'request.more-info': ['update', 'tell'],
  'request.amend': ['update', 'cards'],
  'request.withdraw': ['update'],
  'check.record': ['update'],
  // Stopped with the RIPA authorisation it was approved under (ripa.ts cancelRipa): the requester is told.
  'request.stop': ['update', 'tell'],
  // An objection raised: information governance told (issue 16: by the notices' holder, whichever instance
  // took the objection), each of them once.
  'objection.raise': ['ig'],
};
export type FollowUpStep = 'update' | 'tell' | 'cards' | 'ig';

/** The follow-up an event leaves, if any. */
function followUpOf(e: {
  action: string;
  outcome: string;
  target: { kind: string; id: string };
  actor: { id: string };
}):
  | (z.infer<typeof NoticeDetails> & { followUp: { action: string; actorId: string; targetId: string } })
  | undefined {
  const steps = FOLLOW_UPS[e.action];
  if (!steps || e.outcome === 'refuse' || !['request', 'objection'].includes(e.target.kind)) return undefined;
  return {
    kind: 'follow-up',
    to: [...steps],
    text: e.action,
    ...(e.target.kind === 'request' ? { requestId: e.target.id } : {}),
    followUp: { action: e.action, actorId: e.actor.id, targetId: e.target.id },
  };
}

/** The passes a message Teams keeps failing for is tried in (each waiting 30 s doubling, at most an hour,
 * after the one before: about two hours in all); after the last, it is given up and whoever can act is told. */
export const GIVE_UP_AFTER = 9;

/** The events one pass reads at most. */
const PASS = 200;

/** The lease's name: the instance holding it delivers. */
export const NOTICES_LEASE = 'bot-notices';
const CURSOR = 'bot.notices.cursor';
const Cursor = z.object({
  /** Every notice up to this event is delivered. */
  seq: z.number().int().nonnegative(),
  /** The notice under way after it, and the people already sent it. */
  partial: z.object({ seq: z.number().int().nonnegative(), to: z.array(z.string()) }).optional(),
  /** Notices Teams kept failing for (5xx, no answer), kept for the people still to be sent them: tried again
   * from `after`, each time later (30 s doubling, at most an hour). */
  later: z
    .array(
      z.object({
        seq: z.number().int().positive(),
        to: z.array(z.string()),
        after: z.string(),
        tries: z.number().int().positive(),
      }),
    )
    .optional(),
});
type Cursor = z.infer<typeof Cursor>;

export interface NoticeBatch {
  notices: PendingNotice[];
  /** When this pass took the lease from another holder (whose lease had run out): who that was. */
  tookOverFrom?: { holder: string; until: string };
  /** Before each message: renews the lease; false once another instance holds it (stop: it sends the rest). */
  hold: () => Promise<boolean>;
  /** After a message: the notice is recorded as sent to `to` (or to everyone it names, with no `to`). */
  sent: (n: PendingNotice, to?: string) => Promise<void>;
  /** Teams kept failing for this message: kept for `to` (or, for a follow-up's step, for `left`, what of it is
   * still to do), tried again in a later pass; `given-up` after the last try (`GIVE_UP_AFTER`): the caller
   * tells whoever can act. */
  later: (n: PendingNotice, to: string, left?: string[]) => Promise<'kept' | 'given-up'>;
  /** After every notice: the cursor moves past every event read. */
  done: () => Promise<void>;
  /** More events wait after those read (a pass reads at most 200): take again. */
  more: boolean;
}

/** The notices that arrived since the cursor (at most 200 events read), with what was already sent; undefined
 * when another instance holds the lease. */
export async function takeNotices(
  deps: Deps,
  holder: string,
  since: string,
  leaseMs = 60_000,
): Promise<NoticeBatch | undefined> {
  const before = (await deps.store.get('lease', NOTICES_LEASE))?.record;
  if (!(await deps.store.lease(NOTICES_LEASE, holder, leaseMs, deps.clock()))) return undefined;
  const found = await deps.store.get('setting', CURSOR);
  const parsed = found ? Cursor.safeParse(found.record.value) : undefined;
  let cursor: Cursor | undefined = parsed?.success ? parsed.data : undefined;
  let version = found?.version;
  const events = await deps.store.audit.list(
    cursor ? { afterSeq: cursor.seq, limit: PASS } : { from: since, limit: PASS },
  );
  const notices: PendingNotice[] = [];
  let kept = cursor?.later ?? [];
  const now = deps.clock();
  for (const k of kept) {
    if (new Date(k.after).getTime() > now.getTime()) continue;
    const [e] = await deps.store.audit.list({ afterSeq: k.seq - 1, limit: 1 });
    if (e?.seq !== k.seq) continue;
    const follow = followUpOf(e);
    const n = follow ? { success: true as const, data: follow } : NoticeDetails.safeParse(e.details);
    if (n.success) notices.push({ ...n.data, to: k.to, seq: k.seq, sentTo: [], retry: true, tries: k.tries });
  }
  for (const e of events) {
    const sentTo = cursor?.partial?.seq === e.seq ? cursor.partial.to : [];
    const follow = followUpOf(e);
    if (follow) {
      notices.push({ ...follow, seq: e.seq, sentTo });
      continue;
    }
    if (!(e.action.startsWith('notice.') || e.action === 'request.expire')) continue;
    const n = NoticeDetails.safeParse(e.details);
    if (!n.success) continue;
    notices.push({ ...n.data, seq: e.seq, sentTo });
  }
  const write = async (given: Cursor) => {
    const value: Cursor = { ...given, ...(kept.length ? { later: kept } : {}) };
    const r = await deps.store.commit({
      key: `notices:${value.seq}:${value.partial ? `${value.partial.seq}:${value.partial.to.length}` : 'all'}:${value.later?.map((k) => `${k.seq}.${k.to.length}.${k.tries}`).join(',') ?? ''}:${holder}`,
      at: deps.clock().toISOString(),
      writes: [
        { kind: 'setting', record: { id: CURSOR, value }, ...(version ? { ifVersion: version } : {}) },
      ],
      audit: [],
    });
    // Another holder moved the cursor: it has the lease, and this one stops.
    if (r.status === 'conflict') throw new Error('another instance is delivering the notices');
    if (r.status === 'committed') version = r.versions[0]!.version;
    cursor = value;
  };
  const last = events.at(-1);
  return {
    notices,
    more: events.length >= PASS,
    ...(before && before.holder !== holder && new Date(before.until).getTime() <= deps.clock().getTime()
      ? { tookOverFrom: { holder: before.holder, until: before.until } }
      : {}),
    hold: () => deps.store.lease(NOTICES_LEASE, holder, leaseMs, deps.clock()),
    sent: async (n, to) => {
      if (n.retry) {
        kept = kept
          .map((k) => (k.seq === n.seq ? { ...k, to: k.to.filter((t) => t !== to) } : k))
          .filter((k) => k.to.length);
        await write({ seq: cursor?.seq ?? 0, ...(cursor?.partial ? { partial: cursor.partial } : {}) });
        return;
      }
      const done = [...new Set([...n.sentTo, ...(to === undefined ? n.to : [to])])];
      n.sentTo = done;
      // The events before this notice are all delivered (notices are delivered in order).
      await write({ seq: Math.max(cursor?.seq ?? 0, n.seq - 1), partial: { seq: n.seq, to: done } });
    },
    later: async (n, to, left = [to]) => {
      const was = kept.find((k) => k.seq === n.seq);
      // One more try for the whole notice per pass, however many of its messages failed in it.
      const tries = n.retry ? (n.tries ?? 0) + 1 : 1;
      const givenUp = tries >= GIVE_UP_AFTER;
      const after = new Date(deps.clock().getTime() + Math.min(30_000 * 2 ** (tries - 1), 3_600_000));
      const still = [...new Set([...(was?.to ?? []).filter((t) => t !== to), ...(givenUp ? [] : left)])];
      kept = kept.filter((k) => k.seq !== n.seq);
      if (still.length) kept.push({ seq: n.seq, to: still, after: after.toISOString(), tries });
      if (n.retry) {
        await write({ seq: cursor?.seq ?? 0, ...(cursor?.partial ? { partial: cursor.partial } : {}) });
        return givenUp ? 'given-up' : 'kept';
      }
      // Out of this pass's way: the cursor moves on past it, and the kept list holds it.
      const done = [...new Set([...n.sentTo, to])];
      n.sentTo = done;
      await write({ seq: Math.max(cursor?.seq ?? 0, n.seq - 1), partial: { seq: n.seq, to: done } });
      return givenUp ? 'given-up' : 'kept';
    },
    done: async () => {
      if (!last || (cursor && cursor.seq >= last.seq && !cursor.partial)) return;
      await write({ seq: last.seq });
    },
  };
}

/** Whether a timer's notice still says what is true now, read before each message of it is sent: a decision
 * still waits (for the same authority), an approved check is still unrecorded, a consent reminder is still
 * due, the RIPA review it reminds of is still the one to do (not recorded, the authorisation not cancelled),
 * an authorisation's end not moved by a renewal. A notice no longer true is not sent (the surface records that it was dropped, and why). */
export async function noticeHolds(
  deps: Deps,
  n: Pick<PendingNotice, 'kind' | 'requestId' | 'ripaId' | 'childId' | 'authority' | 'dueOn'>,
): Promise<{ holds: true } | { holds: false; why: string }> {
  const no = (why: string) => ({ holds: false as const, why });
  if (n.kind === 'decision-waiting' || n.kind === 'record-check') {
    const r = n.requestId ? (await deps.store.get('request', n.requestId))?.record : undefined;
    if (!r) return no('the request is no longer on record');
    if (n.kind === 'record-check')
      return r.status === 'approved' ? { holds: true } : no(`the request is now ${r.status}`);
    if (!['pending', 'escalated'].includes(r.status)) return no(`the request is now ${r.status}`);
    if (n.authority && n.authority !== r.authority) return no(`the request now waits for ${r.authority}`);
    return { holds: true };
  }
  // Each is read against what it was made from (never against the clock: the timers may run ahead of it).
  if (n.kind === 'reminder-due') {
    const c = n.childId ? (await deps.store.get('child', n.childId))?.record : undefined;
    if (!c || c.consentStatus !== 'given') return no('consent is no longer on record as given');
    if (n.dueOn && c.reminderDueAt !== n.dueOn) return no('the reminder has been given since');
    return { holds: true };
  }
  if (n.kind === 'ripa-review' || n.kind === 'ripa-expired') {
    const r = n.ripaId ? (await deps.store.get('ripa', n.ripaId))?.record : undefined;
    if (!r) return no('the authorisation is no longer on record');
    const zone = await childZone(deps, r.childId);
    if (n.kind === 'ripa-expired')
      return n.dueOn && n.dueOn !== dayOf(r.until, zone)
        ? no('the authorisation was renewed')
        : { holds: true };
    if (r.cancelledAt) return no('the authorisation was cancelled');
    if (n.dueOn && n.dueOn !== dayOf(r.reviewAt, zone))
      return no('the review was recorded, or the authorisation renewed, since');
    return { holds: true };
  }
  return { holds: true };
}
