/**
 * The bot's conversation-reference port: the one file of src/bot that keeps anything in the store (the layout
 * rules allow it alone; everything else the bot reads or records goes through the workflow). It keeps the
 * conversation references the bot needs to write first (approval cards, notices): one `conversation`
 * record per member of staff, holding their personal chat and, failing that, another conversation where
 * they met the bot; and the copies of each approval card sent (a `card` record), so a decision updates every one.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Deps } from '../workflow';

/** The parts of a Bot Framework conversation reference the bot keeps (zod: the store's JSON is parsed back). */
export const Reference = z.object({
  channelId: z.string(),
  serviceUrl: z.string(),
  conversation: z
    .object({ id: z.string(), conversationType: z.string().optional(), tenantId: z.string().optional() })
    .passthrough(),
  bot: z.object({ id: z.string(), name: z.string().optional() }).passthrough().optional(),
  user: z
    .object({ id: z.string(), name: z.string().optional(), aadObjectId: z.string().optional() })
    .passthrough()
    .optional(),
  locale: z.string().optional(),
});
export type Reference = z.infer<typeof Reference>;

/** A notice that could not be delivered, kept for the person until they are next reachable. */
/** What a kept notice says must still hold when it is shown (workflow/notice-feed.ts `noticeHolds`): a
 * "waiting for a decision" kept for days is not shown once the request was decided. */
export const HeldWhile = z.object({
  kind: z.string(),
  requestId: z.string().optional(),
  ripaId: z.string().optional(),
  childId: z.string().optional(),
  authority: z.string().optional(),
  dueOn: z.string().optional(),
});
export type HeldWhile = z.infer<typeof HeldWhile>;
const Held = z.object({
  title: z.string(),
  text: z.string(),
  requestId: z.string().optional(),
  while: HeldWhile.optional(),
  at: z.string(),
});
export type Held = z.infer<typeof Held>;
/** At most this many notices are kept for one person (the oldest go first). */
const MAX_HELD = 20;

const Kept = z.object({
  personal: Reference.optional(),
  other: Reference.optional(),
  held: z.array(Held).optional(),
  /** The person's Teams user id (MRI) from their own last activity: who they are to Teams, kept when a
   * conversation is dropped (a block does not change it), so a card's refresh still names them. */
  userId: z.string().optional(),
  /** The last event of Overt being added for the person, and whether its twin came (`claimArrival`). */
  arrival: z.object({ at: z.string(), kind: z.string(), paired: z.boolean().optional() }).optional(),
});
type Kept = z.infer<typeof Kept>;

const hash = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 32);
/**
 * Keeps a member of staff's reference, and the Teams user id (MRI) it names; writes only when either changed.
 * Every activity from the person comes here (a message, a card click, the app added again): whatever was
 * dropped for them (a block, a removal) is restored by their next word. Read from the store each time, never
 * from a copy kept in memory: another writer (a drop after a 403, another instance of the bot) would leave
 * such a copy saying "already kept" while the store holds nothing, and the person would never be written to
 * again (issue 20 walk).
 */
export async function keepReference(
  deps: Deps,
  staffId: string,
  ref: Reference,
  how: { restoreOnly?: boolean } = {},
): Promise<void> {
  const personal = ref.conversation.conversationType === 'personal';
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await deps.store.get('conversation', staffId);
    const parsed = found ? Kept.safeParse(found.record.reference) : undefined;
    const kept = parsed?.success ? parsed.data : {};
    // `restoreOnly` (a card click): only what is missing is kept for someone met before (a block or a removal
    // dropped it); a way in already kept is left as it is, and someone never met is reached by installing.
    if (how.restoreOnly && !found) return;
    const slot = personal ? 'personal' : 'other';
    const next: Kept = {
      ...kept,
      [slot]: how.restoreOnly ? (kept[slot] ?? ref) : ref,
      ...(ref.user?.id ? { userId: ref.user.id } : {}),
    };
    if (hash(next) === hash(kept)) return;
    const r = await writeKept(deps, staffId, next, found);
    if (r.status !== 'conflict') return;
  }
}

/** A member of staff's kept conversations: their personal chat, and another where they met the bot. */
export async function keptOf(deps: Deps, staffId: string): Promise<Kept> {
  const found = await deps.store.get('conversation', staffId);
  const kept = found ? Kept.safeParse(found.record.reference) : undefined;
  return kept?.success ? kept.data : {};
}

/**
 * Forgets a conversation of a member of staff: the app was removed, the bot taken out of the chat, or the
 * connector answered 403/404 for it. Only the slot holding that conversation is cleared.
 */
export async function dropReference(deps: Deps, staffId: string, conversationId: string): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await deps.store.get('conversation', staffId);
    if (!found) return false;
    const parsed = Kept.safeParse(found.record.reference);
    const kept = parsed.success ? parsed.data : {};
    const next: Kept = {
      ...(kept.personal && kept.personal.conversation.id !== conversationId
        ? { personal: kept.personal }
        : {}),
      ...(kept.other && kept.other.conversation.id !== conversationId ? { other: kept.other } : {}),
      ...(kept.held ? { held: kept.held } : {}),
      ...(kept.userId ? { userId: kept.userId } : {}),
    };
    if (hash(next) === hash(kept)) return false;
    const r = await deps.store.commit({
      key: `conversation:${staffId}:drop:${hash(next)}:${found.version}`,
      at: deps.clock().toISOString(),
      writes: [
        {
          kind: 'conversation',
          record: {
            id: staffId,
            reference: JSON.parse(JSON.stringify(next)) as never,
            updatedAt: deps.clock().toISOString(),
          },
          ifVersion: found.version,
        },
      ],
      audit: [],
    });
    if (r.status !== 'conflict') return true;
  }
  return false;
}

/**
 * Forgets a conversation for everyone who met the bot there: Overt was removed from it (conversationUpdate
 * membersRemoved with the bot, installationUpdate remove), so nobody's reference to it is any use. Returns
 * whose were dropped.
 */
export async function forgetConversation(deps: Deps, conversationId: string): Promise<string[]> {
  const all = await deps.store.query('conversation');
  const holders = all
    .filter((c) => {
      const kept = Kept.safeParse(c.record.reference);
      return (
        kept.success &&
        [kept.data.personal, kept.data.other].some((r) => r?.conversation.id === conversationId)
      );
    })
    .map((c) => c.record.id);
  const dropped: string[] = [];
  for (const id of holders) if (await dropReference(deps, id, conversationId)) dropped.push(id);
  return dropped;
}

/** Changes what is kept for a member of staff (optimistic, retried on a concurrent change). */
async function changeKept(
  deps: Deps,
  staffId: string,
  change: (kept: Kept) => Kept | undefined,
): Promise<Kept | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await deps.store.get('conversation', staffId);
    const parsed = found ? Kept.safeParse(found.record.reference) : undefined;
    const kept = parsed?.success ? parsed.data : {};
    const next = change(kept);
    if (!next) return undefined;
    const r = await writeKept(deps, staffId, next, found);
    if (r.status !== 'conflict') return kept;
  }
  return undefined;
}

/** Keeps a notice that could not be delivered, to be shown when the person is next reachable. */
export async function holdNotice(deps: Deps, staffId: string, notice: Omit<Held, 'at'>): Promise<void> {
  const held: Held = { ...notice, at: deps.clock().toISOString() };
  await changeKept(deps, staffId, (kept) => ({
    ...kept,
    held: [...(kept.held ?? []), held].slice(-MAX_HELD),
  }));
}

/** Teams sends two events when Overt is added (installationUpdate and conversationUpdate), often at once. */
const ARRIVAL_MS = 60_000;

/**
 * Whether this event answers Overt being added for a member of staff (issue 20 walk: the count of what waits,
 * and what was kept while they could not be reached, came twice, once per event). One install is one event of
 * each kind, within a minute: the first answers, the other of its pair says nothing; another event of the kind
 * that answered (Overt added again) answers again. Claimed in the store (optimistic, so of two events at once,
 * on one instance or two, one wins).
 */
export async function claimArrival(
  deps: Deps,
  staffId: string,
  kind: 'installationUpdate' | 'conversationUpdate',
): Promise<boolean> {
  const now = deps.clock();
  let answers = false;
  await changeKept(deps, staffId, (kept) => {
    const last = kept.arrival;
    const twin =
      last && !last.paired && last.kind !== kind && now.getTime() - Date.parse(last.at) < ARRIVAL_MS;
    answers = !twin;
    return { ...kept, arrival: twin ? { ...last, paired: true } : { at: now.toISOString(), kind } };
  });
  return answers;
}

/** The notices kept for a member of staff, taken (no longer kept). */
export async function takeHeld(deps: Deps, staffId: string): Promise<Held[]> {
  const found = await deps.store.get('conversation', staffId);
  const parsed = found ? Kept.safeParse(found.record.reference) : undefined;
  if (!parsed?.success || !parsed.data.held?.length) return [];
  const before = await changeKept(deps, staffId, (kept) => {
    if (!kept.held?.length) return undefined;
    const { held: _held, ...rest } = kept;
    return rest;
  });
  return before?.held ?? [];
}

/** Where to write to a member of staff: their personal chat, else another conversation they met the bot in. */
export async function referenceOf(deps: Deps, staffId: string): Promise<Reference | undefined> {
  const found = await deps.store.get('conversation', staffId);
  if (!found) return undefined;
  const kept = Kept.safeParse(found.record.reference);
  return kept.success ? (kept.data.personal ?? kept.data.other) : undefined;
}

/**
 * A member of staff's Teams user id (their MRI, "29:…"), as a card's `refresh.userIds` needs it (Microsoft
 * Learn, "Work with Universal Actions for Adaptive Cards": userIds is an array of user MRIs, at most 60; the
 * MRI is `activity.from.id`). It is the `from.id` Teams sent with one of the person's own activities, kept
 * with the conversation it came in; never their staff id nor their Entra object id, which Teams would not
 * match. Undefined until Teams has told Overt (a chat Overt opened by installing itself names nobody yet):
 * such a person is left out of the list and opens the card by hand.
 */
export async function channelUserId(deps: Deps, staffId: string): Promise<string | undefined> {
  const found = await deps.store.get('conversation', staffId);
  const kept = found ? Kept.safeParse(found.record.reference) : undefined;
  if (!kept?.success) return undefined;
  return kept.data.userId ?? [kept.data.personal, kept.data.other].find((r) => r?.user?.id)?.user?.id;
}

const Copy = z.object({ reference: Reference, activityId: z.string() });
const Copies = z.array(Copy);
export type Copy = z.infer<typeof Copy>;

export async function cardCopies(deps: Deps, requestId: string): Promise<Copy[]> {
  const found = await deps.store.get('card', requestId);
  const parsed = found ? Copies.safeParse(found.record.copies) : undefined;
  return parsed?.success ? parsed.data : [];
}

/** Forgets copies of a request's approval card in a conversation that has gone. */
export async function dropCardCopies(deps: Deps, requestId: string, conversationId: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await deps.store.get('card', requestId);
    if (!found) return;
    const before = Copies.safeParse(found.record.copies);
    const all = (before.success ? before.data : []).filter(
      (c) => c.reference.conversation.id !== conversationId,
    );
    const r = await deps.store.commit({
      key: `cards:${requestId}:drop:${hash(all)}:${found.version}`,
      at: deps.clock().toISOString(),
      writes: [{ kind: 'card', record: { id: requestId, copies: all as never }, ifVersion: found.version }],
      audit: [],
    });
    if (r.status !== 'conflict') return;
  }
}

/** Adds sent copies of a request's approval card (optimistic, retried on a concurrent add). */
export async function addCardCopies(deps: Deps, requestId: string, copies: Copy[]): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await deps.store.get('card', requestId);
    const before = found ? Copies.safeParse(found.record.copies) : undefined;
    const all = JSON.parse(JSON.stringify([...(before?.success ? before.data : []), ...copies])) as Copy[];
    const r = await deps.store.commit({
      key: `cards:${requestId}:${hash(all)}`,
      at: deps.clock().toISOString(),
      writes: [
        {
          kind: 'card',
          record: { id: requestId, copies: all as never },
          ifVersion: found ? found.version : null,
        },
      ],
      audit: [],
    });
    if (r.status !== 'conflict') return;
  }
}

/** Writes a person's kept references over the version read (`found`), or as new: a conflict means another
 * turn wrote first, and the caller reads again. */
function writeKept(
  deps: Deps,
  staffId: string,
  next: Kept,
  found: { version: string } | undefined,
): ReturnType<Deps['store']['commit']> {
  return deps.store.commit({
    key: `conversation:${staffId}:${hash(next)}:${found?.version ?? 'new'}`,
    at: deps.clock().toISOString(),
    writes: [
      {
        kind: 'conversation',
        record: {
          id: staffId,
          reference: JSON.parse(JSON.stringify(next)) as never,
          updatedAt: deps.clock().toISOString(),
        },
        ifVersion: found ? found.version : null,
      },
    ],
    audit: [],
  });
}
