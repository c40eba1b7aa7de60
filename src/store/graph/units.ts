import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AuditDraft, AuditEvent, chain } from '../audit';
import { canonicalJson } from '../canonical-json';
import { normaliseDate } from '../indexes';
import { KindName, type Kind } from '../records';
import type { CommitResult, Unit, Versioned, Write } from '../store';
import { checkUnit } from '../validate';
import { GraphUnavailableError, isUniqueViolation, ok, type GraphCall, type GraphReply } from './batch';
import { GraphContext, eventId, unexpected } from './context';
import { GraphItem, WrittenItem, fieldsOf, quote } from './fields';
import { AuditColumns, NOTE_MAX_CHARS, UnitColumns } from './lists';
import { budgetFor, underBudget } from './retry';

/**
 * A unit without transactions. One `$batch` chain, each
 * request depending on the one before: (1) the unit item, keyed by the idempotency key in a unique
 * column, "pending", holding the whole intent (each write with its before-image and expected eTag, and
 * the audit drafts); (2) the record writes, updates with If-Match, creates guarded by the unique record
 * id; (3) the audit events, each at the next seq of a unique column; (4) "done" marks for this
 * instance's earlier units. A unit whose writes and events have all landed is committed; marking it
 * done rides on the next chain (or close). A conflict rolls back what landed and deletes the unit
 * item; a pending unit met later is finished or rolled back from its intent by `reconcile`.
 *
 * Before sending, versions are checked against what this instance has read: a stale `ifVersion` is a conflict
 * with nothing written. A 412 or a taken record id inside the chain is a conflict found late: what landed is
 * put back (the before-image, If-Match on what was written so a later writer is never undone; created items
 * deleted), the unit item deleted so the key is free. Reconciliation (on open, and whenever a commit or replay
 * meets a pending unit) needs no waiting for proof: every event landed, or (no events) every record holds what
 * the unit wrote — then it is marked done. Otherwise, once older than `staleMs` (60 s; its owner may still be
 * sending it), writes still at their expected eTag are made and the events appended, or, if a record moved on,
 * what landed is put back and the unit removed. A request Graph ran whose answer was lost (our own nonce on
 * the unit item, a 412 on a body already ours, a seq taken by our own event) is recognised and carried on.
 */

const PlannedWrite = z.object({
  kind: KindName,
  id: z.string(),
  op: z.enum(['create', 'update']),
  record: z.record(z.string(), z.unknown()),
  /** The unit gave no ifVersion: a conflict here is retried, not answered. */
  blind: z.boolean(),
  itemId: z.string().optional(),
  beforeVersion: z.string().optional(),
  before: z.record(z.string(), z.unknown()).optional(),
});
type PlannedWrite = z.infer<typeof PlannedWrite>;

export const Intent = z.object({
  nonce: z.string(),
  key: z.string(),
  at: z.string(),
  writes: z.array(PlannedWrite),
  audit: z.array(z.unknown()),
});
export type Intent = z.infer<typeof Intent>;

type WriteState =
  { status: 'todo' } | { status: 'landed'; itemId: string; version: string } | { status: 'conflict' };

type Progress = { unitItemId?: string; writes: WriteState[]; events: AuditEvent[] };

type Driven =
  | { kind: 'done'; events: AuditEvent[]; versions: { kind: Kind; id: string; version: string }[] }
  | { kind: 'conflict'; index: number }
  | { kind: 'existing' };

/** The unit item's fields (their names are UnitColumns'). */
const UnitFields = z.object({
  ovKey: z.string(),
  ovState: z.enum(['pending', 'done']),
  ovStartedAt: z.string(),
  ovIntent: z.string(),
  ovResult: z.string().optional(),
});
export type UnitItem = { itemId: string; fields: z.infer<typeof UnitFields> };

const UNIT_SELECT = `$expand=fields($select=${Object.values(UnitColumns).join(',')})`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function resultOf(item: UnitItem): unknown {
  const raw = item.fields.ovResult;
  return raw === undefined ? undefined : (JSON.parse(raw) as unknown);
}

export class UnitWriter {
  /** Committed units of this instance not yet marked done, by key → unit item id. */
  readonly undone = new Map<string, string>();

  /** Keys this instance is committing now. */
  private readonly active = new Map<string, number>();

  constructor(private readonly ctx: GraphContext) {}

  async commit(unit: Unit): Promise<CommitResult> {
    const writes = checkUnit(unit);
    const drafts = unit.audit.map((d) => AuditDraft.parse(d));
    this.active.set(unit.key, (this.active.get(unit.key) ?? 0) + 1);
    try {
      // One budget for the whole commit: its re-plans and every $batch it sends (retry.ts).
      return await underBudget(this.ctx.retry, () => this.attempt(unit, writes, drafts));
    } finally {
      const n = (this.active.get(unit.key) ?? 1) - 1;
      if (n > 0) this.active.set(unit.key, n);
      else this.active.delete(unit.key);
    }
  }

  private async attempt(unit: Unit, writes: Write[], drafts: AuditDraft[]): Promise<CommitResult> {
    const budget = budgetFor(this.ctx.retry);
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 && budget.wait(attempt - 1, 0) === undefined)
        throw new GraphUnavailableError(`unit ${unit.key}: could not commit after ${attempt} attempts`);
      const planned = await this.plan(writes, drafts.length > 0);
      if (!Array.isArray(planned)) return planned;
      const intent: Intent = {
        nonce: randomUUID(),
        key: unit.key,
        at: unit.at,
        writes: planned,
        audit: drafts,
      };
      // A unit that cannot be kept is a bug of its command (it must write in bounded parts, as the case list
      // does): said plainly before anything is sent, not found as a 400 retried until the budget runs out.
      for (const [what, text] of [
        ['intent', JSON.stringify(intent)],
        ['result', JSON.stringify(unit.result) ?? ''],
      ] as const)
        if (text.length > NOTE_MAX_CHARS)
          throw new Error(
            `unit ${unit.key}: its ${what} is ${text.length.toLocaleString('en-GB')} characters as JSON, over the ${NOTE_MAX_CHARS.toLocaleString('en-GB')} a SharePoint column holds (${writes.length} writes): nothing was written; the command must write in smaller units`,
          );
      const progress: Progress = { writes: planned.map(() => ({ status: 'todo' })), events: [] };
      const driven = await this.drive(intent, progress, unit.result);
      if (driven.kind === 'done')
        return { status: 'committed', events: driven.events, versions: driven.versions };
      if (driven.kind === 'conflict') {
        const w = planned[driven.index]!;
        if (w.blind) continue;
        const now = await this.ctx.fetch(w.kind, w.id);
        return {
          status: 'conflict',
          kind: w.kind,
          id: w.id,
          current: now && { record: now.record, version: now.version },
        };
      }
      const met = await this.meet(unit.key, intent.nonce);
      if (met.kind === 'replayed') return { status: 'replayed', result: met.result };
      if (met.kind === 'done') return { status: 'committed', events: met.events, versions: met.versions };
    }
  }

  /** What each write will do, from what this instance has seen or one batched read; or the conflict. */
  private async plan(writes: Write[], needTail: boolean): Promise<PlannedWrite[] | CommitResult> {
    const ctx = this.ctx;
    const fresh = writes.map((w) => {
      const seen = ctx.seen.get(`${w.kind}/${w.record.id}`);
      const trust = seen && (w.ifVersion === undefined || w.ifVersion === seen.version);
      return w.ifVersion !== null && trust
        ? undefined
        : w.ifVersion === null && !seen
          ? undefined
          : ctx.fetch(w.kind, w.record.id);
    });
    const tail = needTail && ctx.tail === undefined ? ctx.readTail() : undefined;
    const current = await Promise.all(fresh);
    await tail;
    const planned: PlannedWrite[] = [];
    for (const [i, w] of writes.entries()) {
      const id = w.record.id;
      const record = w.record as unknown as Record<string, unknown>;
      const read = current[i];
      const seen = ctx.seen.get(`${w.kind}/${id}`);
      const now = fresh[i]
        ? read
          ? { itemId: read.itemId, version: read.version, record: read.record }
          : undefined
        : seen;
      const conflict: CommitResult = {
        status: 'conflict',
        kind: w.kind,
        id,
        current: read && ({ record: read.record, version: read.version } as Versioned<Kind>),
      };
      if (w.ifVersion === null && now) return conflict;
      if (typeof w.ifVersion === 'string' && now?.version !== w.ifVersion) return conflict;
      planned.push(
        now
          ? {
              kind: w.kind,
              id,
              op: 'update',
              record,
              blind: w.ifVersion === undefined,
              itemId: now.itemId,
              beforeVersion: now.version,
              before: now.record as unknown as Record<string, unknown>,
            }
          : { kind: w.kind, id, op: 'create', record, blind: w.ifVersion === undefined },
      );
    }
    return planned;
  }

  private writeCall(w: PlannedWrite): GraphCall {
    const fields = fieldsOf(w.kind, w.record as { id: string });
    return w.op === 'update'
      ? {
          method: 'PATCH',
          url: `${this.ctx.items(w.kind)}/${w.itemId}/fields`,
          headers: { 'If-Match': w.beforeVersion! },
          body: fields,
        }
      : { method: 'POST', url: this.ctx.items(w.kind), body: { fields } };
  }

  private eventCall(e: AuditEvent): GraphCall {
    return eventCall(this.ctx, e);
  }

  /** Marks a unit done and empties its intent: the intent is a copy of every record the unit wrote (and
   * of what they were before) and of its events' details, needed only while the unit is pending. Kept, it
   * would outlive what retention erases from the records and the trail. */
  private doneCall(itemId: string, key: string): GraphCall {
    const spent: Intent = { nonce: '', key, at: '', writes: [], audit: [] };
    return {
      method: 'PATCH',
      url: `${this.ctx.items('units')}/${itemId}/fields`,
      body: { [UnitColumns.state]: 'done', [UnitColumns.intent]: JSON.stringify(spent) },
    };
  }

  /** Replaces the answers kept with these keys by `keep(answer)` (retention, `Store.forgetAnswers`). */
  async forgetAnswers(
    keys: readonly string[],
    keep: (result: unknown, key: string) => unknown,
    options: { withNone?: boolean } = {},
  ): Promise<number> {
    let changed = 0;
    for (const key of keys) {
      const item = await this.readUnit(key);
      const raw = item?.fields.ovResult;
      if (!item) continue;
      // An answer kept as nothing changes only into something (the guard's seal on it).
      const none = raw === undefined || raw === '';
      if (none && !options.withNone) continue;
      const after = keep(none ? undefined : JSON.parse(raw), key);
      if (none && (after === undefined || after === null)) continue;
      const next = JSON.stringify(after ?? null);
      if (next === raw) continue;
      const [r] = await this.ctx.batcher.chain([
        {
          method: 'PATCH',
          url: `${this.ctx.items('units')}/${item.itemId}/fields`,
          body: { [UnitColumns.result]: next },
        },
      ]);
      if (!r || !ok(r)) throw unexpected(`erasing the answer kept with unit ${key}`, r!);
      changed += 1;
    }
    return changed;
  }

  /** The unit's events not yet landed, chained onto the current tail. */
  private remainingEvents(intent: Intent, landed: number): AuditEvent[] {
    let i = landed;
    return chain(
      intent.audit.slice(landed) as AuditDraft[],
      this.ctx.tail ?? undefined,
      intent,
      () => eventId(intent.key, i++),
      landed === 0 ? intent.writes.map((w) => ({ kind: w.kind, record: w.record as { id: string } })) : [],
      this.ctx.sealer,
    );
  }

  /**
   * Sends what is left of a unit as one chain and follows the answers: throttled requests were
   * re-sent by the batcher; a seq already taken means another writer appended, so the tail is read
   * and the rest re-chained; a 412 or a taken record id is a conflict, rolled back here.
   */
  private async drive(intent: Intent, progress: Progress, result?: unknown): Promise<Driven> {
    const ctx = this.ctx;
    const budget = budgetFor(ctx.retry);
    // Each round sends what is left; a round after a clash with another writer's audit event is a retry,
    // bounded by the commit's budget (retry.ts) rather than a count of its own.
    for (let round = 0; ; round++) {
      if (round > 0 && !budget.open())
        throw new GraphUnavailableError(
          `unit ${intent.key}: other writers kept taking its place in the trail`,
        );
      if (intent.audit.length > progress.events.length && ctx.tail === undefined) await ctx.readTail();
      const calls: GraphCall[] = [];
      type Tag =
        | { t: 'unit' }
        | { t: 'write'; i: number }
        | { t: 'event'; e: AuditEvent }
        | { t: 'done'; key: string };
      const tags: Tag[] = [];
      if (!progress.unitItemId) {
        calls.push({
          method: 'POST',
          url: ctx.items('units'),
          body: {
            fields: {
              Title: intent.key,
              [UnitColumns.key]: intent.key,
              [UnitColumns.state]: 'pending',
              [UnitColumns.startedAt]: new Date().toISOString(),
              [UnitColumns.intent]: JSON.stringify(intent),
              ...(result === undefined ? {} : { [UnitColumns.result]: JSON.stringify(result) }),
            },
          },
        });
        tags.push({ t: 'unit' });
      }
      // In the unit's order: a reader sees a unit's writes land one by one in that order, so a unit can
      // put last the record that guards the others (the workflow's child version, `guardChild`).
      for (const [i, w] of intent.writes.entries()) {
        if (progress.writes[i]!.status !== 'todo') continue;
        calls.push(this.writeCall(w));
        tags.push({ t: 'write', i });
      }
      for (const e of this.remainingEvents(intent, progress.events.length)) {
        calls.push(this.eventCall(e));
        tags.push({ t: 'event', e });
      }
      for (const [key, itemId] of this.undone) {
        if (key === intent.key) continue;
        calls.push(this.doneCall(itemId, key));
        tags.push({ t: 'done', key });
      }
      const replies = await ctx.batcher.chain(calls);
      let clash = false;
      for (const [j, tag] of tags.entries()) {
        const r = replies[j]!;
        if (r.status === 424) break;
        if (tag.t === 'unit') {
          if (isUniqueViolation(r)) return { kind: 'existing' };
          if (!ok(r)) throw unexpected(`creating unit ${intent.key}`, r);
          progress.unitItemId = GraphItem.pick({ id: true }).parse(r.body).id;
        } else if (tag.t === 'write') {
          const w = intent.writes[tag.i]!;
          if (r.status === 412 || isUniqueViolation(r)) {
            // Ours already, if Graph ran a request whose answer was lost and it was sent again.
            const now = await ctx.fetch(w.kind, w.id);
            if (now && canonicalJson(now.record) === canonicalJson(w.record)) {
              progress.writes[tag.i] = { status: 'landed', itemId: now.itemId, version: now.version };
              break;
            }
            progress.writes[tag.i] = { status: 'conflict' };
            await this.rollback(intent, progress);
            return { kind: 'conflict', index: tag.i };
          }
          if (!ok(r)) throw unexpected(`writing ${w.kind} ${w.id}`, r);
          const written = WrittenItem.parse(r.body);
          progress.writes[tag.i] = {
            status: 'landed',
            itemId: w.itemId ?? written.id ?? '',
            version: written['@odata.etag'],
          };
        } else if (tag.t === 'event') {
          if (isUniqueViolation(r)) {
            clash = true;
            break;
          }
          if (!ok(r)) throw unexpected(`appending audit event ${tag.e.seq}`, r);
          progress.events.push(tag.e);
          ctx.tail = { seq: tag.e.seq, hash: tag.e.hash };
        } else if (ok(r)) {
          this.undone.delete(tag.key);
        }
      }
      if (clash) {
        // Another writer took the seq (or an event of ours landed unanswered): re-read both.
        const [events] = await Promise.all([this.eventsOf(intent.key), ctx.readTail()]);
        progress.events = events;
        continue;
      }
      const landed = progress.writes.every((s) => s.status === 'landed');
      if (landed && progress.events.length === intent.audit.length) {
        const versions = intent.writes.map((w, i) => {
          const s = progress.writes[i] as { itemId: string; version: string };
          ctx.seen.set(`${w.kind}/${w.id}`, {
            itemId: s.itemId,
            version: s.version,
            record: w.record as { id: string },
          });
          return { kind: w.kind, id: w.id, version: s.version };
        });
        this.undone.set(intent.key, progress.unitItemId!);
        return { kind: 'done', events: progress.events, versions };
      }
    }
    throw new GraphUnavailableError(`unit ${intent.key}: could not finish its chain`);
  }

  /** Puts back what a unit wrote (If-Match on what it wrote, so a later writer is never undone) and
   * removes its unit item, so the key is free again. */
  private async rollback(intent: Intent, progress: Progress): Promise<void> {
    const calls: GraphCall[] = [];
    for (const [i, s] of progress.writes.entries()) {
      if (s.status !== 'landed') continue;
      const w = intent.writes[i]!;
      this.ctx.seen.delete(`${w.kind}/${w.id}`);
      calls.push(
        w.op === 'update'
          ? {
              method: 'PATCH',
              url: `${this.ctx.items(w.kind)}/${s.itemId}/fields`,
              headers: { 'If-Match': s.version },
              body: fieldsOf(w.kind, w.before as { id: string }),
            }
          : {
              method: 'DELETE',
              url: `${this.ctx.items(w.kind)}/${s.itemId}`,
              headers: { 'If-Match': s.version },
            },
      );
    }
    if (progress.unitItemId)
      calls.push({ method: 'DELETE', url: `${this.ctx.items('units')}/${progress.unitItemId}` });
    const replies = await this.ctx.batcher.parallel(calls);
    const failed = replies.find((r) => !ok(r) && r.status !== 412 && r.status !== 404);
    if (failed) throw unexpected(`rolling back unit ${intent.key}`, failed);
  }

  async readUnit(key: string): Promise<UnitItem | undefined> {
    const filter = `fields/${UnitColumns.key} eq ${quote(key)}`;
    const page = await this.ctx.page(
      `${this.ctx.items('units')}?$filter=${encodeURIComponent(filter)}&${UNIT_SELECT}&$top=1`,
    );
    const item = page.value[0];
    return item && { itemId: item.id, fields: UnitFields.parse(item.fields) };
  }

  /** The result kept with a committed key; a pending unit counts once it is proven complete. With
   * `settle`, a pending unit still in flight (another instance's, its writes landing before its events) is
   * waited for, as a commit meeting it would (`meet`), until it is done or, once stale, finished or undone. */
  async replay(key: string, settle = false): Promise<{ result: unknown } | undefined> {
    for (;;) {
      const item = await this.readUnit(key);
      if (!item) return undefined;
      if (item.fields.ovState === 'done' || this.undone.has(key)) return { result: resultOf(item) };
      const settled = await this.reconcile(item, false);
      if (settled.kind === 'done') return { result: resultOf(item) };
      if (!settle || settled.kind === 'rolled-back') return undefined;
      await sleep(Math.min(250, this.ctx.staleMs));
    }
  }

  /** A commit met a unit item under its key: a replay, our own unit (a request Graph ran but whose
   * answer was lost), or another instance's unit still pending. */
  private async meet(
    key: string,
    nonce: string,
  ): Promise<{ kind: 'replayed'; result: unknown } | (Driven & { kind: 'done' }) | { kind: 'retry' }> {
    for (;;) {
      const item = await this.readUnit(key);
      if (!item) return { kind: 'retry' };
      if (item.fields.ovState === 'done' || this.undone.has(key))
        return { kind: 'replayed', result: resultOf(item) };
      const ours = Intent.parse(JSON.parse(item.fields.ovIntent)).nonce === nonce;
      const settled = await this.reconcile(item, ours);
      if (settled.kind === 'done') return ours ? settled : { kind: 'replayed', result: resultOf(item) };
      if (settled.kind === 'rolled-back') return { kind: 'retry' };
      await sleep(Math.min(250, this.ctx.staleMs));
    }
  }

  /**
   * Finishes or undoes a pending unit from its intent. Proof of completion needs no waiting: every
   * event landed (events follow every write), or, for a unit without events, every record holds what
   * the unit wrote. Otherwise, only once the unit is stale (or `force`): writes still at their
   * expected eTag are made and the events appended; if a record moved on, what landed is put back.
   */
  async reconcile(
    item: UnitItem,
    force: boolean,
  ): Promise<(Driven & { kind: 'done' }) | { kind: 'rolled-back' } | { kind: 'in-flight' }> {
    const ctx = this.ctx;
    const intent = Intent.parse(JSON.parse(item.fields.ovIntent));
    const [events, current] = await Promise.all([
      this.eventsOf(intent.key),
      Promise.all(intent.writes.map((w) => ctx.fetch(w.kind, w.id))),
    ]);
    const progress: Progress = { unitItemId: item.itemId, writes: [], events };
    const complete = intent.audit.length > 0 ? events.length === intent.audit.length : undefined;
    for (const [i, w] of intent.writes.entries()) {
      const now = current[i];
      const same = now !== undefined && canonicalJson(now.record) === canonicalJson(w.record);
      if (now && (same || events.length > 0))
        progress.writes.push({ status: 'landed', itemId: now.itemId, version: now.version });
      else if (w.op === 'create' ? !now : now?.version === w.beforeVersion)
        progress.writes.push({ status: 'todo' });
      else progress.writes.push({ status: 'conflict' });
    }
    const allLanded = progress.writes.every((s) => s.status === 'landed');
    const proven = complete ?? allLanded;
    const stale =
      !this.active.has(intent.key) && Date.now() - Date.parse(item.fields.ovStartedAt) >= ctx.staleMs;
    if (!proven && !stale && !force) return { kind: 'in-flight' };
    if (progress.writes.some((s) => s.status === 'conflict')) {
      await this.rollback(intent, progress);
      return { kind: 'rolled-back' };
    }
    const driven = await this.drive(intent, progress);
    if (driven.kind !== 'done') return { kind: 'rolled-back' };
    const [marked] = await ctx.batcher.chain([this.doneCall(item.itemId, intent.key)]);
    if (marked && ok(marked)) this.undone.delete(intent.key);
    return driven;
  }

  /** The events a unit has appended, in seq order. */
  private async eventsOf(key: string): Promise<AuditEvent[]> {
    const out: AuditEvent[] = [];
    const select = `$expand=fields($select=${AuditColumns.seq},${AuditColumns.body})`;
    const filter = `fields/${AuditColumns.key} eq ${quote(key)}`;
    for await (const items of this.ctx.pages('audit', {
      filter,
      orderby: `fields/${AuditColumns.seq} asc`,
      select,
    })) {
      for (const i of items) out.push(AuditEvent.parse(JSON.parse(String(i.fields[AuditColumns.body]))));
    }
    return out;
  }

  /** Pending units: those proven complete are marked done; stale ones are finished or undone. */
  async reconcilePending(force = false): Promise<{ finished: number; rolledBack: number; inFlight: number }> {
    const counts = { finished: 0, rolledBack: 0, inFlight: 0 };
    const filter = `fields/${UnitColumns.state} eq 'pending'`;
    const items: UnitItem[] = [];
    for await (const page of this.ctx.pages('units', { filter, select: UNIT_SELECT })) {
      for (const i of page) items.push({ itemId: i.id, fields: UnitFields.parse(i.fields) });
    }
    for (const item of items) {
      if (this.undone.has(item.fields.ovKey)) continue;
      const r = await this.reconcile(item, force);
      if (r.kind === 'done') counts.finished += 1;
      else if (r.kind === 'rolled-back') counts.rolledBack += 1;
      else counts.inFlight += 1;
    }
    return counts;
  }

  /** Marks this instance's committed units done (one request), e.g. on close. */
  async flush(): Promise<void> {
    if (this.undone.size === 0) return;
    const entries = [...this.undone];
    const replies: GraphReply[] = await this.ctx.batcher.parallel(
      entries.map(([key, id]) => this.doneCall(id, key)),
    );
    entries.forEach(([key], i) => {
      if (replies[i] && ok(replies[i])) this.undone.delete(key);
    });
  }
}

/** Appends one audit event as an item of the audit list (its seq column is unique). */
export function eventCall(ctx: GraphContext, e: AuditEvent): GraphCall {
  return {
    method: 'POST',
    url: ctx.items('audit'),
    body: {
      fields: {
        Title: String(e.seq),
        [AuditColumns.seq]: e.seq,
        [AuditColumns.at]: normaliseDate(e.at),
        [AuditColumns.key]: e.key,
        [AuditColumns.eventId]: e.id,
        [AuditColumns.body]: JSON.stringify(e),
      },
    },
  };
}

/** A finished unit's item: its key (unique) and the result a replay answers with. */
export function doneUnitCall(
  ctx: GraphContext,
  unit: { key: string; at: string; result: unknown },
): GraphCall {
  const intent: Intent = { nonce: randomUUID(), key: unit.key, at: unit.at, writes: [], audit: [] };
  return {
    method: 'POST',
    url: ctx.items('units'),
    body: {
      fields: {
        Title: unit.key,
        [UnitColumns.key]: unit.key,
        [UnitColumns.state]: 'done',
        [UnitColumns.startedAt]: normaliseDate(unit.at),
        [UnitColumns.intent]: JSON.stringify(intent),
        ...(unit.result === undefined ? {} : { [UnitColumns.result]: JSON.stringify(unit.result) }),
      },
    },
  };
}
