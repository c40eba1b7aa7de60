/**
 * Reaching a member of staff, following the conversation's life: their personal chat first; failing that, a
 * personal chat opened from the group chat or channel where they met the bot; failing that, only a neutral
 * pointer in that shared conversation (nothing about a child is posted where others can read it). A
 * conversation the connector answers 403/404 for (ConversationBlockedByUser, BotNotInConversationRoster, a
 * chat that has gone) is forgotten and the next way tried. When no way is left, the failure is an audit event
 * and the people who can act (the requester, the service managers) are told, by name, what to do.
 */
import { recordSurfaceEvent, type Deps } from '../workflow';
import type { AdaptiveCard } from './cards/types';
import {
  dropReference,
  holdNotice,
  keepReference,
  keptOf,
  type HeldWhile,
  type Reference,
} from './conversations';
import type { Installed } from './install';
import { ConversationGone, NotSentYet, type Outbox } from './outbox';
import { nameOf, staffWithRole } from '../workflow/queries';
import { noticeCard } from './views/conversation-cards';

export type Delivery = {
  staffId: string;
  /** The card for the person's own chat. */
  card: AdaptiveCard;
  /** What it is — the kind of notice or card, and what it is about (a request id, never a child's details) —
   * for the log when it cannot be sent: every line about a failed delivery says what and to whom. */
  about: string;
  /** What may be posted in a shared conversation instead: nothing about a child. None: nothing is posted there. */
  pointer?: AdaptiveCard;
  /** Whether to open a personal chat with someone met only in a shared conversation (default yes). A card
   * whose refresh shows each listed person their own view in place (the approval card) need not. */
  openPersonal?: boolean;
  /** Kept by the caller to send later when Teams keeps failing (a notice): answered `{ later: true }`. */
  later?: boolean;
  /** Conversations already written to in this round: one copy per conversation. */
  sentTo?: Set<string>;
  /** Who is told when the person cannot be reached, and what they should know (no child detail); and what
   * the person is shown when they are next reachable ("While you were away"). */
  unreachable?: {
    tell: string[];
    about: string;
    key: string;
    keep?: { title: string; text: string; requestId?: string; while?: HeldWhile };
    /** The caller tells and audits once for a whole round (one summary, not a card per person). */
    summarised?: boolean;
  };
};

export type Delivered =
  | { ref: Reference; activityId: string; shared: boolean }
  | { already: Reference }
  | { unreachable: true; refused?: string }
  | { later: true }
  | undefined;

type Sent = { activityId: string } | 'gone' | 'failed' | 'later';

async function trySend(
  deps: Deps,
  outbox: Outbox,
  staffId: string,
  ref: Reference,
  card: AdaptiveCard,
  log: (s: string) => void,
  what = 'a card',
  later = false,
): Promise<Sent> {
  try {
    const activityId = await outbox.send(ref, card, { what, to: staffId, later });
    return activityId ? { activityId } : 'failed';
  } catch (err) {
    if (err instanceof NotSentYet) return 'later';
    if (err instanceof ConversationGone) {
      log(`bot: ${what} to ${staffId}: ${err.message}; the conversation is forgotten`);
      await dropReference(deps, staffId, ref.conversation.id);
      return 'gone';
    }
    log(`bot: ${what} to ${staffId}: not delivered: ${(err as Error).message}`);
    return 'failed';
  }
}

export async function deliver(
  deps: Deps,
  outbox: Outbox,
  d: Delivery,
  log: (s: string) => void = () => undefined,
): Promise<Delivered> {
  const kept = await keptOf(deps, d.staffId);
  let transient = false;
  let later = false;
  const personal = async (ref: Reference): Promise<Delivered> => {
    if (d.sentTo?.has(ref.conversation.id)) return { already: ref };
    const r = await trySend(deps, outbox, d.staffId, ref, d.card, log, d.about, d.later);
    if (typeof r === 'object') {
      d.sentTo?.add(ref.conversation.id);
      return { ref, activityId: r.activityId, shared: false };
    }
    if (r === 'failed') transient = true;
    if (r === 'later') later = transient = true;
    return undefined;
  };
  if (kept.personal) {
    const done = await personal(kept.personal);
    if (done) return done;
  }
  if (kept.other) {
    const opened = d.openPersonal === false ? undefined : await outbox.openPersonal(kept.other);
    if (opened) {
      await keepReference(deps, d.staffId, opened);
      const done = await personal(opened);
      if (done) return done;
    }
    if (d.pointer) {
      const ref = kept.other;
      if (d.sentTo?.has(ref.conversation.id)) return { already: ref };
      const r = await trySend(
        deps,
        outbox,
        d.staffId,
        ref,
        d.pointer,
        log,
        d.about && `a pointer to ${d.about}`,
        d.later,
      );
      if (typeof r === 'object') {
        d.sentTo?.add(ref.conversation.id);
        return { ref, activityId: r.activityId, shared: true };
      }
      if (r === 'failed') transient = true;
      if (r === 'later') later = transient = true;
    }
  }
  if (later) return { later: true };
  // A connector that failed for a while is not a person out of reach: the failure is logged, nobody told.
  if (transient) return undefined;
  // Nowhere left to write: Overt adds itself for the person (as Teams apps do) and writes in that chat.
  const installed = outbox.install && (await installFor(deps, outbox, d.staffId, outbox.install, log));
  if (installed && 'ref' in installed) {
    const done = await personal(installed.ref);
    if (done) return done;
    if (later) return { later: true };
    if (transient) return undefined;
  }
  if (!d.unreachable) return undefined;
  const left = await keptOf(deps, d.staffId);
  if (left.personal || (left.other && d.pointer)) return undefined;
  const refused = installed && 'refused' in installed ? installed.refused : undefined;
  await unreachable(deps, outbox, d.staffId, d.unreachable, log, refused);
  return { unreachable: true, ...(refused ? { refused } : {}) };
}

/** How long a message Teams keeps failing for is tried, in words (notice-feed.ts: 30 s doubling, 8 tries). */
export const TRIED_FOR = 'about two hours';

/**
 * A message Teams kept failing for (5xx, throttling, no answer) through every later pass: given up, and told
 * as the could-not-reach path tells — kept for the person to see when they next open Overt, the people who can
 * act told by name (or when they next open Overt, if Teams fails them too), and an audit event.
 */
export async function notDelivered(
  deps: Deps,
  outbox: Outbox,
  staffId: string,
  u: NonNullable<Delivery['unreachable']>,
  log: (s: string) => void = () => undefined,
): Promise<void> {
  await unreachable(deps, outbox, staffId, { ...u, summarised: false }, log, undefined, true);
}

/** The install through Graph, kept and audited (`bot.install`, installed or refused with why); once per
 * person at a time, so a round of cards to many people installs each once. */
const installing = new WeakMap<Deps, Map<string, Promise<Installed>>>();
async function installFor(
  deps: Deps,
  outbox: Outbox,
  staffId: string,
  install: NonNullable<Outbox['install']>,
  log: (s: string) => void,
): Promise<Installed> {
  const inFlight = installing.get(deps) ?? new Map<string, Promise<Installed>>();
  installing.set(deps, inFlight);
  const running = inFlight.get(staffId);
  if (running) return running;
  const p = (async (): Promise<Installed> => {
    const r = await install(staffId).catch((e: Error): Installed => ({ refused: e.message }));
    if ('ref' in r) await keepReference(deps, staffId, r.ref);
    await recordSurfaceEvent(deps, `bot-install:${staffId}:${deps.clock().toISOString()}`, {
      action: 'bot.install',
      staffId,
      outcome: 'ref' in r ? 'installed' : 'refused',
      details: 'ref' in r ? {} : { why: r.refused },
    });
    log(
      `bot: ${staffId}: ${'ref' in r ? 'Overt added itself for them in Teams' : `Overt could not add itself for them: ${r.refused}`}`,
    );
    return r;
  })();
  inFlight.set(staffId, p);
  try {
    return await p;
  } finally {
    inFlight.delete(staffId);
  }
}

/** The service managers: who is told when someone cannot be reached. */
export const serviceManagers = (deps: Deps): Promise<string[]> => staffWithRole(deps, 'service-manager');

async function unreachable(
  deps: Deps,
  outbox: Outbox,
  staffId: string,
  u: NonNullable<Delivery['unreachable']>,
  log: (s: string) => void,
  refused?: string,
  /** Teams itself kept failing (5xx, no answer), through every later pass: not a person out of reach. */
  teamsFailed = false,
): Promise<void> {
  const name = await nameOf(deps, staffId);
  // Not lost: the person is shown it when they next open Overt (held.ts in conversations.ts).
  if (u.keep) await holdNotice(deps, staffId, u.keep);
  if (u.summarised) return;
  const tell = [...new Set(u.tell)].filter((id) => id !== staffId);
  const told: string[] = [];
  const title = teamsFailed ? `Overt could not send ${name} a message` : `Overt cannot reach ${name}`;
  const text = teamsFailed
    ? `Teams did not accept a message from Overt for ${name}, though Overt tried for ${TRIED_FOR}. ${u.about}` +
      (u.keep ? ' Overt will show it to them when they next open Overt in Teams.' : '')
    : refused
      ? `${name} does not have the Overt app in Teams, and Overt could not add it for them: ${refused}. Overt cannot send them anything until it is added (an administrator can allow it, or ${name} can add Overt in Teams). ${u.about}`
      : `${name} does not have the Overt app in Teams (it was never added for them, or they removed or blocked it, or left the only chat Overt could use), so Overt cannot send them anything. ${u.about}` +
        (u.keep ? ' Overt will show it to them when they next open Overt in Teams.' : '');
  const card = noticeCard(title, text);
  for (const id of tell) {
    const r = await deliver(
      deps,
      outbox,
      { staffId: id, card, about: `the notice that ${staffId} cannot be reached (${u.key})`, pointer: card },
      log,
    );
    if (r && !('unreachable' in r)) told.push(id);
  }
  const later = await tellOnReturn(
    deps,
    tell.filter((id) => !told.includes(id)),
    { title, text, ...(u.keep?.while ? { while: u.keep.while } : {}) },
  );
  await recordSurfaceEvent(deps, `bot-${teamsFailed ? 'not-delivered' : 'unreachable'}:${staffId}:${u.key}`, {
    action: 'bot.deliver',
    target: { kind: 'staff', id: staffId },
    outcome: teamsFailed ? 'not-delivered' : 'unreachable',
    details: {
      about: u.key,
      told,
      ...(later.length ? { toldOnReturn: later } : {}),
      kept: u.keep ? 'yes' : 'no',
      ...(refused ? { why: refused } : {}),
    },
  });
  log(
    `bot: ${staffId} ${teamsFailed ? `was not sent ${u.key}: Teams kept failing for ${TRIED_FOR}` : 'cannot be reached'}; told ${told.join(', ') || 'nobody now'}${later.length ? `; kept for ${later.join(', ')} to be told when they next open Overt` : ''}`,
  );
}

/**
 * Those who should have been told that someone cannot be reached, but cannot be reached now either (every
 * conversation gone: a 404 for all, as after the connector lost its conversations): the news is kept for
 * each of them and shown when they next open Overt ("While you were away"), so a named person is always told.
 * Whom it was kept for.
 */
export async function tellOnReturn(
  deps: Deps,
  who: string[],
  notice: { title: string; text: string; requestId?: string; while?: HeldWhile },
): Promise<string[]> {
  for (const id of who) await holdNotice(deps, id, notice);
  return who;
}
