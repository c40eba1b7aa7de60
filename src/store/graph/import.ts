import type { AuditEvent } from '../audit';
import type { Kind, RecordOf } from '../records';
import { ok, type GraphCall } from './batch';
import { unexpected } from './context';
import { fieldsOf } from './fields';
import type { GraphStore } from './graph-store';
import { doneUnitCall, eventCall } from './units';

/**
 * Bulk writes for `overt migrate`: records, audit events and finished units copied as they are (the
 * events keep their seq and hashes, so the chain verifies unchanged). Only into an empty store: the
 * migration checks that first. 100 items a round (five `$batch`es of 20 at once).
 */
const ROUND = 100;

async function send(store: GraphStore, calls: GraphCall[], what: string): Promise<void> {
  for (let i = 0; i < calls.length; i += ROUND) {
    const replies = await store.ctx.batcher.parallel(calls.slice(i, i + ROUND));
    const bad = replies.find((r) => !ok(r));
    if (bad) throw unexpected(`importing ${what}`, bad);
  }
}

export async function importRecords<K extends Kind>(
  store: GraphStore,
  kind: K,
  records: RecordOf<K>[],
): Promise<void> {
  const url = store.ctx.items(kind);
  await send(
    store,
    records.map((r) => ({ method: 'POST', url, body: { fields: fieldsOf(kind, r as { id: string }) } })),
    `${kind} records`,
  );
}

export async function importEvents(store: GraphStore, events: AuditEvent[]): Promise<void> {
  await send(
    store,
    events.map((e) => eventCall(store.ctx, e)),
    'audit events',
  );
  const last = events[events.length - 1];
  if (last) store.ctx.tail = { seq: last.seq, hash: last.hash };
}

export async function importUnits(
  store: GraphStore,
  units: { key: string; at: string; result: unknown }[],
): Promise<void> {
  await send(
    store,
    units.map((u) => doneUnitCall(store.ctx, u)),
    'units',
  );
}
