/**
 * Integrity is kept while the service runs, not only at start (issue 12, fault 7): a record edited directly
 * in the SQLite file under a running service is found — by the first read of it (the record acted on is
 * checked against the event that wrote it) or by /healthz's sweep of the records — health turns unhealthy,
 * and nothing acts on it: here the expiry timer, which would otherwise expire a request whose expiry date
 * was moved into the past behind Overt's back.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sqliteFile } from '../../src/store/open';
import { runCli } from '../cli/run';
import { raiseRequest, recordCheck } from '../../src/workflow';
import { tempDirs } from '../store/temp-dirs';
import { checkOf, seededService } from './seeded-service';

const dirs = tempDirs('live-tamper');
afterAll(dirs.cleanup);

async function service(extra: Record<string, string> = {}) {
  const base = dirs.make();
  // The seeded service, its request approved and awaiting its check (what the expiry timer would act on).
  const { env, logs, running, deps, requestId, childId } = await seededService(
    'sqlite',
    undefined,
    base,
    'live-tamper',
    { upTo: 'approved', env: extra },
  );
  const data = env.OVERT_DATA!;
  const port = (running.servers[1]!.address() as { port: number }).port;
  const healthz = async () => {
    const res = await fetch(`http://localhost:${port}/healthz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** Moves the request's expiry into the past in the live file, as someone with the file would. */
  const tamper = () => {
    const db = new Database(sqliteFile(data));
    db.prepare(
      `UPDATE request SET body = json_set(body, '$.expiresAt', '2001-01-01T00:00:00.000Z') WHERE id = ?`,
    ).run(requestId);
    db.close();
  };
  const raw = () => {
    const db = new Database(sqliteFile(data), { readonly: true });
    const row = db.prepare('SELECT body FROM request WHERE id = ?').get(requestId) as {
      body: string;
    };
    const expires = db.prepare("SELECT count(*) AS n FROM audit WHERE action = 'request.expire'").get() as {
      n: number;
    };
    db.close();
    return { status: (JSON.parse(row.body) as { status: string }).status, expireEvents: expires.n };
  };
  return {
    running,
    deps,
    healthz,
    tamper,
    raw,
    requestId,
    childId,
    logs,
    base,
    data,
  };
}

describe('a record edited in the live SQLite file', () => {
  it('is not acted on by the expiry timer, and health turns unhealthy', async () => {
    const s = await service();
    try {
      expect((await s.healthz()).status).toBe(200);
      s.tamper();
      const { runJobs } = await import('../../src/workflow');
      await expect(runJobs(s.deps, 'test-holder', { leased: true })).rejects.toThrow(
        /audit trail is broken.*request .* differs from what event \d+ wrote/,
      );
      expect(s.raw()).toEqual({ status: 'approved', expireEvents: 0 });
      const h = await s.healthz();
      expect(h.status).toBe(503);
      // The details are the log's, not /healthz's (anyone may ask it).
      expect(JSON.stringify(h.body)).not.toMatch(/differs|event \d/);
      expect(s.logs.join('\n')).toMatch(
        /request .* differs from what event \d+ wrote \(changed outside Overt\)/,
      );
      await expect(
        s.running.store.commit({ key: 'after', at: new Date().toISOString(), writes: [], audit: [] }),
      ).rejects.toThrow(/will not write while the audit trail is broken/);
    } finally {
      await s.running.stop();
    }
  }, 60_000);

  it('is found by /healthz itself, though nothing reads it, within one sweep of the records', async () => {
    const s = await service({ OVERT_RECORD_SWEEP_MS: '0' });
    try {
      expect((await s.healthz()).status).toBe(200);
      s.tamper();
      let status = 200;
      for (let i = 0; i < 20 && status === 200; i++) status = (await s.healthz()).status;
      expect(status).toBe(503);
      expect(s.raw()).toEqual({ status: 'approved', expireEvents: 0 });
    } finally {
      await s.running.stop();
    }
  }, 60_000);

  it('is not acted on by the running timers', async () => {
    const s = await service({ OVERT_JOBS_EVERY: '1', OVERT_TIMERS_LEASE: '1' });
    try {
      s.tamper();
      await new Promise((r) => setTimeout(r, 3_500));
      expect(s.raw()).toEqual({ status: 'approved', expireEvents: 0 });
      expect((await s.healthz()).status).toBe(503);
      expect(s.logs.join('\n')).toMatch(/timers failed|audit trail is broken/);
    } finally {
      await s.running.stop();
    }
  }, 60_000);
});

/** issue 12 walk: the reads filter on a row's indexed columns, so editing those columns alone (a check
 * moved to another child, a declined request made approved) let a second viewing through while the chain
 * said intact. The columns are generated from the record now; a row copied under another id, or a table
 * rebuilt with plain columns and then edited, is found by verify and /healthz, and no change is taken. */
describe("a row's columns or id made to differ from its record", () => {
  it('cannot be edited apart from it, and a copied row or a rebuilt table is found and stops changes', async () => {
    const s = await service({ OVERT_RECORD_SWEEP_MS: '0' });
    const saved = { ...process.env };
    process.env.OVERT_AUDIT_KEY = join(s.base, 'anchor', 'key.pem');
    process.env.OVERT_AUDIT_CHECKPOINTS = join(s.base, 'anchor', 'checkpoints.jsonl');
    try {
      const db = new Database(sqliteFile(s.data));
      for (const set of [`status = 'approved'`, `childId = 'moved'`, `expiresAt = '2001-01-01T00:00:00Z'`])
        expect(() => db.prepare(`UPDATE request SET ${set} WHERE id = ?`).run(s.requestId)).toThrow(
          /cannot UPDATE generated column/,
        );
      expect((await s.healthz()).status).toBe(200);
      expect((await runCli('audit', 'verify', '--data', s.data)).code).toBe(0);
      // A copy of the row under a new id, and the table rebuilt with a plain column, then edited.
      db.prepare(
        `INSERT INTO request (id, version, body) SELECT 'copied', version, body FROM request WHERE id = ?`,
      ).run(s.requestId);
      db.exec(`CREATE TABLE r2 (id TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL,
          childId TEXT, teamId TEXT, requesterId TEXT, status TEXT, createdAt TEXT, updatedAt TEXT, expiresAt TEXT);
        INSERT INTO r2 SELECT id, version, body, childId, teamId, requesterId, status, createdAt, updatedAt, expiresAt FROM request;
        DROP TABLE request; ALTER TABLE r2 RENAME TO request;`);
      db.prepare(`UPDATE request SET childId = 'moved' WHERE id = ?`).run(s.requestId);
      db.close();
      const verify = await runCli('audit', 'verify', '--data', s.data);
      expect(verify.code).toBe(1);
      expect(verify.stdout).toMatch(
        /request row copied holds the record of request \S+ \(copied or moved outside Overt/,
      );
      expect(verify.stdout).toContain(`request ${s.requestId}: its childId column differs from its record`);
      expect(verify.stdout).toMatch(/the request table's .* no longer generated from its records/);
      let h = await s.healthz();
      for (let i = 0; i < 20 && h.status === 200; i++) h = await s.healthz();
      expect(h.status).toBe(503);
      // A request raised for the child now is not decided on the edited rows: no change is taken.
      const raised = await raiseRequest(s.deps, {
        key: 'after-edit',
        actorId: 'cm',
        childId: s.childId,
        reason: 'risk-of-cse',
        platforms: [{ platform: 'instagram', account: '@demo_1' }],
        viewer: 'own-personal-account',
        rationale: 'Fictional: raised after the edit.',
      }).catch((e: Error) => ({ ok: false as const, thrown: e.message }));
      expect(raised.ok).toBe(false);
      expect(JSON.stringify(raised)).toMatch(/audit trail is broken|stopped taking changes/);
    } finally {
      process.env = saved;
      await s.running.stop();
    }
  }, 90_000);
});

/** Issue 12 (session 25, attacker 2): a check row deleted in the live file was not seen by the running service
 * until a restart or `overt audit verify`, and meanwhile the three-month rule did not see the check. The guard
 * knows which records the trail wrote; a query of a kind the policy rests on is compared with how many are
 * stored, so the next request for that child is refused as a broken trail, not decided on the missing fact. */
describe('a check row deleted in the live SQLite file', () => {
  it('is found at the next request for that child, which is refused; health turns unhealthy', async () => {
    const s = await service();
    try {
      const checked = await recordCheck(s.deps, checkOf(s.requestId, 'the-check'));
      expect(checked.ok).toBe(true);
      expect((await s.healthz()).status).toBe(200);
      const db = new Database(sqliteFile(s.data));
      const { n } = db.prepare('SELECT count(*) AS n FROM "check"').get() as { n: number };
      expect(n).toBe(1);
      db.exec('DELETE FROM "check"');
      db.close();
      const raised = await raiseRequest(s.deps, {
        key: 'after-delete',
        actorId: 'cm',
        childId: s.childId,
        reason: 'risk-of-cse',
        platforms: [{ platform: 'instagram', account: '@demo_1' }],
        viewer: 'own-personal-account',
        rationale: 'Fictional: raised after the check row was deleted.',
      }).catch((e: Error) => ({ ok: false as const, thrown: e.message }));
      expect(raised.ok).toBe(false);
      expect(JSON.stringify(raised)).toMatch(
        /audit trail is broken.*check \S+, written by the audit trail, is missing \(deleted outside Overt\)/,
      );
      const h = await s.healthz();
      expect(h.status).toBe(503);
      // The details are the log's, not /healthz's (anyone may ask it).
      expect(JSON.stringify(h.body)).not.toMatch(/is missing|check \S+/);
      expect(s.logs.join('\n')).toMatch(/is missing \(deleted outside Overt\)/);
      // Nothing was written for the new request.
      const after = new Database(sqliteFile(s.data), { readonly: true });
      const events = after.prepare("SELECT count(*) AS n FROM audit WHERE key = 'after-delete'").get() as {
        n: number;
      };
      after.close();
      expect(events.n).toBe(0);
    } finally {
      await s.running.stop();
    }
  }, 60_000);
});

/** Brief E12, 3: a trigger added to the live file that makes Overt's writes silently do nothing (RAISE(IGNORE))
 * — here every check recorded — let a unit "succeed" with nothing kept. Now the write that did nothing fails
 * the unit, in plain words, nothing of it kept; the service takes it as a broken trail and says so in its log
 * (and /healthz, which says only that the trail is broken). */
describe('a trigger put into the live SQLite file that silently drops writes', () => {
  it('fails the change loudly, keeps nothing of it, and stops changes; the log says which write', async () => {
    const s = await service();
    try {
      const db = new Database(sqliteFile(s.data));
      db.exec('CREATE TRIGGER drop_checks BEFORE INSERT ON "check" BEGIN SELECT RAISE(IGNORE); END;');
      db.close();
      const recorded = await recordCheck(s.deps, checkOf(s.requestId, 'swallowed-check')).catch(
        (e: Error) => ({ ok: false as const, thrown: e.message }),
      );
      expect(recorded.ok).toBe(false);
      expect(JSON.stringify(recorded)).toMatch(
        /audit trail is broken.*check \S+ was not written: a trigger in the SQLite file that Overt did not make silently dropped it/,
      );
      const h = await s.healthz();
      expect(h.status).toBe(503);
      expect(JSON.stringify(h.body)).not.toMatch(/trigger|check \S+/);
      expect(s.logs.join('\n')).toMatch(/silently dropped it \(put there outside Overt\)/);
      const after = new Database(sqliteFile(s.data), { readonly: true });
      const kept = after
        .prepare(
          "SELECT (SELECT count(*) FROM audit WHERE key = 'swallowed-check') AS events, (SELECT count(*) FROM units WHERE key = 'swallowed-check') AS units",
        )
        .get();
      after.close();
      expect(kept).toEqual({ events: 0, units: 0 });
    } finally {
      await s.running.stop();
    }
  }, 60_000);
});
