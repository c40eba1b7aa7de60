import { hash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { plural } from '../util/plural';
import { IsoDate, Opaque, Role } from './records';

/**
 * The audit trail: append-only events, each carrying the hash of the one before it, so that an edited,
 * removed or reordered event breaks the chain at that event.
 *
 * Events in the second form (those with `detailsHash`, every event written since) commit to a hash of
 * their details rather than to the details themselves, so retention can erase an event's details and
 * keep the hash: the chain still verifies, and the erasure is itself an event (`retention.erase`) naming
 * the events it erased. They also carry, on a unit's first event, a digest of every record the unit
 * wrote (`writes`), so a record edited outside Overt no longer matches the event that wrote it.
 *
 * The hash alone is public arithmetic: whoever can write the store can append an event and compute its hash.
 * So every event written by Overt also carries a seal (`seal`): an HMAC-SHA256 of its hash (which covers its
 * canonical content and the previous event's hash) under a key derived from the audit signing key, which the
 * store does not hold (anchor.ts). An event appended without the key has no valid seal and never verifies.
 * Events written before seals existed are vouched for by a signed checkpoint of exactly their count, or by a
 * sealed `audit.adopt` event right after them naming their count (see `SealCheck`).
 */

export const Actor = z.object({ id: z.string().min(1), role: Role.optional() });
export type Actor = z.infer<typeof Actor>;

export const Target = z.object({ kind: z.string().min(1), id: z.string().min(1) });
export type Target = z.infer<typeof Target>;

/** What the workflow hands the store: one event of a unit. The store adds seq, id, time, key and hashes. */
export const AuditDraft = z.object({
  actor: Actor,
  /** What was attempted, e.g. `request.raise`, `request.decide`, `check.record`. */
  action: z.string().min(1),
  target: Target,
  /** How it ended, e.g. the verdict's outcome: `allow`, `refuse`, `needs-escalation`. */
  outcome: z.string().min(1),
  /** The clauses the verdict rests on, e.g. `000 §11`. */
  cites: z.array(z.string().min(1)).default([]),
  profileId: z.string().min(1).optional(),
  profileVersion: z.string().min(1).optional(),
  details: Opaque.default({}),
});
export type AuditDraft = z.input<typeof AuditDraft>;

/** The hash before the first event. */
export const GENESIS = '0'.repeat(64);

/** The action of the event that records an erasure of details (its details name the erased events). */
export const ERASE_ACTION = 'retention.erase';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest');

/** A record a unit wrote, as its kind, id and the SHA-256 of its canonical JSON. */
export const WriteDigest = z.object({ kind: z.string().min(1), id: z.string().min(1), digest: Sha256 });
export type WriteDigest = z.infer<typeof WriteDigest>;

export const AuditEvent = z.object({
  seq: z.number().int().positive(),
  id: z.string().min(1),
  at: IsoDate,
  actor: Actor,
  action: z.string().min(1),
  target: Target,
  outcome: z.string().min(1),
  cites: z.array(z.string().min(1)),
  profileId: z.string().min(1).optional(),
  profileVersion: z.string().min(1).optional(),
  /** The idempotency key of the unit that wrote it. */
  key: z.string().min(1),
  details: Opaque,
  /** SHA-256 of the details' canonical JSON (second form); the hash covers this, not the details. */
  detailsHash: Sha256.optional(),
  /** The records the unit wrote (second form, on the unit's first event). */
  writes: z.array(WriteDigest).optional(),
  /** The details were erased by retention (not hashed: the details are `{}` and `detailsHash` remains). */
  detailsErased: z.literal(true).optional(),
  prevHash: Sha256,
  hash: Sha256,
  /** HMAC-SHA256 of `hash` under the audit key's seal key (anchor.ts): proves Overt wrote it. */
  seal: Sha256.optional(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const sha256 = (text: string): string => hash('sha256', text, 'hex');

/** The digest of a record (or of an event's details): SHA-256 over its canonical JSON. */
export const digestOf = (value: unknown): string => sha256(canonicalJson(value));

/** SHA-256 over the canonical JSON of the event without its own hash (prevHash included). In the second
 * form the details are replaced by their hash. */
export function hashEvent(event: Omit<AuditEvent, 'hash'>): string {
  const { seq, id, at, actor, action, target, outcome, cites, profileId, profileVersion, key } = event;
  const { details, detailsHash, writes, prevHash } = event;
  const common = { seq, id, at, actor, action, target, outcome, cites, profileId, profileVersion, key };
  const body =
    detailsHash === undefined
      ? { ...common, details, prevHash }
      : { ...common, detailsHash, writes, prevHash };
  return sha256(canonicalJson(body));
}

/** Chains a unit's drafts onto the event before them; `writes` (the unit's records, as written) are
 * digested onto its first event. */
export function chain(
  drafts: readonly AuditDraft[],
  previous: { seq: number; hash: string } | undefined,
  unit: { key: string; at: string },
  newId: () => string,
  writes: readonly { kind: string; record: { id: string } }[] = [],
  seal?: (hash: string) => string,
): AuditEvent[] {
  let seq = previous?.seq ?? 0;
  let prevHash = previous?.hash ?? GENESIS;
  return drafts.map((input, index) => {
    const draft = AuditDraft.parse(input);
    seq += 1;
    const written =
      index === 0 && writes.length > 0
        ? writes.map((w) => ({ kind: w.kind, id: w.record.id, digest: digestOf(w.record) }))
        : undefined;
    const body: Omit<AuditEvent, 'hash'> = {
      seq,
      id: newId(),
      at: unit.at,
      actor: draft.actor,
      action: draft.action,
      target: draft.target,
      outcome: draft.outcome,
      cites: draft.cites,
      ...(draft.profileId === undefined ? {} : { profileId: draft.profileId }),
      ...(draft.profileVersion === undefined ? {} : { profileVersion: draft.profileVersion }),
      key: unit.key,
      details: draft.details,
      detailsHash: digestOf(draft.details),
      ...(written ? { writes: written } : {}),
      prevHash,
    };
    const h = hashEvent(body);
    const event: AuditEvent = { ...body, hash: h, ...(seal ? { seal: seal(h) } : {}) };
    prevHash = event.hash;
    return event;
  });
}

/** Which events an erasure event names. */
export function erasedBy(event: Pick<AuditEvent, 'action' | 'details'>): number[] {
  if (event.action !== ERASE_ACTION) return [];
  const named = (event.details as { events?: unknown } | null)?.events;
  return Array.isArray(named) ? named.filter((n): n is number => Number.isInteger(n)) : [];
}

export type VerifyResult =
  | { ok: true; count: number }
  | {
      ok: false;
      seq: number;
      reason: string;
      /** The break is only that events from before seals are vouched for by nothing: `overt audit adopt`
       * (after checking them) is the way to anchor them. */
      unvouched?: true;
    };

/** The action of the event that anchors a trail here (`overt audit adopt`); its details name the count. */
export const ADOPT_ACTION = 'audit.adopt';

/**
 * How seals are checked: `sealOf` computes the seal of a hash with the key. Every event must carry its
 * seal, except the events of an unsealed prefix (1..V, written before seals, or sealed with another key
 * before an adoption). In a whole walk V is found: the events before the first one sealed with this key
 * (or all of them), and it must be vouched for, by a signed checkpoint of exactly V events (`anchors`) or by
 * the event V+1 being a sealed adoption naming V. A later checkpoint over them does not vouch: an event
 * appended without the key just before a sealed one would otherwise be covered by the next checkpoint.
 * An incremental walk is given V (`vouched`), found by the whole walk before it.
 */
export type SealCheck = { sealOf: (hash: string) => string; vouched?: number };

const sameHex = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

export type VerifyOptions = {
  /** Start after this event (already verified), instead of at the genesis. */
  start?: { seq: number; hash: string };
  /** Stop after this many events (a window); then `ok` with the events seen. */
  limit?: number;
  /** Hashes signed outside the store, by the count of events they cover: each must be the hash of that
   * event (see anchor.ts). */
  anchors?: ReadonlyMap<number, string>;
  /** Called with each event's record digests, in seq order (the later a write, the newer). */
  onWrites?: (seq: number, writes: readonly WriteDigest[]) => void;
  /** Whether every erased event must be named by a later erasure event (a whole walk: true). */
  accountErasures?: boolean;
  /** Called with the last event verified, when the walk ends intact. */
  onHead?: (head: { seq: number; hash: string }) => void;
  /** Check every event's seal (the key's holder: the service, `overt audit verify`). */
  seal?: SealCheck;
  /** Told the unsealed prefix's length a whole walk found (0: every event is sealed). */
  onVouched?: (vouched: number) => void;
};

type Row = { seq: number; event: unknown; problem?: string };

/**
 * Walks stored events in seq order and names the first one that breaks the chain: a gap in seq, a
 * row that does not parse, a prevHash that is not the previous event's hash, a hash that does not
 * match the event's contents, details that do not match their hash, an event in the first form after
 * the second, a hash that differs from one signed outside the store, or details erased with no erasure
 * event naming them. An adapter may name a `problem` it found in how a row is stored (with no `event` if
 * the row could not be read at all).
 */
export function verifyChain(rows: Iterable<Row>, options: VerifyOptions = {}): VerifyResult {
  const walk = new ChainWalk(options);
  for (const row of rows) {
    const failure = walk.push(row);
    if (failure) return failure;
    if (options.limit !== undefined && walk.count >= options.limit) break;
  }
  return walk.finish();
}

export async function verifyChainAsync(rows: AsyncIterable<Row>, options: VerifyOptions = {}) {
  const walk = new ChainWalk(options);
  for await (const row of rows) {
    const failure = walk.push(row);
    if (failure) return failure;
    if (options.limit !== undefined && walk.count >= options.limit) break;
  }
  return walk.finish();
}

class ChainWalk {
  private expectedSeq: number;
  private prevHash: string;
  count = 0;
  private secondForm = false;
  /** Erased events not yet named by an erasure event. */
  private readonly unaccounted = new Set<number>();
  /** The unsealed prefix: known (given, or found at the first sealed event), or still growing. */
  private vouched: number | undefined;
  private lastUnsealed = 0;

  constructor(private readonly options: VerifyOptions) {
    this.expectedSeq = (options.start?.seq ?? 0) + 1;
    this.prevHash = options.start?.hash ?? GENESIS;
    this.vouched = options.seal?.vouched;
  }

  /** The unsealed prefix 1..v is vouched for by a checkpoint of exactly v, or by `next` adopting v. */
  private vouchedFor(v: number, next?: AuditEvent): boolean {
    if (v === 0) return true;
    if (this.options.anchors?.has(v)) return true;
    const named = (next?.details as { events?: unknown } | undefined)?.events;
    return next?.action === ADOPT_ACTION && named === v;
  }

  private unvouched(v: number): VerifyResult {
    return {
      ok: false,
      seq: v,
      reason: `events 1–${v} carry no seal of the audit key, and no checkpoint signed for exactly ${v} events vouches for them (an event appended outside Overt, or a trail from before seals whose last checkpoint is older: after \`overt audit verify --unanchored\` passes, \`overt audit adopt\` anchors it)`,
      unvouched: true,
    };
  }

  push(row: Row): VerifyResult | undefined {
    const fail = (seq: number, reason: string): VerifyResult => ({ ok: false, seq, reason });
    const expectedSeq = this.expectedSeq;
    if (row.seq !== expectedSeq) {
      return row.seq > expectedSeq
        ? fail(expectedSeq, `event ${expectedSeq} is missing (the next stored is ${row.seq})`)
        : fail(row.seq, `event ${row.seq} is out of order`);
    }
    if (row.problem && row.event === undefined) return fail(row.seq, row.problem);
    const parsed = AuditEvent.safeParse(row.event);
    if (!parsed.success) return fail(row.seq, `event is malformed: ${z.prettifyError(parsed.error)}`);
    const event = parsed.data;
    if (event.seq !== row.seq) return fail(row.seq, `event claims seq ${event.seq}`);
    if (event.prevHash !== this.prevHash)
      return fail(row.seq, `prevHash does not match the hash of event ${row.seq - 1}`);
    if (hashEvent(event) !== event.hash)
      return fail(row.seq, 'hash does not match the event’s contents (edited after writing)');
    if (event.detailsHash === undefined) {
      if (this.secondForm)
        return fail(row.seq, 'an event in the first form after events in the second (rewritten)');
    } else {
      this.secondForm = true;
      if (event.detailsErased) this.unaccounted.add(event.seq);
      else if (digestOf(event.details) !== event.detailsHash)
        return fail(row.seq, 'its details do not match their hash (edited after writing)');
    }
    if (row.problem) return fail(row.seq, row.problem);
    const check = this.options.seal;
    if (check) {
      const sealed = event.seal !== undefined && sameHex(event.seal, check.sealOf(event.hash));
      if (!sealed) {
        if (this.vouched !== undefined && event.seq > this.vouched)
          return fail(
            row.seq,
            event.seal === undefined
              ? 'it carries no seal of the audit key: it was written outside Overt, by someone without the key'
              : 'its seal is not the audit key’s: it was written or changed outside Overt, by someone without the key',
          );
        this.lastUnsealed = event.seq;
      } else if (this.vouched === undefined) {
        const v = event.seq - 1;
        if (v !== this.lastUnsealed)
          return fail(row.seq, 'the events before it are unsealed but not counted');
        if (!this.vouchedFor(v, event)) return this.unvouched(v);
        this.vouched = v;
      }
    }
    const anchored = this.options.anchors?.get(event.seq);
    if (anchored !== undefined && anchored !== event.hash)
      return fail(
        event.seq,
        `its hash differs from the one signed outside the store for the first ${plural(event.seq, 'event')}: an event at or before it was rewritten`,
      );
    for (const seq of erasedBy(event)) this.unaccounted.delete(seq);
    if (event.writes) this.options.onWrites?.(event.seq, event.writes);
    this.prevHash = event.hash;
    this.expectedSeq += 1;
    this.count += 1;
    return undefined;
  }

  finish(): VerifyResult {
    if (this.options.seal && this.vouched === undefined) {
      // No event sealed with this key: all of them are the prefix, vouched for by a checkpoint of them all.
      if (!this.vouchedFor(this.lastUnsealed)) return this.unvouched(this.lastUnsealed);
      this.vouched = this.lastUnsealed;
    }
    if (this.options.seal && this.vouched !== undefined) this.options.onVouched?.(this.vouched);
    if (this.options.accountErasures !== false && this.unaccounted.size > 0) {
      const seq = Math.min(...this.unaccounted);
      return {
        ok: false,
        seq,
        reason: 'its details were erased, but no retention event records the erasure',
      };
    }
    const last = this.expectedSeq - 1;
    if (last > 0) this.options.onHead?.({ seq: last, hash: this.prevHash });
    return { ok: true, count: this.count };
  }
}
