import type Database from 'better-sqlite3';
import type { ColumnType } from '../indexes';

/**
 * Versioned migrations, applied in order and recorded in `schema_migrations`. A migration, once
 * released, never changes: add a new one. Each kind has a table named after it holding the record as
 * JSON (`body`), its version, and one column per indexed field (see src/store/indexes.ts), generated from
 * the body since version 6 (`generatedColumn`): a column can never say other than the record does. A
 * migration that indexes a new field adds it with `generatedColumn`.
 */
export type Migration = { version: number; name: string; up: (db: Database.Database) => void };

type Column = [name: string, sqlType: 'TEXT' | 'REAL' | 'INTEGER'];

/** A quoted SQL identifier. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function createKindTable(db: Database.Database, kind: string, columns: Column[]): void {
  const cols = columns.map(([name, type]) => `, ${ident(name)} ${type}`).join('');
  db.exec(
    `CREATE TABLE ${ident(kind)} (id TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL${cols})`,
  );
  for (const [name] of columns) {
    db.exec(`CREATE INDEX ${ident(`${kind}_${name}`)} ON ${ident(kind)} (${ident(name)})`);
  }
}

const text = (...names: string[]): Column[] => names.map((n) => [n, 'TEXT']);

/** The kinds and indexed columns as they were at version 1 (frozen: do not edit). */
const V1_TABLES: Record<string, Column[]> = {
  team: text('profileId'),
  staff: text('email', 'role'),
  child: text(
    'caseRef',
    'teamId',
    'workerId',
    'createdAt',
    'consentStatus',
    'reminderDueAt',
    'openObjectionId',
  ),
  request: text('childId', 'teamId', 'requesterId', 'status', 'createdAt', 'updatedAt', 'expiresAt'),
  decision: text('requestId', 'childId', 'teamId', 'deciderId', 'outcome', 'at'),
  check: text('requestId', 'childId', 'teamId', 'viewerId', 'viewedAt', 'thirdPartyData'),
  consent: text('childId', 'teamId', 'date'),
  reminder: text('childId', 'teamId', 'givenAt'),
  objection: text('childId', 'teamId', 'status', 'raisedAt'),
  ripa: text('childId', 'teamId', 'officerId', 'reviewAt', 'until'),
  delegation: text('fromId', 'toId', 'until'),
  conversation: text('updatedAt'),
  review: [['year', 'REAL'], ...text('reviewerId')],
  setting: [],
  lease: [],
};

/** The indexed fields and their types as they were at version 6 (frozen: do not edit). */
const V6_FIELDS: Record<string, Record<string, ColumnType>> = {
  team: { profileId: 'text' },
  staff: { email: 'text', role: 'text' },
  child: {
    caseRef: 'text',
    teamId: 'text',
    workerId: 'text',
    createdAt: 'date',
    consentStatus: 'text',
    reminderDueAt: 'date',
    openObjectionId: 'text',
  },
  request: {
    childId: 'text',
    teamId: 'text',
    requesterId: 'text',
    status: 'text',
    createdAt: 'date',
    updatedAt: 'date',
    expiresAt: 'date',
  },
  decision: { requestId: 'text', childId: 'text', at: 'date' },
  check: {
    requestId: 'text',
    childId: 'text',
    teamId: 'text',
    viewerId: 'text',
    viewedAt: 'date',
    thirdPartyData: 'text',
  },
  consent: { childId: 'text', teamId: 'text', date: 'date' },
  reminder: { childId: 'text', teamId: 'text', givenAt: 'date' },
  objection: { childId: 'text', teamId: 'text', status: 'text', raisedAt: 'date' },
  ripa: { childId: 'text', teamId: 'text', officerId: 'text', reviewAt: 'date', until: 'date' },
  delegation: { fromId: 'text', toId: 'text', until: 'date' },
  conversation: { updatedAt: 'date' },
  review: { year: 'number', reviewerId: 'text' },
};

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'record tables, units and the audit trail',
    up(db) {
      for (const [kind, columns] of Object.entries(V1_TABLES)) createKindTable(db, kind, columns);
      db.exec(`
        CREATE TABLE units (
          key TEXT PRIMARY KEY,
          at TEXT NOT NULL,
          result TEXT
        );
        CREATE TABLE audit (
          seq INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          at TEXT NOT NULL,
          at_utc TEXT NOT NULL,
          actor_id TEXT NOT NULL,
          actor_role TEXT,
          action TEXT NOT NULL,
          target_kind TEXT NOT NULL,
          target_id TEXT NOT NULL,
          outcome TEXT NOT NULL,
          cites TEXT NOT NULL,
          profile_id TEXT,
          profile_version TEXT,
          key TEXT NOT NULL,
          details TEXT NOT NULL,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL
        );
        CREATE INDEX audit_at_utc ON audit (at_utc);
        CREATE INDEX audit_key ON audit (key);
        CREATE INDEX audit_target ON audit (target_kind, target_id);
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
          BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
          BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
      `);
    },
  },
  {
    version: 2,
    name: 'drop the indexes no read uses: audit events by key and by target, decisions by team, decider and outcome',
    up(db) {
      db.exec(`
        DROP INDEX audit_key;
        DROP INDEX audit_target;
        DROP INDEX "decision_teamId";
        DROP INDEX "decision_deciderId";
        DROP INDEX "decision_outcome";
        ALTER TABLE decision DROP COLUMN "teamId";
        ALTER TABLE decision DROP COLUMN "deciderId";
        ALTER TABLE decision DROP COLUMN "outcome";
      `);
    },
  },
  {
    version: 3,
    name: 'the approval cards sent move from settings (bot.cards.<request id>) to their own kind, card',
    up(db) {
      db.exec(`
        CREATE TABLE card (id TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL);
        INSERT INTO card (id, version, body)
          SELECT substr(id, 11), version,
                 json_object('id', substr(id, 11), 'copies', json(json_extract(body, '$.value')))
          FROM setting WHERE id LIKE 'bot.cards.%';
        DELETE FROM setting WHERE id LIKE 'bot.cards.%';
      `);
    },
  },
  {
    version: 4,
    name: 'audit events in the second form: the hash of their details (erasable) and the digests of the records their unit wrote',
    up(db) {
      db.exec(`
        ALTER TABLE audit ADD COLUMN details_hash TEXT;
        ALTER TABLE audit ADD COLUMN writes TEXT;
        DROP TRIGGER audit_no_update;
        CREATE TRIGGER audit_no_update BEFORE UPDATE OF seq, id, at, at_utc, actor_id, actor_role, action,
          target_kind, target_id, outcome, cites, profile_id, profile_version, key, details_hash, writes, prev_hash, hash ON audit
          BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        CREATE TRIGGER audit_erase_only BEFORE UPDATE OF details ON audit
          WHEN NEW.details IS NOT 'null' OR OLD.details_hash IS NULL
          BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: details may only be erased'); END;
      `);
    },
  },
  {
    version: 5,
    name: "the audit projection's checkpoint, in its own kind (projection), so a new instance need not read the whole trail",
    up(db) {
      db.exec('CREATE TABLE projection (id TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL);');
    },
  },
  {
    version: 6,
    name: "every indexed column is generated from the record's body, so no column can be edited apart from the record the audit trail vouches for",
    up(db) {
      for (const [kind, byField] of Object.entries(V6_FIELDS)) {
        const fields = Object.entries(byField);
        const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(kind);
        if (!exists) continue;
        const next = `${kind}__next`;
        db.exec(
          `CREATE TABLE ${ident(next)} (id TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL${fields
            .map(([f, t]) => `, ${generatedColumn(f, t)}`)
            .join('')})`,
        );
        db.exec(
          `INSERT INTO ${ident(next)} (id, version, body) SELECT id, version, body FROM ${ident(kind)}`,
        );
        db.exec(`DROP TABLE ${ident(kind)}`);
        db.exec(`ALTER TABLE ${ident(next)} RENAME TO ${ident(kind)}`);
        for (const [f] of fields)
          db.exec(`CREATE INDEX ${ident(`${kind}_${f}`)} ON ${ident(kind)} (${ident(f)})`);
      }
    },
  },
  {
    version: 7,
    name: "each audit event's seal: an HMAC of its hash under a key derived from the audit signing key, so an event appended without the key is found",
    up(db) {
      db.exec(`
        ALTER TABLE audit ADD COLUMN seal TEXT;
        DROP TRIGGER IF EXISTS audit_no_update;
        CREATE TRIGGER audit_no_update BEFORE UPDATE OF seq, id, at, at_utc, actor_id, actor_role, action,
          target_kind, target_id, outcome, cites, profile_id, profile_version, key, details_hash, writes, prev_hash, hash, seal ON audit
          BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
      `);
    },
  },
];

/**
 * An indexed column as SQLite computes it from the body, as `indexValue` does in JavaScript: dates as UTC
 * instants with milliseconds (`2026-01-31T08:00:00.000Z`), numbers as numbers, text as text.
 */
export function generatedColumn(field: string, type: ColumnType): string {
  const value = `json_extract(body, ${quote(`$."${field}"`)})`;
  const sql =
    type === 'date'
      ? `strftime('%Y-%m-%dT%H:%M:%fZ', ${value})`
      : type === 'number'
        ? `CAST(${value} AS REAL)`
        : type === 'boolean'
          ? `CASE json_type(body, ${quote(`$."${field}"`)}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END`
          : `CAST(${value} AS TEXT)`;
  const sqlType = type === 'number' ? 'REAL' : type === 'boolean' ? 'INTEGER' : 'TEXT';
  return `${ident(field)} ${sqlType} GENERATED ALWAYS AS (${sql}) VIRTUAL`;
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * The audit table's triggers as migration 7 leaves them: no row is deleted; no column is changed except
 * the details of an event in the second form, and those only to null (erased by retention).
 * `restoreTriggers` puts them back on every open if they were dropped or altered.
 */
export const AUDIT_TRIGGERS: Readonly<Record<string, string>> = {
  audit_no_update: `CREATE TRIGGER audit_no_update BEFORE UPDATE OF seq, id, at, at_utc, actor_id, actor_role, action,
  target_kind, target_id, outcome, cites, profile_id, profile_version, key, details_hash, writes, prev_hash, hash, seal ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END`,
  audit_erase_only: `CREATE TRIGGER audit_erase_only BEFORE UPDATE OF details ON audit
  WHEN NEW.details IS NOT 'null' OR OLD.details_hash IS NULL
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: details may only be erased'); END`,
  audit_no_delete: `CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END`,
};

const squash = (sql: string | null | undefined) => (sql ?? '').replace(/\s+/g, ' ').trim();

/** What is wrong with the file's triggers, read only: the audit table's own triggers missing or altered (by
 * name), and any other trigger on any table (Overt makes none: one could rewrite or silently drop a write, as a
 * `RAISE(IGNORE)` trigger does). */
export function triggerFaults(db: Database.Database): { missing: string[]; foreign: string[] } {
  const found = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as {
    name: string;
    sql: string | null;
  }[];
  const byName = new Map(found.map((t) => [t.name, squash(t.sql)]));
  return {
    foreign: found.map((t) => t.name).filter((name) => AUDIT_TRIGGERS[name] === undefined),
    missing: Object.entries(AUDIT_TRIGGERS)
      .filter(([name, sql]) => byName.get(name) !== squash(sql))
      .map(([name]) => name),
  };
}

/** The same, as sentences for `overt audit verify` and the live check. */
export function triggerProblems(db: Database.Database): string[] {
  const { missing, foreign } = triggerFaults(db);
  return [
    ...(missing.length
      ? [
          `the audit trail's ${missing.length === 1 ? 'trigger' : 'triggers'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing or altered (changed outside Overt: the trail could be edited; the service puts ${missing.length === 1 ? 'it' : 'them'} back when it starts)`,
        ]
      : []),
    ...foreign.map(
      (name) =>
        `the SQLite file holds a trigger Overt did not make, ${name} (put there outside Overt: it could change or silently drop what Overt writes)`,
    ),
  ];
}

/**
 * Puts back the audit table's triggers if any was dropped or altered, and drops every other trigger in the
 * file, on any table (one could rewrite events or records as they are written, or make a write silently do
 * nothing). Returns the names of the triggers it changed.
 */
export function restoreTriggers(db: Database.Database): string[] {
  const run = db.transaction(() => {
    const { missing, foreign } = triggerFaults(db);
    for (const name of foreign) db.exec(`DROP TRIGGER ${ident(name)}`);
    for (const name of missing) {
      db.exec(`DROP TRIGGER IF EXISTS ${ident(name)}`);
      db.exec(AUDIT_TRIGGERS[name]!);
    }
    return [...foreign, ...missing];
  });
  return run.immediate();
}

/** The newest schema version this Overt knows. */
export const SCHEMA_VERSION = Math.max(...migrations.map((m) => m.version));

/** The schema version a file is at (0: none), read only. */
export function schemaVersion(db: Database.Database): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return 0;
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Applies the migrations not yet recorded, in one immediate transaction, so that two processes opening
 * the same file at once apply each migration exactly once. Returns the versions it applied.
 */
export function migrate(
  db: Database.Database,
  list: readonly Migration[] = migrations,
  now = new Date(),
): number[] {
  const run = db.transaction(() => {
    db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const done = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
        (r) => r.version,
      ),
    );
    const applied: number[] = [];
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of [...list].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      migration.up(db);
      record.run(migration.version, migration.name, now.toISOString());
      applied.push(migration.version);
    }
    return applied;
  });
  return run.immediate();
}
