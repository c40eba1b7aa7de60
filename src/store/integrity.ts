import { GENESIS, type VerifyOptions, type VerifyResult, type WriteDigest } from './audit';
import { Anchor, Checkpoint, type ReadCheckpoint } from './anchor';
import { digestOf } from './audit';
import { plural } from '../util/plural';
import { kinds, type Kind } from './records';
import {
  isSealedAnswer,
  kindDifference,
  openAnswer,
  sealAnswer,
  sealed,
  sealProblem,
  SEALED,
  unsealedSentence,
} from './rows';
import { StoreTamperedError, type CommitResult, type Store, type Unit, type Write } from './store';

/**
 * The trail checked as a whole (`overt audit verify`, and the service at start) and kept checked while
 * the service runs (`/healthz`): the hash chain; the signed checkpoints outside the store (anchor.ts); and
 * every record against the digest in the event that last wrote it. A store whose trail is found broken
 * refuses every unit from then on (`AuditGuard`), so nothing more is written on top of it.
 */

/** Kinds every write of which is on the record: a record of these kinds that no event wrote was put
 * there outside Overt. (Leases, conversation references, sent cards and the notices cursor are written
 * with no event.) */
const AUDITED: ReadonlySet<Kind> = new Set([
  'team',
  'staff',
  'child',
  'request',
  'decision',
  'check',
  'consent',
  'reminder',
  'objection',
  'ripa',
  'delegation',
  'review',
]);

/**
 * Kinds the policy's verdicts rest on: before a query of one is trusted, the guard compares how many records
 * of it are stored with how many the trail says were written (Overt never deletes them), so a row deleted
 * in the live file is found at the next read that could have been decided on it, not at the next start.
 * Only where counting is one cheap query (SQLite); SharePoint has no aggregate (its count reads every item).
 */
const COUNTED: ReadonlySet<Kind> = new Set(['check', 'decision', 'request', 'consent', 'ripa', 'objection']);

/** The event the guard adds to a unit with none that first writes a row of a sealed kind (`firstWrites`). */
export const ROW_KEPT = 'row.kept';

/** The sealed kinds whose first write is recorded so (`firstWrites`): those that reach people — a person's
 * conversation reference (where their cards go) and an approval card's copies. Overt's own bookkeeping
 * (settings, the projection's parts) is not: it is written at every start and timer run. */
const RECORDED_FIRST: ReadonlySet<Kind> = new Set(['conversation', 'card']);

/** The audited kinds and the sealed ones, swept in turn by `AuditGuard.check`. */
const SWEPT: readonly Kind[] = [...AUDITED, ...SEALED];

export type TrailReport =
  | {
      ok: true;
      count: number;
      /** Signed checkpoints found (undefined: not anchored). */
      checkpoints?: number;
      latest?: Checkpoint;
      records: number;
      /** The last event. */
      head: { seq: number; hash: string };
      /** With the anchor: how many events at the start of the trail are from before seals (audit.ts). */
      vouched?: number;
      /** With `allowUnsealed` (`overt audit seal`): the rows and kept answers that carry no seal at all. */
      unsealed?: { rows: { kind: Kind; id: string }[]; answers: string[] };
    }
  | { ok: false; seq?: number; reason: string; problems?: string[]; unvouched?: true };

const MAX_PROBLEMS = 20;

/** Checks the whole trail and, unless `records` is false, every record against the events. */
export async function verifyTrail(
  store: Store,
  options: {
    anchor?: Anchor;
    records?: boolean;
    allowNoCheckpoints?: boolean;
    /** Saved service logs read for the checkpoints they carry, beside the anchor's files. */
    witnesses?: readonly string[];
    /** Filled with the digest each record had when its last event wrote it. */
    latest?: Map<string, { seq: number; digest: string }>;
    /** Rows and kept answers with no seal at all (a store from before seals) are listed in the report, not
     * problems: what `overt audit seal` seals, once nothing else is wrong. */
    allowUnsealed?: boolean;
  } = {},
): Promise<TrailReport> {
  let checkpoints: ReadCheckpoint[] | undefined;
  const anchors = new Map<number, string>();
  if (options.anchor) {
    const read = options.anchor.read(options.witnesses);
    if (read.problem && !(options.allowNoCheckpoints && read.checkpoints.length === 0))
      return { ok: false, reason: read.problem };
    checkpoints = read.checkpoints;
    const when = new Map<number, string>();
    for (const c of checkpoints) {
      const before = anchors.get(c.count);
      if (before !== undefined && before !== c.hash)
        return {
          ok: false,
          seq: c.count,
          reason: `the checkpoints signed at ${when.get(c.count)} and ${c.at} for the first ${plural(c.count, 'event')} disagree: the trail was rewritten between them`,
        };
      anchors.set(c.count, c.hash);
      when.set(c.count, c.at);
    }
  }
  const latest = options.latest ?? new Map<string, { seq: number; digest: string }>();
  latest.clear();
  let head = { seq: 0, hash: GENESIS };
  let vouched: number | undefined;
  const chain: VerifyResult = await store.audit.verify({
    anchors,
    ...(options.anchor
      ? { seal: { sealOf: options.anchor.sealOf }, onVouched: (v: number) => (vouched = v) }
      : {}),
    onWrites: (seq: number, writes: readonly WriteDigest[]) => {
      for (const w of writes) latest.set(`${w.kind}/${w.id}`, { seq, digest: w.digest });
    },
    onHead: (h) => (head = h),
  });
  if (!chain.ok) return chain;
  const furthest = checkpoints?.reduce<ReadCheckpoint | undefined>(
    (a, c) => (a === undefined || c.count > a.count ? c : a),
    undefined,
  );
  if (furthest && furthest.count > head.seq)
    return {
      ok: false,
      seq: head.seq + 1,
      reason: cutReason(head.seq, furthest),
    };
  if (furthest && anchors.get(0) !== undefined && anchors.get(0) !== GENESIS)
    return { ok: false, seq: 0, reason: 'a checkpoint of the empty trail has a hash other than the genesis' };

  let records = 0;
  const unsealed: { rows: { kind: Kind; id: string }[]; answers: string[] } = { rows: [], answers: [] };
  if (options.records !== false) {
    // A trail begun before events carried record digests cannot say which records were written outside it.
    const [first] = head.seq > 0 ? await store.audit.list({ limit: 1 }) : [];
    const secondFormOnly = first?.detailsHash !== undefined;
    // A trigger Overt did not make could rewrite or silently drop what Overt writes; one of the audit table's
    // own missing lets the trail be edited (SQLite).
    const structure = (await store.schemaProblems?.()) ?? [];
    const problems: string[] = [...structure];
    const found = new Set<string>();
    for (const kind of kinds) {
      if (kind === 'lease') continue;
      let list: { record: { id: string } }[];
      try {
        list = await store.query(kind);
      } catch (err) {
        problems.push(`the ${kind} records could not be read: ${(err as Error).message}`);
        continue;
      }
      // A row whose id or indexed columns say other than its record: the reads filter on those columns,
      // so a record moved to another child, status or date by editing them is acted on as edited.
      try {
        problems.push(...(await store.rowProblems(kind)));
      } catch (err) {
        problems.push(`the ${kind} rows could not be read: ${(err as Error).message}`);
      }
      const before = problems.length;
      for (const { record } of list) {
        records += 1;
        const key = `${kind}/${record.id}`;
        found.add(key);
        const wrote = latest.get(key);
        // A sealed kind's row is vouched for by its seal, not by the event that last wrote it (it is written
        // again with no event); that event's record of it says only that it must be there.
        if (wrote && !SEALED.has(kind) && wrote.digest !== digestOf(record))
          problems.push(
            `${kind} ${record.id} differs from what event ${wrote.seq} wrote (changed outside Overt)`,
          );
        else if (!wrote && AUDITED.has(kind) && secondFormOnly)
          problems.push(`${kind} ${record.id} was written by no audit event (put there outside Overt)`);
        // A row written with no event is vouched for by its seal (rows.ts).
        const seal =
          options.anchor && SEALED.has(kind)
            ? sealProblem(kind, record, options.anchor.rowSealOf)
            : undefined;
        if (seal && options.allowUnsealed && (record as { seal?: string }).seal === undefined)
          unsealed.rows.push({ kind, id: record.id });
        else if (seal) problems.push(seal);
      }
      // The kind's rows as a whole against what its events wrote (count and hash): a second copy of a record
      // under another row, which no single record's digest shows.
      if (AUDITED.has(kind) && problems.length === before) {
        const difference = kindDifference(
          kind,
          list
            .filter((r) => secondFormOnly || latest.has(`${kind}/${r.record.id}`))
            .map((r) => ({ id: r.record.id, digest: digestOf(r.record) })),
          writtenOf(latest, kind),
        );
        if (difference) problems.push(difference);
      }
    }
    // Every kept answer carries the audit key's seal, bound to its key (rows.ts): one forged or copied under
    // another key would be handed to whoever retries that key.
    let answers: Map<string, unknown> | undefined;
    if (options.anchor && store.unitAnswers) {
      try {
        answers = await store.unitAnswers();
        for (const [key, kept] of answers) {
          const opened = openAnswer(key, kept, options.anchor.rowSealOf);
          if (opened.ok) continue;
          if (opened.unsealed && options.allowUnsealed) unsealed.answers.push(key);
          else problems.push(opened.unsealed ? unsealedSentence(opened.problem) : opened.problem);
        }
      } catch (err) {
        problems.push(`the kept answers could not be read: ${(err as Error).message}`);
      }
    }
    // Each event's command keeps its answer under its key: one deleted, a retry would run the command again.
    if (store.unitKeys && head.seq > 0) {
      try {
        const kept = answers ? new Set(answers.keys()) : await store.unitKeys();
        const told = new Set<string>();
        for (const e of await store.audit.list()) {
          if (kept.has(e.key) || told.has(e.key)) continue;
          told.add(e.key);
          problems.push(
            `the answer kept under the key ${e.key} (event ${e.seq}, ${e.action}) is missing (deleted outside Overt: a retry of that command would run it again)`,
          );
        }
      } catch (err) {
        problems.push(`the units could not be read: ${(err as Error).message}`);
      }
    }
    for (const [key, wrote] of latest) {
      if (found.has(key) || key.startsWith('lease/')) continue;
      if (problems.some((p) => p.startsWith(`${key.replace('/', ' ')}, written by event`))) continue;
      problems.push(`${key.replace('/', ' ')}, written by event ${wrote.seq}, is missing`);
    }
    if (problems.length > 0)
      return {
        ok: false,
        reason:
          structure.length > 0
            ? `the store was changed outside Overt: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`
            : `${problems.length === 1 ? '1 record does' : `${problems.length} records do`} not match the audit trail: ${problems[0]}`,
        problems: problems.slice(0, MAX_PROBLEMS),
      };
  }
  return {
    ok: true,
    count: chain.count,
    ...(checkpoints ? { checkpoints: checkpoints.length } : {}),
    ...(furthest ? { latest: furthest } : {}),
    records,
    head,
    ...(vouched === undefined ? {} : { vouched }),
    ...(options.allowUnsealed ? { unsealed } : {}),
  };
}

/** The records of one kind the trail wrote (id → the event that last wrote it, and the digest). */
function writtenOf(
  latest: ReadonlyMap<string, { seq: number; digest: string }>,
  kind: Kind,
): Map<string, { seq: number; digest: string }> {
  const prefix = `${kind}/`;
  const out = new Map<string, { seq: number; digest: string }>();
  for (const [key, w] of latest) if (key.startsWith(prefix)) out.set(key.slice(prefix.length), w);
  return out;
}

const cutReason = (end: number, furthest: ReadCheckpoint) =>
  `the trail ends at event ${end}, but a checkpoint signed at ${furthest.at} (${furthest.from}) counts ${plural(furthest.count, 'event')}: ${furthest.count - end} ${furthest.count - end === 1 ? 'was' : 'were'} removed from its end`;

/** Thrown by a guarded store's `commit` once its trail is found broken. */
export class AuditTrailBrokenError extends Error {
  override name = 'AuditTrailBrokenError';
}

/** What a person is told, on every surface, while the trail is broken: the detail is for the log and
 * `overt audit verify`, not for them. */
export const TRAIL_BROKEN_SENTENCE =
  'Overt has stopped taking changes while its record is checked; tell your administrator.';

/** A failed check is made again when an event was written from this long before it began (a unit's time is
 * taken as it is made, a moment before it commits), up to RECHECKS times. */
const RECENT_MS = 1_000;
const RECHECKS = 3;

export type TrailState = { ok: true; count: number } | { ok: false; seq?: number; reason: string };

/**
 * Keeps one store's trail checked while the service runs, anchors it, and stops writes once it is broken.
 * `verifyAll` checks everything (at start); `check` (each `/healthz`) re-verifies incrementally: that the
 * last event it verified is still there unchanged, every event since, and one window of older events in
 * turn (so a live edit anywhere is found within a few checks). Checkpoints of the head this process
 * wrote are signed at most every `checkpointEveryMs`, off the command's path.
 */
/** The store's note of the anchor the instances share (see `AuditGuard.sharedAnchor`). */
const ANCHOR_NOTE = 'audit.anchor';

export class AuditGuard {
  private broken: { seq?: number; reason: string } | undefined;
  /** Every event up to this one has been verified. */
  private verified = { seq: 0, hash: GENESIS };
  /** Where the next window of older events starts. */
  private sweep = { seq: 0, hash: GENESIS };
  private head: { seq: number; hash: string } | undefined;
  private signedCount = -1;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<TrailState> | undefined;
  /**
   * What each audited record was when the event that last wrote it was written (kind/id → digest), known
   * once the whole trail has been verified (`verifyAll`) and kept up to date from every event verified or
   * committed since: a record read that differs from it was changed outside Overt.
   */
  private latest: Map<string, { seq: number; digest: string }> | undefined;
  /** Whether every record of the audited kinds was written by an event that digests it (a trail begun in the
   * second form): only then is a row no event wrote a finding. */
  private everyWrite = false;
  /** Digests of record objects already computed (the SQLite adapter hands out the same frozen object while
   * its row is unchanged), for the sweep's kind digests. */
  private readonly digests = new WeakMap<object, string>();
  /** Record objects already found to match (the SQLite adapter hands out the same frozen object while
   * its row is unchanged), so a record is digested once, not on every read. */
  private readonly matched = new WeakSet<object>();
  /** When the records were last swept, and which kind is next. */
  private swept = { at: 0, kind: 0 };
  /** The store's change mark (`Store.changeMark`: SQLite's `data_version`) when every kind was last swept whole,
   * and when; and the timer that looks at it (`watch`). */
  private mark: { value: number | undefined; at: number } = { value: undefined, at: 0 };
  private watcher: NodeJS.Timeout | undefined;
  /** How much of the checkpoints file and each witness has been read (file → bytes), and the furthest
   * checkpoint found in them: a later check reads only what was appended since. */
  private readonly seen = new Map<string, number>();
  private furthest: ReadCheckpoint | undefined;
  /**
   * The ids of the records of each audited kind the trail says were written, known once the whole trail
   * has been verified and kept up to date from every event since: one of them no longer stored was
   * deleted outside Overt (no unit deletes a record of these kinds).
   */
  private written: Map<Kind, Set<string>> | undefined;
  /** Every checkpoint read (count → hash): what vouches for the events from before seals. */
  private readonly anchors = new Map<number, string>();
  /** How many events at the trail's start are from before seals, once a whole walk has found it. */
  private vouched: number | undefined;
  /** Told of every checkpoint this process signs (the service logs it: a witness outside every file). */
  onCheckpoint: ((c: Checkpoint) => void) | undefined;
  readonly store: Store;

  constructor(
    private readonly inner: Store,
    readonly anchor: Anchor | undefined,
    private readonly options: {
      checkpointEveryMs?: number;
      window?: number;
      anchorCreated?: boolean;
      /** How often `check` also sweeps one kind of record against the trail (default 30 s). */
      recordSweepMs?: number;
      /** How often, at most, `check` sweeps every kind whole when another connection wrote to the store (its
       * change mark moved: another instance, or a live edit of the file). Default 1 s. */
      liveSweepMs?: number;
      /**
       * Check records against the trail as they are read and in `check`'s sweep. Only for a store whose
       * units are atomic (SQLite): on SharePoint a unit's records land before its events, so a record read
       * mid-unit would look changed; there records are checked at start and by `overt audit verify`.
       */
      checkRecords?: boolean;
    } = {},
  ) {
    // Every event this store writes from now on carries the audit key's seal.
    if (anchor) inner.sealWith?.(anchor.sealOf);
    const commit = (unit: Unit) => this.commit(unit);
    const close = () => this.close();
    // A trail found broken (live, or at start) answers no read, on either store: the broken state is consulted
    // here, before the store is asked, not only where records are checked as read (SQLite): on SharePoint, and
    // on SQLite after a restart, reads were answered while changes were refused (issue 12 walk, finding 1).
    const refuseIfBroken = () => {
      if (this.broken) throw this.brokenError();
    };
    const get: Store['get'] = async (kind, id, opts) => {
      refuseIfBroken();
      const found = await inner.get(kind, id, opts);
      if (!found && this.written?.get(kind)?.has(id)) await this.gone(kind, id);
      if (found && found.record.id !== id)
        this.refuse(
          `${kind} row ${id} holds the record of ${kind} ${found.record.id} (copied or moved outside Overt: written by no audit event)`,
        );
      if (found) this.sealsHold(kind, [found.record]);
      if (found) await this.matches([{ kind, record: found.record }]);
      return found;
    };
    const query: Store['query'] = async (kind, q) => {
      refuseIfBroken();
      const found = await inner.query(kind, q);
      if (this.options.checkRecords && COUNTED.has(kind)) await this.counted(kind);
      const ids = new Set(found.map((f) => f.record.id));
      // The same record twice: a row copied under another id (confirmed against the rows before refusing).
      if (ids.size < found.length) {
        const [problem] = await inner.rowProblems(kind);
        if (problem) this.refuse(problem);
      }
      this.sealsHold(
        kind,
        found.map((f) => f.record),
      );
      await this.matches(found.map((f) => ({ kind, record: f.record })));
      return found;
    };
    // A kept answer is handed back only with its seal (rows.ts): one forged, or copied from another key, breaks
    // the trail and is never answered with.
    const replay: Store['replay'] = async (key, opts) => {
      refuseIfBroken();
      const found = await inner.replay(key, opts);
      return found && { result: this.answerOf(key, found.result) };
    };
    // Retention's erasure of an answer is kept sealed, as every answer is.
    const forgetAnswers: Store['forgetAnswers'] = (keys, keep) => {
      const rowSealOf = this.anchor?.rowSealOf;
      if (!rowSealOf) return inner.forgetAnswers(keys, keep);
      return inner.forgetAnswers(keys, (kept, key) =>
        sealAnswer(key, keep(this.answerOf(key, kept), key), rowSealOf),
      );
    };
    // Counts are reads too (the dashboard, the children list); /healthz's own count is made on the store as it
    // stands and says the break itself.
    const count: Store['count'] = async (kind, q) => {
      refuseIfBroken();
      return inner.count(kind, q);
    };
    this.store = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'commit') return commit;
        if (prop === 'count') return count;
        if (prop === 'replay') return replay;
        if (prop === 'forgetAnswers') return forgetAnswers;
        if (prop === 'close') return close;
        if (prop === 'get') return get;
        if (prop === 'query') return query;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    guards.set(this.store, this);
  }

  /** The whole trail, checkpoints and records; sets the guard's state and, if intact, signs the head. */
  async verifyAll(): Promise<TrailReport> {
    await this.flush();
    // The store's change mark before the whole check: a change by another connection after it is swept for.
    const mark = await this.inner.changeMark?.();
    if (this.anchor) this.readAnchor(); // what is there now; the whole check reads it again below
    let latest = new Map<string, { seq: number; digest: string }>();
    const check = async () => {
      latest = new Map();
      return verifyTrail(this.inner, {
        ...(this.anchor ? { anchor: this.anchor } : {}),
        allowNoCheckpoints: this.options.anchorCreated === true,
        latest,
      });
    };
    // The check reads the records, the kept answers and the events one after another, not as one snapshot: an
    // instance that starts while another writes (its own start's timers) can read a unit's event without its
    // answer, or a record newer than the events it read, and would call a sound trail broken (issue 12 walk:
    // two instances started together on one SQLite folder, one refused every change until restarted). A
    // failure while the trail grew is checked again; a real break fails every time.
    // Only events written from just before the check began count: a trail that merely holds recent events from
    // before it (a tampered store opened at once) is not checked again.
    const since = new Date(Date.now() - RECENT_MS).toISOString();
    let report = await check();
    for (let again = 0; !report.ok && again < RECHECKS; again++) {
      const [recent] = await this.inner.audit.list({ from: since, limit: 1 });
      if (!recent) break;
      await new Promise((r) => setTimeout(r, 200 * (again + 1)));
      report = await check();
    }
    if (report.ok) {
      this.mark = { value: mark, at: Date.now() };
      this.latest = latest;
      // A trail begun before events carried record digests cannot say which records were written outside it.
      const [first] = report.head.seq > 0 ? await this.inner.audit.list({ limit: 1 }) : [];
      this.everyWrite = report.head.seq === 0 || first?.detailsHash !== undefined;
      this.written = new Map();
      for (const key of latest.keys()) this.note(key);
    }
    if (!report.ok) {
      this.broken = { ...(report.seq === undefined ? {} : { seq: report.seq }), reason: report.reason };
      return report;
    }
    this.verified = report.head;
    if (report.vouched !== undefined) this.vouched = report.vouched;
    if (!this.head || this.head.seq < report.head.seq) this.head = report.head;
    // An anchor the other instances do not share signs nothing, here or at close: a checkpoint written into
    // another file would be one more anchor nobody else reads (found by test/server/shared-anchor: the refused
    // instance signed the trail's head into the file it was wrongly given).
    this.elsewhere = await this.anchoredElsewhere();
    if (this.anchor && !this.elsewhere && report.latest?.count !== report.head.seq) this.sign(report.head);
    return report;
  }

  /** Set by `verifyAll` when this instance's anchor lacks the checkpoint the others noted: it signs nothing. */
  private elsewhere: string | undefined;

  /**
   * At start, with the trail verified: whether this instance anchors the trail where the others on this store
   * do. The store keeps a note of the last checkpoint an instance found in its checkpoints file when it
   * started (`setting` `audit.anchor`); an instance whose checkpoints file, or a witness that holds any
   * checkpoint, lacks that one writes its checkpoints elsewhere (or with another key), so the trail's end
   * could be cut unseen: the problem, said plainly. Otherwise the note becomes this instance's last
   * checkpoint. A witness with no checkpoint yet is a new one, and starts now.
   */
  async sharedAnchor(): Promise<string | undefined> {
    if (!this.anchor) return undefined;
    this.elsewhere ??= await this.anchoredElsewhere();
    if (this.elsewhere) return this.elsewhere;
    const found = await this.store.get('setting', ANCHOR_NOTE);
    const read = this.anchor.read();
    if (read.problem) return undefined; // the trail's own check reports it
    const mine = read.checkpoints
      .filter((c) => c.from.startsWith(`${this.anchor!.paths.checkpointsFile} line `))
      .at(-1);
    const parsed = found ? Checkpoint.safeParse(found.record.value) : undefined;
    const note = parsed?.success ? parsed.data : undefined;
    if (mine && mine.sig !== note?.sig) {
      const { from: _from, ...value } = mine;
      await this.store.commit({
        key: `audit-anchor:${mine.count}:${mine.sig.slice(0, 16)}`,
        at: new Date().toISOString(),
        writes: [
          {
            kind: 'setting',
            record: { id: ANCHOR_NOTE, value },
            ...(found ? { ifVersion: found.version } : {}),
          },
        ],
        audit: [],
      });
    }
    return undefined;
  }

  /** Whether this instance's checkpoints file, or a witness holding any checkpoint, lacks the checkpoint the
   * store's note names (another file, or another key): the problem, said plainly; read only. */
  private async anchoredElsewhere(): Promise<string | undefined> {
    if (!this.anchor) return undefined;
    const found = await this.store.get('setting', ANCHOR_NOTE);
    const parsed = found ? Checkpoint.safeParse(found.record.value) : undefined;
    const note = parsed?.success ? parsed.data : undefined;
    const read = this.anchor.read();
    if (read.problem) return undefined; // the trail's own check reports it
    const { checkpointsFile, witnessFiles } = this.anchor.paths;
    const inFile = (file: string) => read.checkpoints.filter((c) => c.from.startsWith(`${file} line `));
    if (note) {
      const when = `${plural(note.count, 'event')}, signed at ${note.at}`;
      const rule =
        'every instance on one store must use the same signing key, checkpoints file and witnesses (OVERT_AUDIT_KEY, OVERT_AUDIT_CHECKPOINTS, OVERT_AUDIT_WITNESS), or the end of the audit trail could be cut unseen';
      if (note.keyId !== this.anchor.keyId)
        return `another instance of this store signs its checkpoints with another key (its last: ${when}): ${rule}`;
      for (const file of [checkpointsFile, ...witnessFiles]) {
        const there = inFile(file);
        if (file !== checkpointsFile && there.length === 0) continue;
        if (!there.some((c) => c.sig === note.sig))
          return `${file === checkpointsFile ? 'the checkpoints file' : 'the witness'} ${file} does not hold the checkpoint another instance of this store noted (${when}): it writes its checkpoints elsewhere; ${rule}`;
      }
    }
    return undefined;
  }

  /** Set once the trail is found broken. */
  get state(): { ok: false; seq?: number; reason: string } | undefined {
    return this.broken ? { ok: false, ...this.broken } : undefined;
  }

  /** Re-verifies incrementally (concurrent callers share one pass). */
  check(): Promise<TrailState> {
    this.checking ??= this.checkOnce().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkOnce(): Promise<TrailState> {
    if (this.broken) return { ok: false, ...this.broken };
    const fail = (seq: number | undefined, reason: string): TrailState => {
      this.broken = { ...(seq === undefined ? {} : { seq }), reason };
      return { ok: false, ...this.broken };
    };
    try {
      const v = this.verified;
      if (v.seq > 0) {
        const [at] = await this.inner.audit.list({ afterSeq: v.seq - 1, limit: 1 });
        if (!at || at.seq !== v.seq) return fail(v.seq, `event ${v.seq}, verified before, is gone`);
        if (at.hash !== v.hash) return fail(v.seq, `event ${v.seq} was rewritten after it was verified`);
      }
      const tail = await this.catchUp();
      if (!tail.ok) return tail;
      // A checkpoint (this instance's, another's, or a witness's) that the trail no longer reaches: its end
      // was cut. One signed by another instance after the events above were read is not a cut: the trail is
      // caught up with, a few times over about a second, before it is called one.
      if (this.anchor) {
        const problem = this.readAnchor();
        if (problem) return fail(undefined, problem);
        for (let i = 0; this.furthest && this.furthest.count > this.verified.seq && i < 4; i++) {
          if (i > 0) await new Promise((r) => setTimeout(r, 250 * i));
          const caught = await this.catchUp();
          if (!caught.ok) return caught;
        }
        if (this.furthest && this.furthest.count > this.verified.seq)
          return fail(this.verified.seq + 1, cutReason(this.verified.seq, this.furthest));
      }
      let end = this.sweep;
      const window = await this.inner.audit.verify({
        start: this.sweep,
        limit: this.options.window ?? 5000,
        accountErasures: false,
        onHead: (h) => (end = h),
        ...this.sealCheck(),
      });
      if (!window.ok) return fail(window.seq, window.reason);
      this.sweep = end.seq >= this.verified.seq || window.count === 0 ? { seq: 0, hash: GENESIS } : end;
      // The records, one kind at a time, at most every `recordSweepMs`: an edit of a record nobody reads
      // is found within a few minutes, not only at the next start.
      // Each kind's rows are also checked against their own bodies (row id and indexed columns), on both
      // stores: on SharePoint an item's fields and body are written in one request, so never differ mid-unit.
      const [structure] = (await this.inner.schemaProblems?.()) ?? [];
      if (structure) return fail(undefined, structure);
      // Another connection committed to the store (another instance's unit, or someone editing the file): every
      // kind swept whole now, at most every `liveSweepMs` — a record edited in the live file is found within
      // about a second, not when someone next reads it (issue 12 walk, finding 3). This instance's own units
      // do not move the mark; with one instance, nothing is swept until someone else writes.
      const moved = await this.movedMark();
      if (moved !== undefined) {
        for (const kind of SWEPT) {
          const [problem] = await this.inner.rowProblems(kind);
          if (problem) return fail(undefined, problem);
          const bad = await this.kindProblem(kind);
          if (bad) return fail(undefined, bad);
        }
        this.mark = { value: moved, at: Date.now() };
      }
      const every = this.options.recordSweepMs ?? 30_000;
      if (Date.now() - this.swept.at >= every) {
        this.swept.at = Date.now();
        const kind = SWEPT[this.swept.kind++ % SWEPT.length]!;
        const [problem] = await this.inner.rowProblems(kind);
        if (problem) return fail(undefined, problem);
        const bad = await this.kindProblem(kind);
        if (bad) return fail(undefined, bad);
      }
      return { ok: true, count: this.verified.seq };
    } catch (err) {
      // The store not answering (a Graph stall) is an outage, not a broken trail: this check fails, and the
      // next one, once the store answers, checks again (issue 16 walk: one stall left an instance refusing
      // every write until restarted, while holding the timers' lease).
      return { ok: false, reason: `the trail could not be read: ${(err as Error).message}` };
    }
  }

  /** The store's change mark, if it moved since every kind was last swept and the last sweep was at least
   * `liveSweepMs` ago; else undefined. Only where records are checked as read (SQLite). */
  private async movedMark(): Promise<number | undefined> {
    if (!this.options.checkRecords || !this.latest || this.mark.value === undefined) return undefined;
    if (Date.now() - this.mark.at < (this.options.liveSweepMs ?? 1_000)) return undefined;
    const now = await this.inner.changeMark?.();
    return now === undefined || now === this.mark.value ? undefined : now;
  }

  /**
   * Looks at the store's change mark every `everyMs` (default: `liveSweepMs`) and, when another connection
   * wrote, checks the trail (`check`): a record or event edited in the live file stops writes within about
   * a second even if nobody asks `/healthz`. `onBroken` is told once. Stopped by `close`.
   */
  watch(onBroken?: (chain: { seq?: number; reason: string }) => void, everyMs?: number): void {
    if (this.watcher || !this.options.checkRecords || !this.inner.changeMark) return;
    const every = everyMs ?? this.options.liveSweepMs ?? 1_000;
    let told = false;
    this.watcher = setInterval(() => {
      if (this.broken) {
        if (!told && onBroken) onBroken({ ...this.broken });
        told = true;
        return;
      }
      void (async () => {
        if ((await this.movedMark()) === undefined) return;
        const state = await this.check();
        if (!state.ok && this.broken && !told) {
          told = true;
          onBroken?.({ ...this.broken });
        }
      })().catch(() => undefined);
    }, every);
    this.watcher.unref();
  }

  /**
   * One kind's rows in the sweep: a sealed kind's every seal; an audited kind's rows as a whole against what
   * the trail's events wrote (kind digest: count and hash, rows.ts). A difference is looked at again after
   * catching up with the trail, a few times over about two seconds (another instance's unit, and on SharePoint
   * a unit whose records land before its events), before it is called tampering.
   */
  private async kindProblem(kind: Kind): Promise<string | undefined> {
    if (SEALED.has(kind)) {
      if (!this.anchor) return undefined;
      for (const { record } of await this.inner.query(kind)) {
        const problem = sealProblem(kind, record, this.anchor.rowSealOf);
        if (problem) return problem;
      }
      return undefined;
    }
    const latest = this.latest;
    if (!latest) return undefined;
    let difference: string | undefined;
    // SQLite's units are atomic: once caught up with the trail, a difference is tampering. On SharePoint a
    // unit's records land before its events: a few more looks, over about two seconds.
    // Where the store has a change mark, a look during which another connection committed (the trail caught up
    // with, then the rows read, and a unit landed between) proves nothing: it is made again, up to 8 looks (the
    // live sweep runs exactly when another instance writes).
    let looks = this.options.checkRecords ? 2 : 5;
    for (let i = 0; i < looks; i++) {
      let before: number | undefined;
      if (i > 0) {
        if (!this.options.checkRecords) await new Promise((r) => setTimeout(r, 200 * i));
        else if (i > 1) await new Promise((r) => setTimeout(r, 20 * i));
        before = await this.inner.changeMark?.();
        const caught = await this.catchUp();
        if (!caught.ok) return caught.reason;
      }
      const rows = await this.inner.query(kind);
      if (before !== undefined && (await this.inner.changeMark?.()) !== before)
        looks = Math.min(8, looks + 1);
      const written = new Map<string, { seq: number; digest: string }>();
      const prefix = `${kind}/`;
      for (const [key, w] of latest) if (key.startsWith(prefix)) written.set(key.slice(prefix.length), w);
      difference = kindDifference(
        kind,
        rows
          .filter((r) => this.everyWrite || written.has(r.record.id))
          .map((r) => ({ id: r.record.id, digest: this.digestOf(r.record) })),
        written,
      );
      if (!difference) return undefined;
    }
    return difference;
  }

  private digestOf(record: object): string {
    let d = this.digests.get(record);
    if (d === undefined) this.digests.set(record, (d = digestOf(record)));
    return d;
  }

  /** A kept answer opened: its result, or the trail is broken (one forged, copied from another key, or kept
   * before answers were sealed, which names `overt audit seal`) and the read fails. */
  private answerOf(key: string, kept: unknown): unknown {
    if (!this.anchor) return kept;
    const opened = openAnswer(key, kept, this.anchor.rowSealOf);
    if (opened.ok) return opened.result;
    return this.refuse(opened.unsealed ? unsealedSentence(opened.problem) : opened.problem);
  }

  /**
   * `overt audit seal`: seals the answers kept under these keys that carry no seal at all (kept before answers
   * were sealed). An answer that carries a seal is left as it is: one that does not match stays a break.
   * `again` (`overt audit adopt`, a store taken on under a new key): those sealed with another key too.
   */
  async sealAnswers(keys: readonly string[], again = false): Promise<number> {
    const rowSealOf = this.anchor?.rowSealOf;
    if (!rowSealOf) return 0;
    return this.inner.forgetAnswers(
      keys,
      (kept, key) =>
        isSealedAnswer(kept)
          ? again
            ? sealAnswer(key, kept.result, rowSealOf)
            : kept
          : sealAnswer(key, kept, rowSealOf),
      { withNone: true },
    );
  }

  /** Rows of a sealed kind read: each must carry the audit key's seal, or the trail is broken and the read
   * fails (a conversation reference edited to send a person's cards elsewhere is never used). */
  private sealsHold(kind: Kind, records: readonly { id: string; seal?: string }[]): void {
    if (!this.anchor || !SEALED.has(kind)) return;
    for (const record of records) {
      this.kept.add(`${kind}/${record.id}`);
      if (this.matched.has(record)) continue;
      const problem = sealProblem(kind, record, this.anchor.rowSealOf);
      if (problem) this.refuse(problem);
      this.matched.add(record);
    }
  }

  /** Rows of the sealed kinds known to be stored (read or written here): a blind write of one is not a
   * first write, so needs no look. */
  private readonly kept = new Set<string>();

  /**
   * The rows of the sealed kinds this unit writes for the first time. A row written with no event is vouched
   * for by its seal while it is there; that it was ever there is the trail's to say, or deleting it would go
   * unseen (brief M12, 3). So a unit with no event that first writes such a row gets one (`row.kept`, by the
   * system), whose record of the unit's writes is the trail's record that the row exists: `overt audit
   * verify`, and a read of it here, find it missing once deleted. A write at a version, or of a row known to be
   * there, is not a first write; a blind one of a row not known is looked up.
   */
  private async firstWrites(unit: Unit): Promise<Write[]> {
    const first: Write[] = [];
    for (const w of unit.writes) {
      if (!RECORDED_FIRST.has(w.kind) || typeof w.ifVersion === 'string') continue;
      const key = `${w.kind}/${w.record.id}`;
      if (w.ifVersion === undefined && (this.kept.has(key) || (await this.inner.get(w.kind, w.record.id)))) {
        this.kept.add(key);
        continue;
      }
      first.push(w);
    }
    return first;
  }

  private note(key: string): void {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash) as Kind;
    if (!AUDITED.has(kind) && !SEALED.has(kind)) return;
    let ids = this.written!.get(kind);
    if (!ids) this.written!.set(kind, (ids = new Set()));
    ids.add(key.slice(slash + 1));
  }

  /** A record the trail wrote is not stored: after catching up (it may be another instance's, read before
   * its unit landed — never on SQLite, whose units are atomic), the trail is broken and the read fails. */
  private async gone(kind: Kind, id: string): Promise<void> {
    if (this.broken) throw this.brokenError();
    if (await this.inner.get(kind, id)) return;
    this.refuse(`${kind} ${id}, written by the audit trail, is missing (deleted outside Overt)`);
  }

  /** Fewer records of a kind stored than the trail wrote: some were deleted outside Overt. */
  private async counted(kind: Kind): Promise<void> {
    const expected = this.written?.get(kind);
    if (!expected) return;
    if (this.broken) throw this.brokenError();
    const [row] = await this.inner.count(kind);
    const stored = row?.count ?? 0;
    if (stored >= expected.size) return;
    const caught = await this.catchUp();
    if (!caught.ok) throw this.brokenError();
    const ids = new Set((await this.inner.query(kind)).map((r) => r.record.id));
    const missing = [...expected].filter((id) => !ids.has(id));
    if (missing.length === 0) return;
    this.refuse(
      `${missing.length === 1 ? `${kind} ${missing[0]}` : `${missing.length} ${kind} records (${missing.slice(0, 3).join(', ')}…)`}, written by the audit trail, ${missing.length === 1 ? 'is' : 'are'} missing (deleted outside Overt)`,
    );
  }

  /** Notes the records an event wrote, as it wrote them. */
  private learn(seq: number, writes: readonly WriteDigest[]): void {
    if (this.written) for (const w of writes) this.note(`${w.kind}/${w.id}`);
    if (!this.latest) return;
    for (const w of writes) this.latest.set(`${w.kind}/${w.id}`, { seq, digest: w.digest });
  }

  /** The first record that differs from what its last event wrote, after catching up with the trail
   * (another instance's unit is matched by its events once they are read), or undefined. */
  private async mismatch(
    records: readonly { kind: Kind; record: { id: string } }[],
  ): Promise<string | undefined> {
    const latest = this.latest;
    if (!latest) return undefined;
    const differs = (read: readonly { kind: Kind; record: { id: string } }[]) =>
      read.filter(({ kind, record }) => {
        if (!AUDITED.has(kind) || this.matched.has(record)) return false;
        const wrote = latest.get(`${kind}/${record.id}`);
        if (!wrote) return false; // written before events carried digests: verify cannot say either
        if (wrote.digest === digestOf(record)) {
          this.matched.add(record);
          return false;
        }
        return true;
      });
    let bad = differs(records);
    // A record that differs may only be behind or ahead of what this guard knows: another instance's unit
    // is matched by its events once they are read, and a record read before a later write of it (here or
    // elsewhere) while the trail was read after that write is stale, not changed. So, a few times over about
    // a second: read such records again, then catch up with the trail (a unit's records and events commit
    // together, so the trail read second covers the record read first), before calling it tampering.
    for (let i = 0; bad.length > 0 && i < 4; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 250 * i));
      const again: { kind: Kind; record: { id: string } }[] = [];
      for (const { kind, record } of bad) {
        const found = await this.inner.get(kind, record.id);
        if (found) again.push({ kind, record: found.record }); // gone since: deleted by a unit, or the sweep says
      }
      const caught = await this.catchUp();
      if (!caught.ok) return caught.reason;
      bad = differs(again);
    }
    if (bad.length === 0) return undefined;
    const { kind, record } = bad[0]!;
    const wrote = latest.get(`${kind}/${record.id}`)!;
    return `${kind} ${record.id} differs from what event ${wrote.seq} wrote (changed outside Overt)`;
  }

  /** Checks records as they are read: one changed outside Overt breaks the trail (health 503, no more
   * units) and the read fails, so nothing acts on it. */
  private async matches(records: readonly { kind: Kind; record: { id: string } }[]): Promise<void> {
    if (!this.options.checkRecords || !this.latest || records.length === 0) return;
    if (this.broken) throw this.brokenError();
    const bad = await this.mismatch(records);
    if (!bad) return;
    this.broken ??= { reason: bad };
    throw this.brokenError();
  }

  /** A row found to disagree with its record as it was read: the trail is broken, and the read fails. */
  private refuse(reason: string): never {
    this.broken ??= { reason };
    throw this.brokenError();
  }

  /**
   * How this guard checks seals: with the prefix from before seals known (from a whole walk), every later
   * event must be sealed; not yet known (a command's guard, never verified whole), a walk from the genesis
   * finds it against the checkpoints read.
   */
  private sealCheck(): Pick<VerifyOptions, 'seal' | 'anchors' | 'onVouched'> {
    if (!this.anchor) return {};
    if (this.vouched !== undefined) return { seal: { sealOf: this.anchor.sealOf, vouched: this.vouched } };
    this.readAnchor();
    return {
      seal: { sealOf: this.anchor.sealOf },
      anchors: this.anchors,
      onVouched: (v) => (this.vouched = v),
    };
  }

  /** The events since the last verified one, verified and learnt (not the window of older ones). */
  private async catchUp(): Promise<TrailState> {
    // Until the prefix from before seals is known, only a walk from the genesis can find it.
    const v = this.anchor && this.vouched === undefined ? { seq: 0, hash: GENESIS } : this.verified;
    let head = v;
    const tail = await this.inner.audit.verify({
      start: v,
      accountErasures: false,
      onHead: (h) => (head = h),
      onWrites: (seq, writes) => this.learn(seq, writes),
      ...this.sealCheck(),
    });
    if (!tail.ok) {
      this.broken ??= { ...(tail.seq === undefined ? {} : { seq: tail.seq }), reason: tail.reason };
      return { ok: false, ...this.broken };
    }
    if (head.seq >= this.verified.seq) this.verified = head;
    return { ok: true, count: this.verified.seq };
  }

  private brokenError(): AuditTrailBrokenError {
    const b = this.broken!;
    return new AuditTrailBrokenError(
      `Overt will not act while the audit trail is broken (${b.seq === undefined ? '' : `at event ${b.seq}: `}${b.reason}); run \`overt audit verify\` and restore the trail`,
    );
  }

  private async commit(unit: Unit): Promise<CommitResult> {
    if (this.broken)
      throw new AuditTrailBrokenError(
        `Overt will not write while the audit trail is broken (${this.broken.seq === undefined ? '' : `at event ${this.broken.seq}: `}${this.broken.reason}); run \`overt audit verify\` and restore the trail`,
      );
    // Rows written with no event carry the audit key's seal (rows.ts).
    // So does the answer kept under the unit's key, bound to that key.
    const anchor = this.anchor;
    let toCommit: Unit = anchor
      ? {
          ...unit,
          writes: unit.writes.map((w) =>
            SEALED.has(w.kind) ? ({ ...w, record: sealed(w.kind, w.record, anchor.rowSealOf) } as Write) : w,
          ),
          result: sealAnswer(unit.key, unit.result, anchor.rowSealOf),
        }
      : unit;
    if (anchor && unit.audit.length === 0) {
      const [first] = await this.firstWrites(unit);
      if (first)
        toCommit = {
          ...toCommit,
          audit: [
            {
              actor: { id: 'system' },
              action: ROW_KEPT,
              target: { kind: first.kind, id: first.record.id },
              outcome: 'kept',
            },
          ],
        };
    }
    let r: CommitResult;
    try {
      r = await this.inner.commit(toCommit);
    } catch (err) {
      // A write the store silently dropped (a trigger put there outside Overt): nothing of the unit was kept,
      // and nothing more is written on a store that does that.
      if (err instanceof StoreTamperedError) this.refuse(err.message);
      throw err;
    }
    if (r.status === 'replayed') return { status: 'replayed', result: this.answerOf(unit.key, r.result) };
    if (r.status === 'committed')
      for (const w of toCommit.writes) if (SEALED.has(w.kind)) this.kept.add(`${w.kind}/${w.record.id}`);
    if (r.status === 'committed' && r.events.length > 0) {
      for (const e of r.events) if (e.writes) this.learn(e.seq, e.writes);
      const last = r.events[r.events.length - 1]!;
      if (!this.head || last.seq > this.head.seq) this.head = { seq: last.seq, hash: last.hash };
      if (this.anchor && !this.timer) {
        const every = this.options.checkpointEveryMs ?? 1000;
        this.timer = setTimeout(() => void this.flush().catch(() => undefined), every);
        this.timer.unref();
      }
    }
    return r;
  }

  /**
   * Signs the newest head this process wrote, if not signed yet — only once every event up to it has been
   * verified, seals included: a checkpoint never vouches for an event appended outside Overt that this
   * process's own events were chained onto. The trail found broken, nothing is signed.
   */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.anchor || !this.head || this.head.seq === this.signedCount || this.broken) return;
    const caught = await this.catchUp();
    if (!caught.ok) return;
    if (this.verified.seq >= this.head.seq && this.verified.seq !== this.signedCount)
      this.sign(this.verified);
  }

  private sign(head: { seq: number; hash: string }): void {
    if (this.elsewhere) return;
    const c = this.anchor!.checkpoint({ count: head.seq, hash: head.hash }, new Date());
    this.signedCount = head.seq;
    this.onCheckpoint?.(c);
  }

  /** Reads what was appended to the anchor's files since the last read; a problem if one was cut. */
  private readAnchor(): string | undefined {
    const read = this.anchor!.readSince(this.seen);
    for (const c of read.checkpoints) {
      if (!this.furthest || c.count > this.furthest.count) this.furthest = c;
      this.anchors.set(c.count, c.hash);
    }
    return read.problem;
  }

  private async close(): Promise<void> {
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = undefined;
    await this.flush().catch(() => undefined);
    await this.inner.close();
  }
}

const guards = new WeakMap<Store, AuditGuard>();

/** A wrapper of a guarded store (the service's logging one) answers `guardOf` as the store it wraps. */
export function sameGuard(wrapper: Store, guarded: Store): void {
  const g = guards.get(guarded);
  if (g) guards.set(wrapper, g);
}

/** The answer to a change while the trail is broken: for the surfaces, once they know who is asking (a
 * stranger is answered 401/403 first, and learns nothing of the trail). The plain sentence only: which event
 * and why are for the log, `/healthz` and `overt audit verify`. */
export function changesRefused(store: Store, method: string | undefined): string | undefined {
  if (method === 'GET' || method === 'HEAD') return undefined;
  return guards.get(store)?.state ? TRAIL_BROKEN_SENTENCE : undefined;
}

/** The guard of a store opened with one. */
export function guardOf(store: Store): AuditGuard | undefined {
  return guards.get(store);
}
