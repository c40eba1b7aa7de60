import { hash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { IsoDate, Opaque, Role } from './records';

/**
 * The audit trail: append-only events, each carrying the hash of the one before it, so that an edited,
 * removed or reordered event breaks the chain at that event.
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

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest');

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
  prevHash: Sha256,
  hash: Sha256,
});
export type AuditEvent = z.infer<typeof AuditEvent>;

/** SHA-256 over the canonical JSON of the event without its own hash (prevHash included). */
export function hashEvent(event: Omit<AuditEvent, 'hash'>): string {
  const {
    seq,
    id,
    at,
    actor,
    action,
    target,
    outcome,
    cites,
    profileId,
    profileVersion,
    key,
    details,
    prevHash,
  } = event;
  const body = {
    seq,
    id,
    at,
    actor,
    action,
    target,
    outcome,
    cites,
    profileId,
    profileVersion,
    key,
    details,
    prevHash,
  };
  return hash('sha256', canonicalJson(body), 'hex');
}

/** Chains a unit's drafts onto the event before them. */
export function chain(
  drafts: readonly AuditDraft[],
  previous: { seq: number; hash: string } | undefined,
  unit: { key: string; at: string },
  newId: () => string,
): AuditEvent[] {
  let seq = previous?.seq ?? 0;
  let prevHash = previous?.hash ?? GENESIS;
  return drafts.map((input) => {
    const draft = AuditDraft.parse(input);
    seq += 1;
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
      prevHash,
    };
    const event = { ...body, hash: hashEvent(body) };
    prevHash = event.hash;
    return event;
  });
}

export type VerifyResult = { ok: true; count: number } | { ok: false; seq: number; reason: string };

/**
 * Walks stored events in seq order and names the first one that breaks the chain: a gap in seq, a
 * row that does not parse, a prevHash that is not the previous event's hash, or a hash that does not
 * match the event's contents. An adapter may name a `problem` it found in how a row is stored
 * (with no `event` if the row could not be read at all).
 */
export function verifyChain(rows: Iterable<{ seq: number; event: unknown; problem?: string }>): VerifyResult {
  let expectedSeq = 1;
  let prevHash = GENESIS;
  let count = 0;
  for (const row of rows) {
    if (row.seq !== expectedSeq) {
      return row.seq > expectedSeq
        ? {
            ok: false,
            seq: expectedSeq,
            reason: `event ${expectedSeq} is missing (the next stored is ${row.seq})`,
          }
        : { ok: false, seq: row.seq, reason: `event ${row.seq} is out of order` };
    }
    if (row.problem && row.event === undefined) return { ok: false, seq: row.seq, reason: row.problem };
    const parsed = AuditEvent.safeParse(row.event);
    if (!parsed.success) {
      return { ok: false, seq: row.seq, reason: `event is malformed: ${z.prettifyError(parsed.error)}` };
    }
    const event = parsed.data;
    if (event.seq !== row.seq) {
      return { ok: false, seq: row.seq, reason: `event claims seq ${event.seq}` };
    }
    if (event.prevHash !== prevHash) {
      return { ok: false, seq: row.seq, reason: `prevHash does not match the hash of event ${row.seq - 1}` };
    }
    if (hashEvent(event) !== event.hash) {
      return {
        ok: false,
        seq: row.seq,
        reason: 'hash does not match the event’s contents (edited after writing)',
      };
    }
    if (row.problem) return { ok: false, seq: row.seq, reason: row.problem };
    prevHash = event.hash;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, count };
}
