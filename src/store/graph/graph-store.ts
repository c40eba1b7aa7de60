import { AuditEvent, verifyChainAsync, type VerifyOptions, type VerifyResult } from '../audit';
import { indexedFields, indexValue, normaliseDate, rowProblem } from '../indexes';
import type { Kind } from '../records';
import type {
  AuditListQuery,
  CommitResult,
  CountQuery,
  CountRow,
  Query,
  ReadOptions,
  Store,
  Unit,
  Versioned,
} from '../store';
import { checkQuery } from '../validate';
import { GraphUnavailableError, isUniqueViolation, ok } from './batch';
import { GraphContext, unexpected } from './context';
import {
  SELECT,
  WrittenItem,
  ceilSecond,
  fieldsOf,
  filterOf,
  floorSecond,
  matches,
  quote,
  recordOf,
  sortBy,
} from './fields';
import { AuditColumns, BODY, RECORD_ID, UnitColumns, columnName } from './lists';
import { UnitWriter } from './units';

/** Seqs per read of the audit trail: under SharePoint's list view threshold (5,000 items). */
const AUDIT_WINDOW = 4000;

/**
 * The store on SharePoint lists through Microsoft Graph (`OVERT_STORE=graph`, `OVERT_GRAPH_SITE`), passing the
 * same contract suite as SQLite against the local Graph server (test/store/sharepoint.test.ts). Reads issued
 * together share one `$batch` (read-queue.ts); a unit is one `$batch` chain (units.ts); versions are the
 * items' eTags. Measured on the local server (graph-requests.test.ts): a decision is 2 requests (15 inner);
 * a get, a query page, a count, a replay or an audit-only unit 1; a lease 2.
 *
 * The audit chain needs one serial order: `ovSeq` is unique, and an append is a create at the next seq,
 * chained on the last event this instance knows; if another instance appended first the create fails and the
 * tail is read and the rest re-chained. Event ids derive from the unit key and the event's place, so a unit
 * finished after a crash writes exactly the events it would have; no head item is needed.
 *
 * SharePoint (and the local server) refuses an indexed filter selecting more than 5,000 items on a list over
 * 5,000, however it is paged: the audit trail is read in windows of 4,000 seqs. Leases are `lease` items,
 * created under the unique record id or renewed with If-Match. `count` has no aggregate in Graph: matching
 * items are read and counted.
 *
 * Limits: no test against a real tenant (what GRAPH-LISTS.md marks [U] is the local server's guess);
 * read-uncommitted (a reader can see a pending unit's writes before it completes or is rolled back); a unit
 * is bounded by what fits in one item's intent; ordering with a `limit` is by the second SharePoint keeps,
 * ties by item id; the dashboard's counts by status are not yet windowed for lists over 5,000. A list with
 * versioning on keeps earlier versions of each item in SharePoint's version history, which Graph v1.0 cannot
 * clear: what retention erases from an item stays there until the site's own retention removes it, so the
 * lists are best kept without item versioning (a list setting Graph cannot change).
 */
export class GraphStore implements Store {
  private readonly units: UnitWriter;
  private closed = false;

  constructor(readonly ctx: GraphContext) {
    this.units = new UnitWriter(ctx);
  }

  sealWith(sealOf: (hash: string) => string): void {
    this.ctx.sealer = sealOf;
  }

  /** HTTP requests this instance has sent (a `$batch` is one). */
  get requests(): number {
    return this.ctx.counter.requests;
  }

  async get<K extends Kind>(kind: K, id: string, options?: ReadOptions): Promise<Versioned<K> | undefined> {
    checkQuery(kind);
    const found = await this.ctx.fetch(kind, id, options?.first ?? false);
    return found && { record: found.record, version: found.version };
  }

  async query<K extends Kind>(kind: K, query: Query<K> = {}): Promise<Versioned<K>[]> {
    const q = checkQuery(kind, query);
    const orderby = q.orderBy && `fields/${columnName(q.orderBy.field)} ${q.orderBy.dir}`;
    const out: Versioned<K>[] = [];
    const pages = this.ctx.pages(kind, { filter: filterOf(q), orderby, select: SELECT, top: q.limit });
    for await (const items of pages) {
      for (const item of items) {
        const v = this.ctx.remember(kind, item);
        if (matches(kind, q, v.record as Record<string, unknown>)) out.push(v);
      }
      if (q.limit !== undefined && out.length >= q.limit) break;
    }
    const sorted = q.orderBy ? sortBy(kind, out, q.orderBy) : out;
    return q.limit === undefined ? sorted : sorted.slice(0, q.limit);
  }

  /** Each item's record id (and title) and indexed fields against its body. SharePoint keeps dates to the
   * second and numbers as numbers, so they are compared so. */
  async unitKeys(): Promise<Set<string>> {
    const keys = new Set<string>();
    const select = `$expand=fields($select=${UnitColumns.key})`;
    for await (const items of this.ctx.pages('units', { select }))
      for (const i of items) keys.add(String(i.fields[UnitColumns.key]));
    return keys;
  }

  async unitAnswers(options: { limit?: number } = {}): Promise<Map<string, unknown>> {
    const answers = new Map<string, unknown>();
    const select = `$expand=fields($select=${UnitColumns.key},${UnitColumns.result})`;
    const top = options.limit === undefined ? {} : { top: options.limit };
    for await (const items of this.ctx.pages('units', { select, ...top })) {
      for (const i of items) {
        const raw = i.fields[UnitColumns.result];
        answers.set(
          String(i.fields[UnitColumns.key]),
          typeof raw === 'string' && raw !== '' ? JSON.parse(raw) : undefined,
        );
        if (options.limit !== undefined && answers.size >= options.limit) return answers;
      }
    }
    return answers;
  }

  async rowProblems(kind: Kind): Promise<string[]> {
    checkQuery(kind);
    const fields = indexedFields(kind);
    const select = `$expand=fields($select=${['Title', RECORD_ID, BODY, ...fields.map(([f]) => columnName(f))].join(',')})`;
    const problems: string[] = [];
    for await (const items of this.ctx.pages(kind, { select })) {
      for (const item of items) {
        const f = item.fields;
        const rowId = typeof f[RECORD_ID] === 'string' ? (f[RECORD_ID] as string) : `(item ${item.id})`;
        let record: Record<string, unknown>;
        try {
          record = JSON.parse(String(f[BODY])) as Record<string, unknown>;
        } catch {
          problems.push(`${kind} row ${rowId} has a body that is not JSON (changed outside Overt)`);
          continue;
        }
        if (f.Title !== undefined && f.Title !== rowId) {
          problems.push(`${kind} row ${rowId} has the title ${String(f.Title)} (changed outside Overt)`);
          continue;
        }
        const columns = Object.fromEntries(fields.map(([name]) => [name, f[columnName(name)] ?? null]));
        const problem = rowProblem(kind, rowId, record, columns, (type, stored, expected) => {
          if (stored === null || expected === null) return stored === expected;
          if (type === 'date') return typeof stored === 'string' && sameSecond(stored, String(expected));
          if (type === 'number') return Number(stored) === expected;
          return stored === expected;
        });
        if (problem) problems.push(problem);
      }
    }
    return problems;
  }

  /** Graph has no aggregates: the matching items are read (bodies only) and counted here. */
  async count<K extends Kind>(kind: K, query: CountQuery<K> = {}): Promise<CountRow<K>[]> {
    const q = checkQuery(kind, query);
    const types = new Map(indexedFields(kind));
    const groups = new Map<string, CountRow<K>>();
    for await (const items of this.ctx.pages(kind, { filter: filterOf(q), select: SELECT })) {
      for (const item of items) {
        const record = recordOf(kind, item).record as Record<string, unknown>;
        if (!matches(kind, q, record)) continue;
        const group = Object.fromEntries(
          q.groupBy.map((f) => [f, indexValue(types.get(f) ?? 'text', record[f])]),
        ) as CountRow<K>['group'];
        const key = JSON.stringify(q.groupBy.map((f) => group[f as keyof typeof group] ?? null));
        const row = groups.get(key) ?? { group, count: 0 };
        row.count += 1;
        groups.set(key, row);
      }
    }
    if (q.groupBy.length === 0) return [{ group: {}, count: groups.get('[]')?.count ?? 0 }];
    return [...groups.values()];
  }

  commit(unit: Unit): Promise<CommitResult> {
    return this.units.commit(unit);
  }

  replay(key: string, options: { settle?: boolean } = {}): Promise<{ result: unknown } | undefined> {
    return this.units.replay(key, options.settle === true);
  }

  forgetAnswers(
    keys: readonly string[],
    keep: (result: unknown, key: string) => unknown,
    options: { withNone?: boolean } = {},
  ): Promise<number> {
    return this.units.forgetAnswers(keys, keep, options);
  }

  /** Nothing to do through Graph: an item's fields are replaced where they lie (but see the limits above on
   * SharePoint's version history). */
  async scrub(): Promise<void> {}

  /** Finishes or undoes pending units (run on open); `force` ignores their age. */
  reconcile(force = false) {
    return this.units.reconcilePending(force);
  }

  readonly audit = {
    list: async (query: AuditListQuery = {}): Promise<AuditEvent[]> => {
      if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1)) {
        throw new Error('limit is a positive integer');
      }
      if (query.eventId !== undefined) {
        // One event by its indexed id: no window of the trail is read.
        const filter = `fields/${AuditColumns.eventId} eq ${quote(query.eventId)}`;
        const found: AuditEvent[] = [];
        for await (const items of this.eventPages(filter, 1)) found.push(...items.map((i) => i.event));
        return found.filter(
          (e) =>
            e.id === query.eventId &&
            (query.afterSeq === undefined || e.seq > query.afterSeq) &&
            (query.from === undefined || normaliseDate(e.at) >= normaliseDate(query.from)) &&
            (query.to === undefined || normaliseDate(e.at) < normaliseDate(query.to)),
        );
      }
      const from = query.from === undefined ? undefined : normaliseDate(query.from);
      const to = query.to === undefined ? undefined : normaliseDate(query.to);
      const byTime = [
        ...(from === undefined ? [] : [`fields/${AuditColumns.at} ge ${quote(floorSecond(from))}`]),
        ...(to === undefined ? [] : [`fields/${AuditColumns.at} lt ${quote(ceilSecond(to))}`]),
      ];
      // SharePoint refuses a filter that spans more items than the list view threshold (5,000), however
      // it is paged: the trail is read in windows of seq that each hold fewer. Seqs have no gaps, so
      // without a time filter a window that stops short of its end is the last; with one (which thins the
      // windows out), they run to the tail.
      const last = byTime.length ? ((await this.ctx.readTail())?.seq ?? 0) : undefined;
      const out: AuditEvent[] = [];
      for (let after = query.afterSeq ?? 0; last === undefined || after < last; after += AUDIT_WINDOW) {
        const filter = [
          `fields/${AuditColumns.seq} gt ${after}`,
          `fields/${AuditColumns.seq} le ${after + AUDIT_WINDOW}`,
          ...byTime,
        ].join(' and ');
        const left = query.limit === undefined ? undefined : query.limit - out.length;
        let highest = after;
        for await (const items of this.eventPages(filter, left)) {
          for (const { event } of items) {
            highest = Math.max(highest, event.seq);
            const at = normaliseDate(event.at);
            if ((from === undefined || at >= from) && (to === undefined || at < to)) out.push(event);
          }
          if (query.limit !== undefined && out.length >= query.limit) break;
        }
        if (query.limit !== undefined && out.length >= query.limit) break;
        if (last === undefined && highest < after + AUDIT_WINDOW) break;
      }
      return query.limit === undefined ? out : out.slice(0, query.limit);
    },
    eraseDetails: async (seqs: readonly number[]): Promise<number> => {
      let erased = 0;
      const select = `$expand=fields($select=${AuditColumns.seq},${AuditColumns.body})`;
      for (const seq of seqs) {
        const filter = `fields/${AuditColumns.seq} eq ${seq}`;
        for await (const items of this.ctx.pages('audit', { filter, select, top: 1 })) {
          const item = items[0];
          if (!item) break;
          const event = AuditEvent.parse(JSON.parse(String(item.fields[AuditColumns.body])));
          if (event.detailsHash === undefined || event.detailsErased) break;
          const body = JSON.stringify({ ...event, details: {}, detailsErased: true });
          const [r] = await this.ctx.batcher.chain([
            {
              method: 'PATCH',
              url: `${this.ctx.items('audit')}/${item.id}/fields`,
              body: { [AuditColumns.body]: body },
            },
          ]);
          if (!r || !ok(r)) throw unexpected(`erasing the details of audit event ${seq}`, r!);
          erased += 1;
          break;
        }
      }
      return erased;
    },
    verify: async (options: VerifyOptions = {}): Promise<VerifyResult> => {
      const select = `$expand=fields($select=${AuditColumns.seq},${AuditColumns.at},${AuditColumns.body})`;
      const after = options.start?.seq;
      const pages = this.ctx.pages('audit', {
        orderby: `fields/${AuditColumns.seq} asc`,
        select,
        ...(after === undefined ? {} : { filter: `fields/${AuditColumns.seq} gt ${after}` }),
      });
      async function* rows(): AsyncGenerator<{ seq: number; event: unknown; problem?: string }> {
        for await (const items of pages) {
          for (const item of items) {
            const seq = Number(item.fields[AuditColumns.seq]);
            let event: unknown;
            try {
              event = JSON.parse(String(item.fields[AuditColumns.body]));
            } catch {
              yield { seq, event: undefined, problem: 'its body is not JSON' };
              continue;
            }
            const at = (event as { at?: unknown }).at;
            const column = item.fields[AuditColumns.at];
            let problem: string | undefined;
            try {
              if (typeof at === 'string' && floorSecond(normaliseDate(at)) !== column)
                problem = 'its indexed time differs from its time';
            } catch {
              problem = undefined;
            }
            yield problem ? { seq, event, problem } : { seq, event };
          }
        }
      }
      return verifyChainAsync(rows(), options);
    },
  };

  private async *eventPages(filter: string | undefined, top?: number) {
    const select = `$expand=fields($select=${AuditColumns.seq},${AuditColumns.body})`;
    const pages = this.ctx.pages('audit', { filter, orderby: `fields/${AuditColumns.seq} asc`, select, top });
    for await (const items of pages) {
      yield items.map((i) => ({ event: AuditEvent.parse(JSON.parse(String(i.fields[AuditColumns.body]))) }));
    }
  }

  /** A lease is a `lease` item: created under its unique record id, renewed with If-Match. */
  async lease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new Error('ttlMs is a positive number');
    const until = new Date(now.getTime() + ttlMs).toISOString();
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await this.ctx.fetch('lease', name);
      if (
        current &&
        current.record.holder !== holder &&
        normaliseDate(current.record.until) > now.toISOString()
      ) {
        return false;
      }
      const record = { id: name, holder, until };
      const [r] = await this.ctx.batcher.chain([
        current
          ? {
              method: 'PATCH',
              url: `${this.ctx.items('lease')}/${current.itemId}/fields`,
              headers: { 'If-Match': current.version },
              body: fieldsOf('lease', record),
            }
          : { method: 'POST', url: this.ctx.items('lease'), body: { fields: fieldsOf('lease', record) } },
      ]);
      if (r && ok(r)) {
        const written = WrittenItem.parse(r.body);
        const itemId = current?.itemId ?? written.id ?? '';
        this.ctx.seen.set(`lease/${name}`, { itemId, version: written['@odata.etag'], record });
        return true;
      }
      if (!r || !(r.status === 412 || isUniqueViolation(r))) throw unexpected(`taking lease ${name}`, r!);
      // Someone else wrote it between our read and write: read again and decide again.
    }
    throw new GraphUnavailableError(`lease ${name}: too much contention`);
  }

  async abandon(): Promise<void> {
    await this.ctx.closeTransport();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.units.flush();
    } finally {
      // Reads a caller gave up on (a /healthz past its second, a timed-out page) stop here, rather than
      // retrying against a Graph nobody is listening to any more.
      await this.ctx.closeTransport();
    }
  }
}

/** Two instants the same to the second (SharePoint keeps no milliseconds). */
function sameSecond(a: string, b: string): boolean {
  try {
    return normaliseDate(a).slice(0, 19) === normaliseDate(b).slice(0, 19);
  } catch {
    return false;
  }
}
