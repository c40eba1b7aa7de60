import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { AuditEvent, chain, verifyChain, type VerifyOptions, type VerifyResult } from '../audit';
import { indexedFields, indexValue, normaliseDate, rowProblem, type ColumnType } from '../indexes';
import { schemas, type Kind } from '../records';
import {
  StoreTamperedError,
  type AuditListQuery,
  type CommitResult,
  type CountRow,
  type Store,
  type Unit,
  type Versioned,
  type Write,
} from '../store';
import { checkQuery, checkUnit, type CheckedQuery } from '../validate';
import { deepFreeze } from '../../util/deep-freeze';
import {
  ident,
  migrate,
  restoreTriggers,
  SCHEMA_VERSION,
  schemaVersion,
  triggerProblems,
} from './migrations';

/**
 * The store on an embedded SQLite file (better-sqlite3). WAL with synchronous=FULL, so a committed
 * unit survives a power cut; every unit is one IMMEDIATE transaction, so units from many processes on
 * one file are serialised and an `ifVersion` is checked and written with no gap between.
 */

export const BUSY_TIMEOUT_MS = 5000;

/** How many records a connection keeps parsed (see `SqliteStore.kept`). */
const RECORDS_KEPT = 5000;

const AuditRow = z.object({
  seq: z.number().int(),
  id: z.string(),
  at: z.string(),
  at_utc: z.string(),
  actor_id: z.string(),
  actor_role: z.string().nullable(),
  action: z.string(),
  target_kind: z.string(),
  target_id: z.string(),
  outcome: z.string(),
  cites: z.string(),
  profile_id: z.string().nullable(),
  profile_version: z.string().nullable(),
  key: z.string(),
  details: z.string(),
  details_hash: z.string().nullable(),
  writes: z.string().nullable(),
  prev_hash: z.string(),
  hash: z.string(),
  seal: z.string().nullable(),
});
type AuditRow = z.infer<typeof AuditRow>;

/** The statements on one kind's table, made once per kind. Its indexed columns are generated from the
 * body (migration 6): only the id, version and body are written. */
type KindSql = { get: string; current: string; insert: string; update: string };
const kindSql = new Map<Kind, KindSql>();
function sqlOf(kind: Kind): KindSql {
  let k = kindSql.get(kind);
  if (!k) {
    k = {
      get: `SELECT id, version, body FROM ${ident(kind)} WHERE id = ?`,
      current: `SELECT version FROM ${ident(kind)} WHERE id = ?`,
      insert: `INSERT INTO ${ident(kind)} (id, version, body) VALUES (?, ?, ?)`,
      update: `UPDATE ${ident(kind)} SET version = ?, body = ? WHERE id = ?`,
    };
    kindSql.set(kind, k);
  }
  return k;
}

/** A value as SQLite binds it (no booleans). */
function bindable(type: ColumnType, value: unknown): string | number | null {
  const v = indexValue(type, value);
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

function fromColumn(type: ColumnType, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (type === 'boolean') return value === 1;
  return value as string | number;
}

function whereSql(q: CheckedQuery): { sql: string; params: (string | number | null)[] } {
  const clauses: string[] = [];
  const params: (string | number | null)[] = [];
  for (const { field, type, values } of q.where) {
    clauses.push(`${ident(field)} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values.map((v) => bindable(type, v)));
  }
  if (q.range) {
    if (q.range.from !== undefined) {
      clauses.push(`${ident(q.range.field)} >= ?`);
      params.push(q.range.from);
    }
    if (q.range.to !== undefined) {
      clauses.push(`${ident(q.range.field)} < ?`);
      params.push(q.range.to);
    }
    if (q.range.from === undefined && q.range.to === undefined)
      clauses.push(`${ident(q.range.field)} IS NOT NULL`);
  }
  return { sql: clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '', params };
}

function toEvent(row: AuditRow): unknown {
  return {
    seq: row.seq,
    id: row.id,
    at: row.at,
    actor: row.actor_role === null ? { id: row.actor_id } : { id: row.actor_id, role: row.actor_role },
    action: row.action,
    target: { kind: row.target_kind, id: row.target_id },
    outcome: row.outcome,
    cites: JSON.parse(row.cites),
    ...(row.profile_id === null ? {} : { profileId: row.profile_id }),
    ...(row.profile_version === null ? {} : { profileVersion: row.profile_version }),
    key: row.key,
    // Erased details are stored as null (the only update the audit table's triggers allow).
    ...(row.details === 'null' && row.details_hash !== null
      ? { details: {}, detailsErased: true }
      : { details: JSON.parse(row.details) }),
    ...(row.details_hash === null ? {} : { detailsHash: row.details_hash }),
    ...(row.writes === null ? {} : { writes: JSON.parse(row.writes) }),
    prevHash: row.prev_hash,
    hash: row.hash,
    ...(row.seal === null ? {} : { seal: row.seal }),
  };
}

/** A write that did nothing though nothing refused it: only a trigger put there outside Overt does that. */
const blocked = (what: string) =>
  new StoreTamperedError(
    `${what} was not written: a trigger in the SQLite file that Overt did not make silently dropped it (put there outside Overt); nothing of this change was kept`,
  );

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  /** Seals each event written (the guard's, with the audit key: anchor.ts). */
  private sealer: ((hash: string) => string) | undefined;

  sealWith(sealOf: (hash: string) => string): void {
    this.sealer = sealOf;
  }

  private readonly statements = new Map<string, Database.Statement>();

  /**
   * Records as this connection last wrote or read them, by kind and id. A row whose version and body are
   * the text kept here is that record: it is not parsed and validated again. A body this connection
   * wrote was made from a validated record, so it is parsed once, without validation, when first read.
   * Kept records are frozen, since every reader shares them.
   */
  private readonly kept = new Map<string, { version: number; body: string; record?: unknown }>();

  private keep(key: string, version: number, body: string, record?: unknown): void {
    this.kept.delete(key);
    if (this.kept.size >= RECORDS_KEPT) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, { version, body, record });
  }

  /** The triggers this connection found missing, altered or foreign and put back or dropped when it opened
   * (none for a connection opened read only, which changes nothing: see `schemaProblems`). */
  readonly restoredTriggers: readonly string[];

  /** Opened read only (`overt audit verify`): nothing is written, not even the schema or the triggers. */
  readonly readonly: boolean;

  private constructor(db: Database.Database, restored: string[], readonly = false) {
    this.db = db;
    this.restoredTriggers = restored;
    this.readonly = readonly;
    this.commitUnit = db.transaction((unit: Unit, writes: Write[], result: string | null) =>
      this.commitInTransaction(unit, writes, result),
    );
  }

  /** A prepared statement, prepared once per connection. */
  private sql(text: string): Database.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      if (this.statements.size >= 500) this.statements.clear();
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  /**
   * Opens (creating if need be) the database file, sets the pragmas and applies pending migrations. With
   * `readonly` (`overt audit verify`) the file must exist and is opened read only: no pragma is set, no
   * migration applied and no trigger put back — what is wrong is reported (`schemaProblems`), not mended.
   */
  static open(file: string, options: { readonly?: boolean } = {}): SqliteStore {
    if (options.readonly) {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
        const at = schemaVersion(db);
        if (at !== SCHEMA_VERSION)
          throw new Error(
            at < SCHEMA_VERSION
              ? `the store in ${file} was last opened by an older Overt (its layout is version ${at} of ${SCHEMA_VERSION}): start the service on it once, then check it`
              : `the store in ${file} was written by a newer Overt (its layout is version ${at}; this one knows ${SCHEMA_VERSION})`,
          );
        return new SqliteStore(db, [], true);
      } catch (err) {
        db.close();
        throw err;
      }
    }
    const db = new Database(file);
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      // What a unit overwrites or retention erases is zeroed where it lay, not left in free space.
      db.pragma('secure_delete = ON');
      migrate(db);
      return new SqliteStore(db, restoreTriggers(db));
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** A consistent copy of a database file (an online backup: a running service may be writing to it). */
  static async copy(from: string, to: string): Promise<void> {
    const db = new Database(from, { fileMustExist: true });
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      await db.backup(to);
    } finally {
      db.close();
    }
  }

  /** A row (id, version, body) as its record. */
  private read<K extends Kind>(kind: K, row: unknown): Versioned<K> {
    const { id, version, body } = row as { id: unknown; version: unknown; body: unknown };
    if (typeof id !== 'string' || !Number.isInteger(version) || typeof body !== 'string')
      throw new Error(`a ${kind} row is malformed`);
    const key = `${kind}/${id}`;
    const kept = this.kept.get(key);
    let record: unknown;
    if (kept && kept.version === version && kept.body === body) {
      record = kept.record ??= deepFreeze(JSON.parse(body));
    } else {
      record = deepFreeze(schemas[kind].parse(JSON.parse(body)));
      this.keep(key, version as number, body, record);
    }
    return { record: record as Versioned<K>['record'], version: String(version) };
  }

  async get<K extends Kind>(kind: K, id: string): Promise<Versioned<K> | undefined> {
    checkQuery(kind);
    const row = this.sql(sqlOf(kind).get).get(id);
    return row === undefined ? undefined : this.read(kind, row);
  }

  async query<K extends Kind>(kind: K, query: Parameters<Store['query']>[1] = {}): Promise<Versioned<K>[]> {
    const q = checkQuery(kind, query);
    const { sql, params } = whereSql(q);
    const order = q.orderBy
      ? ` ORDER BY ${ident(q.orderBy.field)} ${q.orderBy.dir === 'asc' ? 'ASC' : 'DESC'}, id`
      : '';
    const limit = q.limit === undefined ? '' : ` LIMIT ${q.limit}`;
    const rows = this.sql(`SELECT id, version, body FROM ${ident(kind)}${sql}${order}${limit}`).all(
      ...params,
    );
    return rows.map((row) => this.read(kind, row));
  }

  async count<K extends Kind>(kind: K, query: Parameters<Store['count']>[1] = {}): Promise<CountRow<K>[]> {
    const q = checkQuery(kind, query);
    const { sql, params } = whereSql(q);
    const cols = q.groupBy.map((f, i) => `${ident(f)} AS g${i}`);
    const group = q.groupBy.length ? ` GROUP BY ${q.groupBy.map(ident).join(', ')}` : '';
    const rows = this.sql(
      `SELECT ${[...cols, 'COUNT(*) AS n'].join(', ')} FROM ${ident(kind)}${sql}${group}`,
    ).all(...params) as Record<string, unknown>[];
    const types = new Map(indexedFields(kind));
    return rows.map((row) => ({
      group: Object.fromEntries(
        q.groupBy.map((f, i) => [f, fromColumn(types.get(f) ?? 'text', row[`g${i}`])]),
      ) as CountRow<K>['group'],
      count: Number(row.n),
    }));
  }

  async changeMark(): Promise<number> {
    return Number(this.db.pragma('data_version', { simple: true }));
  }

  async schemaProblems(): Promise<string[]> {
    return triggerProblems(this.db);
  }

  async rowProblems(kind: Kind): Promise<string[]> {
    checkQuery(kind);
    const fields = indexedFields(kind);
    const cols = ['id', 'body', ...fields.map(([f]) => f)].map(ident).join(', ');
    const problems: string[] = [];
    // Since migration 6 every indexed column is generated from the body (hidden 2 or 3 in table_xinfo); one
    // that is not was put back as a plain column, outside Overt, so it can be edited apart from the body.
    const info = this.db.pragma(`table_xinfo(${ident(kind)})`) as { name: string; hidden: number }[];
    const plain = fields.filter(
      ([f]) => !info.some((c) => c.name === f && (c.hidden === 2 || c.hidden === 3)),
    );
    if (plain.length > 0)
      problems.push(
        `the ${kind} table's ${plain.map(([f]) => f).join(', ')} ${plain.length === 1 ? 'column is' : 'columns are'} no longer generated from its records (the table was rebuilt outside Overt)`,
      );
    for (const row of this.sql(`SELECT ${cols} FROM ${ident(kind)}`).iterate()) {
      const r = row as Record<string, unknown>;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(String(r.body)) as Record<string, unknown>;
      } catch {
        problems.push(`${kind} row ${String(r.id)} has a body that is not JSON (changed outside Overt)`);
        continue;
      }
      const problem = rowProblem(kind, String(r.id), record, r, (type, stored, expected) => {
        const e = typeof expected === 'boolean' ? (expected ? 1 : 0) : expected;
        return type === 'number' ? (stored === null ? e === null : Number(stored) === e) : stored === e;
      });
      if (problem) problems.push(problem);
    }
    return problems;
  }

  /** Every committed unit's key, time and result, for a migration to carry replays across. */
  async *units(): AsyncGenerator<{ key: string; at: string; result: unknown }> {
    const rows = this.sql('SELECT key, at, result FROM units ORDER BY rowid').all() as {
      key: string;
      at: string;
      result: string | null;
    }[];
    for (const r of rows)
      yield { key: r.key, at: r.at, result: r.result === null ? undefined : JSON.parse(r.result) };
  }

  async unitKeys(): Promise<Set<string>> {
    return new Set((this.sql('SELECT key FROM units').all() as { key: string }[]).map((r) => r.key));
  }

  async unitAnswers(options: { limit?: number } = {}): Promise<Map<string, unknown>> {
    const limit = options.limit === undefined ? '' : ` LIMIT ${Math.max(1, Math.floor(options.limit))}`;
    const rows = this.sql(`SELECT key, result FROM units ORDER BY rowid${limit}`).all() as {
      key: string;
      result: string | null;
    }[];
    return new Map(
      rows.map((r) => [r.key, r.result === null ? undefined : (JSON.parse(r.result) as unknown)]),
    );
  }

  /** A unit and its key commit in one transaction: nothing is ever under way to settle. */
  async replay(key: string): Promise<{ result: unknown } | undefined> {
    const prior = this.sql('SELECT result FROM units WHERE key = ?').get(key) as
      { result: string | null } | undefined;
    if (!prior) return undefined;
    return { result: prior.result === null ? undefined : JSON.parse(prior.result) };
  }

  async forgetAnswers(
    keys: readonly string[],
    keep: (result: unknown, key: string) => unknown,
    options: { withNone?: boolean } = {},
  ): Promise<number> {
    const read = this.sql('SELECT result FROM units WHERE key = ?');
    const write = this.sql('UPDATE units SET result = ? WHERE key = ?');
    const run = this.db.transaction(() => {
      let changed = 0;
      for (const key of keys) {
        const row = read.get(key) as { result: string | null } | undefined;
        if (!row || (row.result === null && !options.withNone)) continue;
        // An answer kept as nothing changes only into something (the guard's seal on it).
        const after = keep(row.result === null ? undefined : JSON.parse(row.result), key);
        if (row.result === null && (after === undefined || after === null)) continue;
        const next = JSON.stringify(after ?? null);
        if (next === row.result) continue;
        write.run(next, key);
        changed += 1;
      }
      return changed;
    });
    return run.immediate();
  }

  /** Freed space is zeroed as it is freed (secure_delete); the write-ahead log, which still holds pages as
   * they were before, is checkpointed into the file and emptied (if no reader holds it, else next time). */
  async scrub(): Promise<void> {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async commit(unit: Unit): Promise<CommitResult> {
    const writes = checkUnit(unit);
    return this.commitUnit.immediate(
      unit,
      writes,
      unit.result === undefined ? null : JSON.stringify(unit.result),
    );
  }

  /** A unit as one IMMEDIATE transaction (made once: better-sqlite3 builds a wrapper per `transaction`). */
  private readonly commitUnit: Database.Transaction<
    (unit: Unit, writes: Write[], result: string | null) => CommitResult
  >;

  private commitInTransaction(unit: Unit, writes: Write[], result: string | null): CommitResult {
    const prior = this.sql('SELECT result FROM units WHERE key = ?').get(unit.key) as
      { result: string | null } | undefined;
    if (prior)
      return { status: 'replayed', result: prior.result === null ? undefined : JSON.parse(prior.result) };

    // Only the versions are read to check the unit; a record is parsed only to report a conflict.
    const current = writes.map(
      (w) => this.sql(sqlOf(w.kind).current).get(w.record.id) as { version: number } | undefined,
    );
    for (const [i, w] of writes.entries()) {
      const now = current[i]?.version;
      const stale =
        w.ifVersion === null
          ? now !== undefined
          : w.ifVersion !== undefined && (now === undefined || String(now) !== w.ifVersion);
      if (stale) {
        const row = this.sql(sqlOf(w.kind).get).get(w.record.id);
        return {
          status: 'conflict',
          kind: w.kind,
          id: w.record.id,
          current: row === undefined ? undefined : this.read(w.kind, row),
        };
      }
    }

    const versions = writes.map((w, i) => this.write(w, current[i]));
    const last = this.sql('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as
      { seq: number; hash: string } | undefined;
    const events = chain(unit.audit, last, unit, randomUUID, writes, this.sealer);
    const insert = this.sql(
      `INSERT INTO audit (seq, id, at, at_utc, actor_id, actor_role, action, target_kind, target_id, outcome, cites,
         profile_id, profile_version, key, details, details_hash, writes, prev_hash, hash, seal)
       VALUES (@seq, @id, @at, @at_utc, @actor_id, @actor_role, @action, @target_kind, @target_id, @outcome, @cites,
         @profile_id, @profile_version, @key, @details, @details_hash, @writes, @prev_hash, @hash, @seal)`,
    );
    const atUtc = normaliseDate(unit.at);
    for (const e of events) {
      const ran = insert.run({
        seq: e.seq,
        id: e.id,
        at: e.at,
        at_utc: atUtc,
        actor_id: e.actor.id,
        actor_role: e.actor.role ?? null,
        action: e.action,
        target_kind: e.target.kind,
        target_id: e.target.id,
        outcome: e.outcome,
        cites: JSON.stringify(e.cites),
        profile_id: e.profileId ?? null,
        profile_version: e.profileVersion ?? null,
        key: e.key,
        details: JSON.stringify(e.details),
        details_hash: e.detailsHash ?? null,
        writes: e.writes === undefined ? null : JSON.stringify(e.writes),
        prev_hash: e.prevHash,
        hash: e.hash,
        seal: e.seal ?? null,
      });
      if (ran.changes !== 1) throw blocked(`audit event ${e.seq} (${e.action})`);
    }
    const kept = this.sql('INSERT INTO units (key, at, result) VALUES (?, ?, ?)').run(
      unit.key,
      unit.at,
      result,
    );
    if (kept.changes !== 1) throw blocked(`the answer kept under the key ${unit.key}`);
    return { status: 'committed', events, versions };
  }

  /** Writes one record at the version after `old`'s (inside a transaction); SQLite computes its indexed
   * columns from the body. */
  private write(w: Write, old: { version: number } | undefined) {
    const version = (old?.version ?? 0) + 1;
    const body = JSON.stringify(w.record);
    const { insert, update } = sqlOf(w.kind);
    const ran = old
      ? this.sql(update).run(version, body, w.record.id)
      : this.sql(insert).run(w.record.id, version, body);
    if (ran.changes !== 1) throw blocked(`${w.kind} ${w.record.id}`);
    this.keep(`${w.kind}/${w.record.id}`, version, body);
    return { kind: w.kind, id: w.record.id, version: String(version) };
  }

  readonly audit = {
    list: async (query: AuditListQuery = {}): Promise<AuditEvent[]> => {
      const clauses: string[] = [];
      const params: (string | number)[] = [];
      if (query.from !== undefined) {
        clauses.push('at_utc >= ?');
        params.push(normaliseDate(query.from));
      }
      if (query.to !== undefined) {
        clauses.push('at_utc < ?');
        params.push(normaliseDate(query.to));
      }
      if (query.afterSeq !== undefined) {
        clauses.push('seq > ?');
        params.push(query.afterSeq);
      }
      if (query.eventId !== undefined) {
        clauses.push('id = ?');
        params.push(query.eventId);
      }
      if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1)) {
        throw new Error('limit is a positive integer');
      }
      const where = clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '';
      const limit = query.limit === undefined ? '' : ` LIMIT ${query.limit}`;
      const rows = this.sql(`SELECT * FROM audit${where} ORDER BY seq${limit}`).all(...params);
      return rows.map((row) => AuditEvent.parse(toEvent(AuditRow.parse(row))));
    },
    eraseDetails: async (seqs: readonly number[]): Promise<number> => {
      const erase = this.sql(
        "UPDATE audit SET details = 'null' WHERE seq = ? AND details_hash IS NOT NULL AND details <> 'null'",
      );
      const run = this.db.transaction(() => seqs.reduce((n, seq) => n + erase.run(seq).changes, 0));
      return run.immediate();
    },
    verify: async (options: VerifyOptions = {}): Promise<VerifyResult> => {
      const stmt = this.sql('SELECT * FROM audit WHERE seq > ? ORDER BY seq');
      const after = options.start?.seq ?? 0;
      function* rows(): Generator<{ seq: number; event: unknown; problem?: string }> {
        for (const raw of stmt.iterate(after)) {
          const seq = Number((raw as { seq: unknown }).seq);
          const parsed = AuditRow.safeParse(raw);
          if (!parsed.success) {
            yield { seq, event: undefined, problem: `row is malformed: ${z.prettifyError(parsed.error)}` };
            return;
          }
          let event: unknown;
          try {
            event = toEvent(parsed.data);
          } catch {
            yield { seq, event: undefined, problem: 'cites or details is not JSON' };
            return;
          }
          let atUtc: string | undefined;
          try {
            atUtc = normaliseDate(parsed.data.at);
          } catch {
            atUtc = undefined;
          }
          const problem =
            atUtc !== undefined && atUtc !== parsed.data.at_utc
              ? 'its indexed time differs from its time'
              : undefined;
          yield problem ? { seq, event, problem } : { seq, event };
        }
      }
      return verifyChain(rows(), options);
    },
  };

  async lease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new Error('ttlMs is a positive number');
    const run = this.db.transaction((): boolean => {
      const row = this.sql(`SELECT id, version, body FROM ${ident('lease')} WHERE id = ?`).get(name);
      const current = row === undefined ? undefined : this.read('lease', row);
      const held =
        current &&
        current.record.holder !== holder &&
        normaliseDate(current.record.until) > now.toISOString();
      if (held) return false;
      const until = new Date(now.getTime() + ttlMs).toISOString();
      this.write(
        { kind: 'lease', record: { id: name, holder, until } },
        current && { version: Number(current.version) },
      );
      return true;
    });
    return run.immediate();
  }

  /** The connection's settings, for diagnostics and tests. */
  pragmas(): { journalMode: string; synchronous: number; busyTimeout: number } {
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
      busyTimeout: Number(this.db.pragma('busy_timeout', { simple: true })),
    };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
