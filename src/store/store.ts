import type { AuditDraft, AuditEvent, VerifyOptions, VerifyResult } from './audit';
import type { IndexedField } from './indexes';
import type { Kind, RecordOf } from './records';

/**
 * The store: one asynchronous interface, shaped for what SharePoint lists can honour (GRAPH-LISTS.md):
 * single-record reads, filters only on indexed columns, no joins, and one unit of writes per command
 * with optimistic concurrency (eTags) and an idempotency key. The contract in test/store/contract.ts
 * states what every adapter promises; what it does not state, no adapter promises.
 */

/** A record with its version: an opaque string (an eTag) that changes on every write. */
export type Versioned<K extends Kind> = { record: RecordOf<K>; version: string };

type Scalar = string | number | boolean;
type FieldValue<K extends Kind, F extends IndexedField<K>> = F extends keyof RecordOf<K>
  ? Extract<NonNullable<RecordOf<K>[F]>, Scalar>
  : never;

/** Equality on indexed fields, all of which must hold; an array means any one of its values. */
export type Where<K extends Kind> = {
  [F in IndexedField<K>]?: FieldValue<K, F> | readonly FieldValue<K, F>[];
};

/** A range on one indexed date (or number) field: `from` inclusive, `to` exclusive. Records without
 * the field are outside every range. Dates may be days or instants; they are compared as instants. */
export type Range<K extends Kind> = { field: IndexedField<K>; from?: string | number; to?: string | number };

export type Query<K extends Kind> = {
  where?: Where<K>;
  range?: Range<K>;
  /** Ties, and records without the field, come in an unspecified order; without it, all do. */
  orderBy?: { field: IndexedField<K>; dir: 'asc' | 'desc' };
  /** At most this many records (a positive integer). */
  limit?: number;
};

export type CountQuery<K extends Kind> = {
  where?: Where<K>;
  range?: Range<K>;
  /** Indexed fields to group by; without it, one row with the total. */
  groupBy?: readonly IndexedField<K>[];
};

/** One group's count. `group` holds each groupBy field's value (null where the record lacks it). */
export type CountRow<K extends Kind> = {
  group: { [F in IndexedField<K>]?: FieldValue<K, F> | null };
  count: number;
};

/** A write in a unit. `ifVersion`: a string means the record must be at that version; `null` means it
 * must not exist yet; absent means write whatever is there. Each record at most once per unit. */
export type Write = { [K in Kind]: { kind: K; record: RecordOf<K>; ifVersion?: string | null } }[Kind];

/** One command's effect: its writes and its audit events, all or nothing. A store without transactions
 * (SharePoint) makes the writes visible one by one in the unit's order, each checked against its
 * `ifVersion` as it lands, so a unit may end with a record that guards the others. */
export type Unit = {
  /** Idempotency key: a unit whose key was committed before writes nothing and replays `result`. */
  key: string;
  /** When it happened (ISO 8601); the audit events carry this time. */
  at: string;
  writes: readonly Write[];
  audit: readonly AuditDraft[];
  /** What the command answered, JSON, kept with the key and returned on replay. */
  result?: unknown;
};

export type CommitResult =
  | {
      status: 'committed';
      events: AuditEvent[];
      /** The new version of each write, in the unit's order. */
      versions: { kind: Kind; id: string; version: string }[];
    }
  | { status: 'replayed'; result: unknown }
  | { status: 'conflict'; kind: Kind; id: string; current: Versioned<Kind> | undefined };

export type AuditListQuery = {
  /** Events at or after this time (inclusive). */
  from?: string;
  /** Events before this time (exclusive). */
  to?: string;
  /** Events with a seq greater than this (for paging). */
  afterSeq?: number;
  /** The one event with this id (an indexed look-up, not a read of the trail). */
  eventId?: string;
  limit?: number;
};

export interface AuditLog {
  /** Events in seq order. */
  list(query?: AuditListQuery): Promise<AuditEvent[]>;
  /** Recomputes the chain (the whole of it, or from `options.start`): the count, or the first broken
   * event and why. */
  verify(options?: VerifyOptions): Promise<VerifyResult>;
  /** Erases the details of these events (second form only), keeping their hashes: retention's only way
   * to change the trail, after a `retention.erase` event naming them has been committed. Returns how many
   * were erased now. */
  eraseDetails(seqs: readonly number[]): Promise<number>;
}

/** `first`: this read is made before every read asked for after it in the same turn of the event loop
 * (in a `Promise.all` after it, or chained on it), so the version it gives is no newer than what those
 * reads see. An adapter whose reads are made when asked for (SQLite) does so anyway. */
export type ReadOptions = { first?: boolean };

export interface Store {
  get<K extends Kind>(kind: K, id: string, options?: ReadOptions): Promise<Versioned<K> | undefined>;
  /** Throws if a field used is not indexed for the kind: that is a programming error. */
  query<K extends Kind>(kind: K, query?: Query<K>): Promise<Versioned<K>[]>;
  count<K extends Kind>(kind: K, query?: CountQuery<K>): Promise<CountRow<K>[]>;
  /** Throws for a malformed unit (a record its schema rejects, a record written twice): a bug. */
  commit(unit: Unit): Promise<CommitResult>;
  /** The result kept with a committed key, if that key was committed: lets a command answer a retry
   * before doing any work. With `settle`, a unit under the key that another instance has under way is
   * waited for (finished or undone) first: a command about to refuse on facts that a copy of itself wrote
   * answers as that copy did (issue 12, fault 3 across instances). */
  replay(key: string, options?: { settle?: boolean }): Promise<{ result: unknown } | undefined>;
  /** Replaces what each of these committed units answered by `keep(result)`: retention's way to erase an
   * answer that held a copy of a record it erased. The key stays committed, so a retry still replays (the
   * new answer) and never runs the command again. Returns how many answers changed. */
  forgetAnswers(
    keys: readonly string[],
    keep: (result: unknown, key: string) => unknown,
    /** Also the keys kept with no answer (`keep(undefined)`; the guard's seal on them): else passed over. */
    options?: { withNone?: boolean },
  ): Promise<number>;
  /** Makes what was erased or overwritten unreadable in the store's own files too (SQLite: freed space is
   * zeroed as it is freed, and this empties the write-ahead log, which still holds pages as they were). */
  scrub(): Promise<void>;
  readonly audit: AuditLog;
  /** Every stored row of a kind whose row id or indexed columns differ from the record in its body (the
   * record the audit trail vouches for), as sentences naming the row: `overt audit verify` and the live
   * check (issue 12 walk). */
  rowProblems(kind: Kind): Promise<string[]>;
  /** Takes or renews the named lease until `now + ttlMs`. True if `holder` holds it now; false if
   * another holder's lease has not expired. Two instances never both hold a lease. */
  lease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean>;
  close(): Promise<void>;
  /** What is wrong with the store's own structure, read only (SQLite: a trigger Overt did not make, or one of
   * the audit table's missing or altered): `overt audit verify` and the live check. */
  schemaProblems?(): Promise<string[]>;
  /** A number that changes whenever another connection — another instance, or someone editing the file — has
   * committed to the store since it was last asked, never for this one's own writes (SQLite's `data_version`):
   * the audit guard sweeps the records when it moves (integrity.ts). Read in microseconds. */
  changeMark?(): Promise<number>;
  /** The key of every unit the store keeps an answer for (`overt audit verify`: each event's key must have one,
   * or a retry of its command would run it again). */
  unitKeys?(): Promise<Set<string>>;
  /** Every kept answer as stored, by key, in the order the units were kept (`limit`: the first so many): the
   * audit guard's seals on them are checked by `overt audit verify`, at start and by `overt audit seal`
   * (rows.ts). */
  unitAnswers?(options?: { limit?: number }): Promise<Map<string, unknown>>;
  /** Every event written from now on is sealed with this (the audit guard's key: audit.ts, anchor.ts). */
  sealWith?(sealOf: (hash: string) => string): void;
  /** A shutdown past its deadline: every call under way to a remote store is abandoned and every later one
   * fails at once, so `close` and whatever waited on the store end now (a local store has none). */
  abandon?(): Promise<void>;
}

/** The store cannot answer now (its service is down, stalled past the timeout, or throttling past every
 * retry): an outage, not a bug. The HTTP surfaces answer 503 with `Retry-After`. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(
    message: string,
    /** When it is worth asking again, in seconds. */
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}

/**
 * A write the store was told to make did not happen, though nothing refused it: something put into the store
 * outside Overt (a SQLite trigger that `RAISE(IGNORE)`s) made it do nothing. The unit is undone, nothing of it
 * kept; the audit guard takes it as a broken trail. The message says which write, in plain words.
 */
export class StoreTamperedError extends Error {
  override name = 'StoreTamperedError';
}

/** An expected failure, as a value. */
export type StoreFailure = { code: 'STORE_KIND_UNAVAILABLE' | 'STORE_CONFIG_INVALID'; message: string };
export type StoreOutcome<T> = { ok: true; value: T } | { ok: false; error: StoreFailure };
