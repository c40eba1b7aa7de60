import { createHash } from 'node:crypto';
import { digestOf } from './audit';
import type { Kind } from './records';

/**
 * The rows written with no audit event, and each kind's rows taken together (brief E12, issue 12 walk).
 *
 * **Sealed rows.** Some records steer what Overt does but are written with no event: a person's
 * conversation reference (its `serviceUrl` is where their cards go), an approval card's copies, the settings
 * (the notices cursor, the adopted profiles, the platform notes, the anchor's note) and the audit projection's
 * checkpoint. The audit guard seals each as it commits it — HMAC-SHA256 of the kind and the record's digest,
 * under the audit key's seal key (anchor.ts `rowSealOf`) — and checks the seal wherever it reads one, in its
 * sweep and in `overt audit verify`: a row edited (or written) by someone without the key carries no seal that
 * matches, so it is a broken trail, never acted on. Leases are not sealed: they say only which instance runs the
 * timers, and a lease is re-taken when it runs out.
 *
 * **Kind digests.** For the kinds every write of which is on the record, the rows of a kind are compared as a
 * whole with what the trail's events wrote: how many, and a hash over each record's id and digest. A row moved
 * to another key (a check's child changed), copied under another id or deleted changes the count or the hash,
 * though no read ever asks for that row.
 */

/** Kinds written with no audit event whose rows carry a seal. */
export const SEALED: ReadonlySet<Kind> = new Set(['conversation', 'card', 'setting', 'projection']);

type Sealable = { id: string; seal?: string | undefined };

/** What a sealed row's seal is computed over: its kind and the digest of the record without its seal. */
function sealText(kind: Kind, record: Sealable): string {
  const { seal: _seal, ...rest } = record;
  return `${kind}:${digestOf(rest)}`;
}

/** The record with its seal (replacing any it had). */
export function sealed<R extends Sealable>(kind: Kind, record: R, rowSealOf: (t: string) => string): R {
  const { seal: _seal, ...rest } = record;
  return { ...rest, seal: rowSealOf(sealText(kind, rest as Sealable)) } as R;
}

/** Why a sealed row cannot be trusted, or undefined if its seal is the audit key's. */
export function sealProblem(
  kind: Kind,
  record: Sealable,
  rowSealOf: (t: string) => string,
): string | undefined {
  if (record.seal === undefined)
    return unsealedSentence(
      `${kind} ${record.id} carries no seal of the audit key (written outside Overt, or by a version before row seals)`,
    );
  if (record.seal !== rowSealOf(sealText(kind, record)))
    return `${kind} ${record.id} does not match its seal (changed outside Overt)`;
  return undefined;
}

export type KindDigest = { count: number; hash: string };

/** The digest of a kind's rows: how many, and a hash over their ids and digests in id order. */
export function kindDigest(rows: Iterable<{ id: string; digest: string }>): KindDigest {
  const lines = [...rows].map((r) => `${r.id}\u0000${r.digest}`).sort();
  const h = createHash('sha256');
  for (const l of lines) h.update(l).update('\n');
  return { count: lines.length, hash: h.digest('hex') };
}

/** The first difference between the rows stored and the records the trail wrote, as a sentence, or undefined
 * if they are the same. `written`: id → the digest and seq of the event that last wrote it. */
export function kindDifference(
  kind: Kind,
  stored: readonly { id: string; digest: string }[],
  written: ReadonlyMap<string, { seq: number; digest: string }>,
): string | undefined {
  const want = kindDigest([...written].map(([id, w]) => ({ id, digest: w.digest })));
  const have = kindDigest(stored);
  if (want.count === have.count && want.hash === have.hash) return undefined;
  const seen = new Set<string>();
  for (const r of stored) {
    if (seen.has(r.id))
      return `two ${kind} rows hold the record of ${kind} ${r.id} (copied outside Overt): ${have.count} stored, ${want.count} written by the audit trail`;
    seen.add(r.id);
    const w = written.get(r.id);
    if (!w) return `${kind} ${r.id} was written by no audit event (put there outside Overt)`;
    if (w.digest !== r.digest)
      return `${kind} ${r.id} differs from what event ${w.seq} wrote (changed outside Overt)`;
  }
  for (const [id, w] of written)
    if (!seen.has(id)) return `${kind} ${id}, written by event ${w.seq}, is missing (deleted outside Overt)`;
  return `the ${kind} rows differ from what the audit trail wrote: ${have.count} stored, ${want.count} written`;
}

/**
 * **Kept answers.** What a command answered is kept under its idempotency key and given back, unrun, to a
 * retry (store.ts `Unit.result`): an answer put under a key by someone without the audit key (another
 * person's record under the key of a command not yet sent, or copied from another key) would be handed to
 * whoever sends that key. So the guard keeps every answer sealed — `{ overtSealedAnswer: 1, result, seal }`,
 * the seal HMAC-SHA256 of the key and the answer's digest under the audit key's row-seal key — and opens it
 * at every replay, in the sweep at start and in `overt audit verify`. Retention's erasure of an answer
 * (`forgetAnswers`) is sealed again by the guard as it writes it.
 */
const ANSWER = 'overtSealedAnswer';

type SealedAnswer = { [ANSWER]: 1; result?: unknown; seal: string };

const answerText = (key: string, result: unknown) =>
  `answer:${key}:${digestOf({ result: result === undefined ? null : result })}`;

/** The answer as kept: sealed with its key. */
export function sealAnswer(key: string, result: unknown, rowSealOf: (t: string) => string): SealedAnswer {
  return {
    [ANSWER]: 1,
    ...(result === undefined ? {} : { result }),
    seal: rowSealOf(answerText(key, result)),
  };
}

/** Whether a kept value is a sealed answer (of any key: the seal is checked by `openAnswer`). */
export function isSealedAnswer(kept: unknown): kept is SealedAnswer {
  return (
    typeof kept === 'object' &&
    kept !== null &&
    (kept as Record<string, unknown>)[ANSWER] === 1 &&
    typeof (kept as Record<string, unknown>).seal === 'string'
  );
}

/** The answer kept under a key, opened: its result, or why it cannot be trusted (`unsealed`: it carries no
 * seal at all, as every answer kept before answers were sealed). */
export function openAnswer(
  key: string,
  kept: unknown,
  rowSealOf: (t: string) => string,
): { ok: true; result: unknown } | { ok: false; problem: string; unsealed: boolean } {
  if (!isSealedAnswer(kept))
    return {
      ok: false,
      unsealed: true,
      problem: `the answer kept under the key ${key} carries no seal of the audit key (put there outside Overt, or kept by a version before answers were sealed)`,
    };
  if (kept.seal !== rowSealOf(answerText(key, kept.result)))
    return {
      ok: false,
      unsealed: false,
      problem: `the answer kept under the key ${key} does not match its seal (changed or copied there outside Overt: a retry would have been answered with it)`,
    };
  return { ok: true, result: kept.result };
}

/** What an operator runs on a store written before seals (said wherever such a store is refused). */
export const SEAL_COMMAND = 'overt audit seal --by <your name> --reason "<why>"';

/** The sentence for a store written before seals: what is unsealed, and the command that seals it. */
export function unsealedSentence(what: string): string {
  return `${what}: if this store was written by a version of Overt before seals, run \`${SEAL_COMMAND}\` (after \`overt audit verify\` names nothing else) to seal what is there, recorded in the audit trail`;
}
