import type { AuditEvent } from '../audit';
import type { Kind, RecordOf } from '../records';
import { retrying } from '../../util/retry';
import { GraphUnavailableError, isUniqueViolation, ok, type GraphCall } from './batch';
import { unexpected } from './context';
import { fieldsOf } from './fields';
import type { GraphStore } from './graph-store';
import { RECORD_ID, UnitColumns } from './lists';
import { doneUnitCall, eventCall } from './units';

/**
 * Bulk writes for `overt migrate`: records, audit events and finished units copied as they are (the
 * events keep their seq and hashes, so the chain verifies unchanged). Every copy is a create under a unique
 * column (record id, seq, unit key), so sending one again is harmless: "already there" (a round cut off
 * after Graph ran it, or a rerun) counts as copied, and the migration checks afterwards that what is there
 * is what was sent. 100 items a round (five `$batch`es of 20 at once); a round that fails on the way
 * (a dropped connection, throttling past the batcher's rounds, a timeout) is sent again under the one retry
 * policy.
 */
const ROUND = 100;

export type Progress = (done: number) => void;

async function send(store: GraphStore, calls: GraphCall[], what: string, progress?: Progress): Promise<void> {
  for (let i = 0; i < calls.length; i += ROUND) {
    const round = calls.slice(i, i + ROUND);
    await retrying(
      async () => {
        const replies = await store.ctx.batcher.parallel(round);
        const bad = replies.find((r) => !ok(r) && !isUniqueViolation(r));
        if (bad) throw unexpected(`importing ${what}`, bad);
      },
      (err) => err instanceof GraphUnavailableError && {},
      { policy: { attempts: 8, baseMs: 500, maxMs: 15_000 } },
    );
    progress?.(Math.min(i + ROUND, calls.length));
  }
}

export async function importRecords<K extends Kind>(
  store: GraphStore,
  kind: K,
  records: RecordOf<K>[],
  progress?: Progress,
): Promise<void> {
  const url = store.ctx.items(kind);
  await send(
    store,
    records.map((r) => ({ method: 'POST', url, body: { fields: fieldsOf(kind, r as { id: string }) } })),
    `${kind} records`,
    progress,
  );
}

export async function importEvents(
  store: GraphStore,
  events: AuditEvent[],
  progress?: Progress,
): Promise<void> {
  await send(
    store,
    events.map((e) => eventCall(store.ctx, e)),
    'audit events',
    progress,
  );
  const last = events[events.length - 1];
  if (last && (store.ctx.tail?.seq ?? 0) < last.seq) store.ctx.tail = { seq: last.seq, hash: last.hash };
}

export async function importUnits(
  store: GraphStore,
  units: { key: string; at: string; result: unknown }[],
  progress?: Progress,
): Promise<void> {
  await send(
    store,
    units.map((u) => doneUnitCall(store.ctx, u)),
    'units',
    progress,
  );
}

/** The ids of every item in a kind's list (one column read, a page of 1,000 at a time). */
export async function existingIds(store: GraphStore, kind: Kind): Promise<Set<string>> {
  const ids = new Set<string>();
  const select = `$expand=fields($select=${RECORD_ID})`;
  for await (const items of store.ctx.pages(kind, { select }))
    for (const i of items) ids.add(String(i.fields[RECORD_ID]));
  return ids;
}

/** The key of every unit item. */
export async function existingUnitKeys(store: GraphStore): Promise<Set<string>> {
  const keys = new Set<string>();
  const select = `$expand=fields($select=${UnitColumns.key})`;
  for await (const items of store.ctx.pages('units', { select }))
    for (const i of items) keys.add(String(i.fields[UnitColumns.key]));
  return keys;
}
