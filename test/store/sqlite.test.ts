import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { hashEvent, type AuditEvent } from '../../src/store/audit';
import { indexedFields } from '../../src/store/indexes';
import { openStore, sqliteFile, storeOptions } from '../../src/store/open';
import { kinds } from '../../src/store/records';
import { migrate, migrations } from '../../src/store/sqlite/migrations';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { StoreTamperedError, type Store } from '../../src/store/store';
import { storeContract } from './contract';
import { draft, samples } from './fixtures';
import { tempDirs } from './temp-dirs';
import { bundled } from '../bundled';

const dirs = tempDirs('sqlite');
afterAll(() => dirs.cleanup());

async function open(dataDir = dirs.make()): Promise<Store> {
  const opened = await openStore({ dataDir, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.value;
}

storeContract('sqlite', () => open());

/** An edit that also recomputes the edited event's own hash: caught at the next event's prevHash. */
const REHASH_SEQ_2 = 'REHASH';

describe('SQLite store', () => {
  const at = '2026-02-01T12:00:00.000Z';

  describe('opening', () => {
    it('creates the data folder and its database file', async () => {
      const dataDir = join(dirs.make(), 'nested', 'data');
      const store = await open(dataDir);
      await store.close();
      expect(existsSync(sqliteFile(dataDir))).toBe(true);
    });

    it('answers the graph kind with an error value for now', async () => {
      const opened = await openStore({ dataDir: dirs.make(), kind: 'graph' });
      expect(opened).toMatchObject({ ok: false, error: { code: 'STORE_KIND_UNAVAILABLE' } });
    });

    it('takes the data folder from --data, then OVERT_DATA, then ./.data', () => {
      expect(storeOptions('/d', { OVERT_DATA: '/e' })).toEqual({
        ok: true,
        value: { dataDir: '/d', kind: 'sqlite' },
      });
      expect(storeOptions(undefined, { OVERT_DATA: '/e' })).toEqual({
        ok: true,
        value: { dataDir: '/e', kind: 'sqlite' },
      });
      expect(storeOptions(undefined, {})).toEqual({
        ok: true,
        value: { dataDir: './.data', kind: 'sqlite' },
      });
      expect(storeOptions(undefined, { OVERT_STORE: 'mysql' })).toMatchObject({
        ok: false,
        error: { code: 'STORE_CONFIG_INVALID' },
      });
    });

    it('sets WAL, synchronous=FULL and a busy timeout on its connection', async () => {
      const store = (await open()) as SqliteStore;
      expect(store.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2, busyTimeout: 5000 });
      await store.close();
    });
  });

  describe('migrations', () => {
    it('runs each migration once and records it', async () => {
      const dataDir = dirs.make();
      await (await open(dataDir)).close();
      await (await open(dataDir)).close();
      const db = new Database(sqliteFile(dataDir));
      const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
      expect(rows).toEqual(migrations.map((m) => ({ version: m.version, name: m.name })));
      expect(migrate(db)).toEqual([]);
      db.close();
    });

    it('applies only migrations not yet recorded, in order', () => {
      const db = new Database(':memory:');
      const order: number[] = [];
      const list = [
        { version: 2, name: 'second', up: () => order.push(2) },
        { version: 1, name: 'first', up: () => order.push(1) },
      ];
      expect(migrate(db, list.slice(1))).toEqual([1]);
      expect(migrate(db, list)).toEqual([2]);
      expect(order).toEqual([1, 2]);
      db.close();
    });

    it('moves a version 1 file on: decisions and sent cards kept, the indexes no read uses dropped', async () => {
      const dataDir = dirs.make();
      await (await open(dataDir)).close();
      const file = sqliteFile(dataDir);
      // A file as version 1 left it, holding a decision in the old columns.
      const db = new Database(file);
      db.exec(
        'DROP TABLE decision; DROP TABLE card; DROP TABLE projection; DELETE FROM schema_migrations WHERE version > 1',
      );
      db.exec(`DROP TRIGGER audit_no_update; DROP TRIGGER audit_erase_only;
        ALTER TABLE audit DROP COLUMN details_hash; ALTER TABLE audit DROP COLUMN writes;
        ALTER TABLE audit DROP COLUMN seal;
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
          BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;`);
      db.exec(
        'CREATE TABLE decision (id TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL, "requestId" TEXT, "childId" TEXT, "teamId" TEXT, "deciderId" TEXT, "outcome" TEXT, "at" TEXT)',
      );
      for (const c of ['requestId', 'childId', 'teamId', 'deciderId', 'outcome', 'at'])
        db.exec(`CREATE INDEX "decision_${c}" ON decision ("${c}")`);
      db.exec(
        'CREATE INDEX audit_key ON audit (key); CREATE INDEX audit_target ON audit (target_kind, target_id)',
      );
      const d = samples.decision;
      db.prepare('INSERT INTO decision VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)').run(
        d.id,
        JSON.stringify(d),
        d.requestId,
        d.childId,
        d.teamId,
        d.deciderId,
        d.outcome,
        d.at,
      );
      // Version 1 kept the copies of a request's approval card as a setting.
      db.prepare("INSERT INTO setting (id, version, body) VALUES ('bot.cards.req-9', 2, ?)").run(
        JSON.stringify({ id: 'bot.cards.req-9', value: samples.card.copies }),
      );
      db.close();

      const store = await open(dataDir);
      expect((await store.get('decision', d.id))?.record).toEqual(d);
      expect(await store.get('card', 'req-9')).toEqual({
        record: { id: 'req-9', copies: samples.card.copies },
        version: '2',
      });
      expect(await store.query('setting')).toEqual([]);
      expect(await store.query('decision', { where: { requestId: d.requestId } })).toHaveLength(1);
      await store.close();
      const after = new Database(file, { readonly: true });
      const indexNames = (t: string) =>
        (after.prepare(`PRAGMA index_list("${t}")`).all() as { name: string }[]).map((i) => i.name);
      expect(indexNames('audit')).not.toContain('audit_key');
      expect(indexNames('audit')).not.toContain('audit_target');
      expect(indexNames('decision')).not.toContain('decision_outcome');
      after.close();
    });

    it('has a table per kind with an indexed column for each indexed field', async () => {
      const dataDir = dirs.make();
      await (await open(dataDir)).close();
      const db = new Database(sqliteFile(dataDir), { readonly: true });
      for (const kind of kinds) {
        const info = db.prepare(`PRAGMA table_xinfo("${kind}")`).all() as { name: string; hidden: number }[];
        const fields = indexedFields(kind).map(([f]) => f);
        expect(info.map((c) => c.name)).toEqual(['id', 'version', 'body', ...fields]);
        // Every indexed column is generated from the body (issue 12 walk: columns edited apart from it).
        expect(info.filter((c) => c.hidden === 2).map((c) => c.name)).toEqual(fields);
        const indexed = (db.prepare(`PRAGMA index_list("${kind}")`).all() as { name: string }[]).map(
          (i) => i.name,
        );
        for (const field of fields) expect(indexed).toContain(`${kind}_${field}`);
      }
      db.close();
    });
  });

  describe('races', () => {
    it('commits exactly one of many concurrent units on one record with the same ifVersion', async () => {
      const store = await open();
      const created = await store.commit({
        key: 'raise',
        at,
        writes: [{ kind: 'request', record: samples.request, ifVersion: null }],
        audit: [draft('request.raise', { kind: 'request', id: 'req-1' })],
      });
      if (created.status !== 'committed') throw new Error(created.status);
      const version = created.versions[0]!.version;
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          store.commit({
            key: `decide-${i}`,
            at,
            writes: [
              { kind: 'request', record: { ...samples.request, status: 'approved' }, ifVersion: version },
            ],
            audit: [draft('request.decide', { kind: 'request', id: 'req-1' })],
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'committed')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'conflict')).toHaveLength(24);
      expect(await store.audit.verify()).toEqual({ ok: true, count: 2 });
      await store.close();
    });

    type Tally = { committed: number; conflict: number; replayed: number };
    async function raceProcesses(workers: number, attempts: number, sharedKey: boolean) {
      const dataDir = dirs.make();
      const store = await open(dataDir);
      const created = await store.commit({
        key: 'raise',
        at,
        writes: [{ kind: 'request', record: samples.request, ifVersion: null }],
        audit: [draft('request.raise', { kind: 'request', id: 'req-1' })],
      });
      if (created.status !== 'committed') throw new Error(created.status);
      const ifVersion = created.versions[0]!.version;
      const worker = await bundled('test/store/race-worker.ts');
      const children = Array.from({ length: workers }, () =>
        fork(worker, [], { execArgv: [], stdio: 'inherit' }),
      );
      const nextMessage = (child: (typeof children)[number]) =>
        new Promise<{ ready?: true; tally?: Tally; error?: string }>((resolve, reject) => {
          child.once('message', (m) => resolve(m as { tally?: Tally }));
          child.once('error', reject);
        });
      const ready = children.map(nextMessage);
      children.forEach((child, worker) => child.send({ dataDir, worker, attempts, ifVersion, sharedKey }));
      await Promise.all(ready);
      const done = children.map(nextMessage);
      for (const child of children) child.send('go');
      const reports = await Promise.all(done);
      const total: Tally = { committed: 0, conflict: 0, replayed: 0 };
      for (const report of reports) {
        if (!report.tally) throw new Error(report.error ?? 'no tally');
        for (const k of Object.keys(total) as (keyof Tally)[]) total[k] += report.tally[k];
      }
      const events = await store.audit.list();
      const verified = await store.audit.verify();
      const stored = await store.get('request', 'req-1');
      await store.close();
      return { total, events, verified, stored };
    }

    it('commits exactly one decision when separate processes race on one data folder', async () => {
      const { total, events, verified, stored } = await raceProcesses(3, 8, false);
      expect(total).toEqual({ committed: 1, conflict: 23, replayed: 0 });
      expect(events.filter((e) => e.action === 'request.decide')).toHaveLength(1);
      expect(verified).toEqual({ ok: true, count: 2 });
      expect(stored?.record.decidedBy).toBe(events[1]!.actor.id);
    });

    it('commits one unit once when separate processes send the same idempotency key', async () => {
      const { total, events, verified } = await raceProcesses(3, 4, true);
      expect(total).toEqual({ committed: 1, conflict: 0, replayed: 11 });
      expect(events).toHaveLength(2);
      expect(verified).toEqual({ ok: true, count: 2 });
    });
  });

  describe('records kept parsed', () => {
    it('shares one frozen record between reads, and reads a row changed elsewhere afresh', async () => {
      const dataDir = dirs.make();
      const store = await open(dataDir);
      await store.commit({
        key: 'kept-1',
        at,
        writes: [{ kind: 'team', record: samples.team, ifVersion: null }],
        audit: [draft('team.create', { kind: 'team', id: samples.team.id })],
      });
      const first = (await store.get('team', samples.team.id))!;
      const again = (await store.get('team', samples.team.id))!;
      expect(first.record).toEqual(samples.team);
      expect(again.record).toBe(first.record);
      expect(Object.isFrozen(first.record) && Object.isFrozen(first.record.managerIds)).toBe(true);
      expect(() => (first.record.managerIds as string[]).push('someone')).toThrow(TypeError);

      // Another connection (another process) rewrites the row without changing its version.
      const other = new Database(sqliteFile(dataDir));
      const edit = other.prepare('UPDATE team SET body = ? WHERE id = ?');
      edit.run(JSON.stringify({ ...samples.team, name: 'Renamed elsewhere' }), samples.team.id);
      expect((await store.get('team', samples.team.id))!.record.name).toBe('Renamed elsewhere');
      // A body this connection did not write is validated as it is read.
      edit.run(JSON.stringify({ ...samples.team, managerIds: 'nobody' }), samples.team.id);
      await expect(store.get('team', samples.team.id)).rejects.toThrow(/managerIds/);
      other.close();
      await store.close();
    });
  });

  describe('tampering', () => {
    async function trail(dataDir: string) {
      const store = await open(dataDir);
      for (let i = 1; i <= 4; i++) {
        await store.commit({
          key: `u${i}`,
          at: `2026-03-0${i}T09:00:00.000Z`,
          writes: [],
          audit: [draft('request.raise', { kind: 'request', id: `req-${i}` }, 'allow')],
        });
      }
      await store.close();
    }

    function rehash(db: Database.Database, seq: number, actorId: string) {
      const row = db.prepare('SELECT * FROM audit WHERE seq = ?').get(seq) as Record<
        string,
        string | number | null
      >;
      const event = {
        seq: row.seq,
        id: row.id,
        at: row.at,
        actor: row.actor_role === null ? { id: actorId } : { id: actorId, role: row.actor_role },
        action: row.action,
        target: { kind: row.target_kind, id: row.target_id },
        outcome: row.outcome,
        cites: JSON.parse(String(row.cites)),
        profileId: row.profile_id ?? undefined,
        profileVersion: row.profile_version ?? undefined,
        key: row.key,
        details: JSON.parse(String(row.details)),
        detailsHash: row.details_hash ?? undefined,
        writes: row.writes === null ? undefined : JSON.parse(String(row.writes)),
        prevHash: row.prev_hash,
      } as Omit<AuditEvent, 'hash'>;
      db.prepare('UPDATE audit SET actor_id = ?, hash = ? WHERE seq = ?').run(actorId, hashEvent(event), seq);
    }

    it('refuses UPDATE and DELETE on the audit table, but for erasing an event’s details', async () => {
      const dataDir = dirs.make();
      await trail(dataDir);
      const db = new Database(sqliteFile(dataDir));
      expect(() => db.prepare("UPDATE audit SET outcome = 'refuse' WHERE seq = 2").run()).toThrow(
        /append-only/,
      );
      expect(() => db.prepare('DELETE FROM audit WHERE seq = 4').run()).toThrow(/append-only/);
      expect(() => db.prepare(`UPDATE audit SET details = '{"x":1}' WHERE seq = 3`).run()).toThrow(
        /append-only/,
      );
      expect(() => db.prepare("UPDATE audit SET details = 'null', hash = 'x' WHERE seq = 3").run()).toThrow(
        /append-only/,
      );
      db.close();
      const store = await open(dataDir);
      expect(await store.audit.eraseDetails([3])).toBe(1);
      expect(await store.audit.eraseDetails([3])).toBe(0);
      const [erased] = await store.audit.list({ afterSeq: 2, limit: 1 });
      expect(erased).toMatchObject({ seq: 3, details: {}, detailsErased: true });
      // No erasure event names it: the whole walk says so; a window of it does not.
      expect(await store.audit.verify()).toEqual({
        ok: false,
        seq: 3,
        reason: expect.stringMatching(/erased, but no retention event/),
      });
      expect(await store.audit.verify({ accountErasures: false })).toEqual({ ok: true, count: 4 });
      await store.close();
    });

    it('puts back dropped or altered audit triggers, and drops foreign ones, when it opens', async () => {
      const dataDir = dirs.make();
      await trail(dataDir);
      const db = new Database(sqliteFile(dataDir));
      db.exec(`DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
        CREATE TRIGGER audit_sneak AFTER INSERT ON audit BEGIN SELECT 1; END;`);
      db.close();
      const store = (await open(dataDir)) as SqliteStore;
      expect([...store.restoredTriggers].sort()).toEqual([
        'audit_no_delete',
        'audit_no_update',
        'audit_sneak',
      ]);
      await store.close();
      const again = new Database(sqliteFile(dataDir));
      expect(() => again.prepare('DELETE FROM audit WHERE seq = 4').run()).toThrow(/append-only/);
      expect(() => again.prepare("UPDATE audit SET outcome = 'x' WHERE seq = 4").run()).toThrow(
        /append-only/,
      );
      again.close();
      const third = (await open(dataDir)) as SqliteStore;
      expect(third.restoredTriggers).toEqual([]);
      await third.close();
    });

    it('fails a write that a trigger put there outside Overt silently drops (RAISE(IGNORE)), saying so, and keeps nothing', async () => {
      const dataDir = dirs.make();
      await trail(dataDir);
      const store = (await open(dataDir)) as SqliteStore;
      await store.commit({
        key: 'the-request',
        at: '2026-03-05T09:00:00.000Z',
        writes: [{ kind: 'request', record: samples.request }],
        audit: [draft('request.raise', { kind: 'request', id: samples.request.id })],
      });
      const db = new Database(sqliteFile(dataDir));
      db.exec(`CREATE TRIGGER swallow_request BEFORE UPDATE ON request BEGIN SELECT RAISE(IGNORE); END;
        CREATE TRIGGER swallow_event BEFORE INSERT ON audit WHEN NEW.action = 'check.record' BEGIN SELECT RAISE(IGNORE); END;`);
      db.close();
      expect(await store.schemaProblems()).toEqual([
        expect.stringMatching(/holds a trigger Overt did not make, swallow_request/),
        expect.stringMatching(/holds a trigger Overt did not make, swallow_event/),
      ]);
      const before = (await store.get('request', samples.request.id))!;
      const count = (await store.audit.list()).length;
      const edit = store.commit({
        key: 'swallowed-record',
        at: '2026-03-05T09:00:00.000Z',
        writes: [{ kind: 'request', record: { ...before.record, status: 'declined' } }],
        audit: [draft('request.decide', { kind: 'request', id: before.record.id })],
      });
      await expect(edit).rejects.toThrow(StoreTamperedError);
      await expect(edit).rejects.toThrow(
        `request ${before.record.id} was not written: a trigger in the SQLite file that Overt did not make silently dropped it`,
      );
      const event = store.commit({
        key: 'swallowed-event',
        at: '2026-03-05T09:00:00.000Z',
        writes: [],
        audit: [draft('check.record', { kind: 'check', id: 'chk-1' })],
      });
      await expect(event).rejects.toThrow(/audit event \d+ \(check\.record\) was not written/);
      // Nothing of either unit was kept: no event, no key, the record as it was.
      expect((await store.audit.list()).length).toBe(count);
      expect(await store.replay('swallowed-record')).toBeUndefined();
      expect(await store.replay('swallowed-event')).toBeUndefined();
      expect((await store.get('request', before.record.id))!.version).toBe(before.version);
      await store.close();
      // Opened again to write, every trigger Overt did not make is dropped, on whichever table.
      const again = (await open(dataDir)) as SqliteStore;
      expect([...again.restoredTriggers].sort()).toEqual(['swallow_event', 'swallow_request']);
      expect(await again.schemaProblems()).toEqual([]);
      await again.close();
    });

    it.each([
      ['outcome', "UPDATE audit SET outcome = 'refuse' WHERE seq = 2", 2, /hash does not match/],
      ['details', `UPDATE audit SET details = '{"note":"edited"}' WHERE seq = 3`, 3, /details do not match/],
      ['time', "UPDATE audit SET at = '2026-03-01T09:00:00.000Z' WHERE seq = 2", 2, /hash does not match/],
      [
        'indexed time',
        "UPDATE audit SET at_utc = '2020-01-01T00:00:00.000Z' WHERE seq = 3",
        3,
        /indexed time/,
      ],
      ['deleted event', 'DELETE FROM audit WHERE seq = 2', 2, /missing/],
      [
        'rehashed event',
        "UPDATE audit SET hash = '0000000000000000000000000000000000000000000000000000000000000000' WHERE seq = 2",
        2,
        /hash does not match/,
      ],
      ['malformed cites', "UPDATE audit SET cites = 'not json' WHERE seq = 4", 4, /not JSON/],
      ['actor, rehashing it', REHASH_SEQ_2, 3, /prevHash does not match/],
    ])('names the first broken event when someone edits its %s', async (_what, sql, seq, reason) => {
      const dataDir = dirs.make();
      await trail(dataDir);
      const db = new Database(sqliteFile(dataDir));
      db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; DROP TRIGGER audit_erase_only;');
      if (sql === REHASH_SEQ_2) rehash(db, 2, 'someone-else');
      else db.prepare(sql).run();
      db.close();
      const store = await open(dataDir);
      const result = await store.audit.verify();
      await store.close();
      expect(result).toEqual({ ok: false, seq, reason: expect.stringMatching(reason) });
    });
  });
});
