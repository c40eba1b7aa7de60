import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { CSV_COLUMNS } from '../../src/cli/audit';
import { main } from '../../src/cli/main';
import { AuditEvent } from '../../src/store/audit';
import { chain, hashEvent } from '../../src/store/audit';
import { openGuarded, sqliteFile } from '../../src/store/open';
import { AUDIT_TRIGGERS } from '../../src/store/sqlite/migrations';
import { draft, samples } from '../store/fixtures';
import { tempDirs } from '../store/temp-dirs';

const dirs = tempDirs('cli-audit');
afterAll(() => dirs.cleanup());

/** Runs `overt …` in-process and captures what it writes. */
async function overt(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    const code = await main(['node', 'overt', ...args]);
    return { code, out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** The signing key and checkpoints beside each test's data folder, inside the temporary folder. */
function audited(dataDir: string): NodeJS.ProcessEnv {
  process.env.OVERT_AUDIT_KEY = join(dataDir, '..', 'anchor', 'key.pem');
  process.env.OVERT_AUDIT_CHECKPOINTS = join(dataDir, '..', 'anchor', 'checkpoints.jsonl');
  return process.env;
}
afterEach(() => {
  delete process.env.OVERT_AUDIT_KEY;
  delete process.env.OVERT_AUDIT_CHECKPOINTS;
});

/** A data folder with four audit events on 1–4 March 2026; the third has formula-like cells. The second
 * writes a request, declined. Its head is signed outside the store when it closes. */
async function trail(extra = 0): Promise<string> {
  const dataDir = join(dirs.make(), 'data');
  const opened = await openGuarded({ dataDir, kind: 'sqlite' }, audited(dataDir), { create: true });
  if (!opened.ok) throw new Error(opened.error.message);
  const { store } = opened.value;
  for (let i = 1; i <= 4; i++) {
    const event =
      i === 3
        ? {
            actor: { id: '=HYPERLINK("http://evil.example","x")' },
            action: '+SUM(1,2)',
            target: { kind: 'child', id: '@child' },
            outcome: '-refuse',
            cites: ['\t000 §8'],
            details: { note: 'x' },
          }
        : draft('request.raise', { kind: 'request', id: `req-${i}` });
    const writes =
      i === 2
        ? [{ kind: 'request' as const, record: { ...samples.request, status: 'declined' as const } }]
        : [];
    await store.commit({ key: `u${i}`, at: `2026-03-0${i}T09:00:00.000Z`, writes, audit: [event] });
  }
  for (let i = 0; i < extra; i++)
    await store.commit({
      key: `x${i}`,
      at: '2026-03-05T09:00:00.000Z',
      writes: [],
      audit: [draft('record.view', { kind: 'child', id: `c-${i}` })],
    });
  await store.close();
  return dataDir;
}

/** Opens the SQLite file behind Overt's back, with the audit triggers dropped, and puts them back after the
 * edit, as someone covering their tracks would (a trigger left missing is a finding of its own). */
function tamper(dataDir: string, edit: (db: Database.Database) => void, restore = true): void {
  const db = new Database(sqliteFile(dataDir));
  db.exec(
    'DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; DROP TRIGGER IF EXISTS audit_erase_only',
  );
  edit(db);
  if (restore) for (const sql of Object.values(AUDIT_TRIGGERS)) db.exec(sql);
  db.close();
}

/** The file's bytes and when it was last changed: `overt audit verify` must leave both as they were. */
function fingerprint(dataDir: string): { sha256: string; mtimeMs: number } {
  const file = sqliteFile(dataDir);
  return {
    sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
    mtimeMs: statSync(file).mtimeMs,
  };
}

/** Rewrites event `from` with a new outcome and recomputes its hash and every later one, as someone with
 * the store but not the signing key could. */
function rewriteFrom(db: Database.Database, from: number, outcome: string): void {
  const rows = db.prepare('SELECT * FROM audit WHERE seq >= ? ORDER BY seq').all(from) as Record<
    string,
    string | number | null
  >[];
  let prev = (db.prepare('SELECT hash FROM audit WHERE seq = ?').get(from - 1) as { hash: string }).hash;
  for (const row of rows) {
    const event = {
      seq: row.seq,
      id: row.id,
      at: row.at,
      actor: row.actor_role === null ? { id: row.actor_id } : { id: row.actor_id, role: row.actor_role },
      action: row.action,
      target: { kind: row.target_kind, id: row.target_id },
      outcome: row.seq === from ? outcome : row.outcome,
      cites: JSON.parse(String(row.cites)),
      profileId: row.profile_id ?? undefined,
      profileVersion: row.profile_version ?? undefined,
      key: row.key,
      details: JSON.parse(String(row.details)),
      detailsHash: row.details_hash ?? undefined,
      writes: row.writes === null ? undefined : JSON.parse(String(row.writes)),
      prevHash: prev,
    } as Parameters<typeof hashEvent>[0];
    const hash = hashEvent(event);
    db.prepare('UPDATE audit SET outcome = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(
      event.outcome,
      prev,
      hash,
      row.seq,
    );
    prev = hash;
  }
}

/** Appends event 5 as someone with the file but not the key would: chained and hashed with Overt's own
 * functions (public arithmetic), unsealed — here moving a check to another child. */
function appendForged(dataDir: string): void {
  tamper(dataDir, (db) => {
    const last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as {
      seq: number;
      hash: string;
    };
    const [e] = chain(
      [draft('check.record', { kind: 'check', id: 'chk-moved' })],
      last,
      { key: 'forged', at: '2026-03-05T09:00:00.000Z' },
      () => 'forged-1',
    );
    db.prepare(
      `INSERT INTO audit (seq, id, at, at_utc, actor_id, actor_role, action, target_kind, target_id, outcome, cites,
         profile_id, profile_version, key, details, details_hash, writes, prev_hash, hash, seal)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
    ).run(
      e!.seq,
      e!.id,
      e!.at,
      e!.at,
      e!.actor.id,
      e!.actor.role ?? null,
      e!.action,
      e!.target.kind,
      e!.target.id,
      e!.outcome,
      JSON.stringify(e!.cites),
      e!.profileId ?? null,
      e!.profileVersion ?? null,
      e!.key,
      JSON.stringify(e!.details),
      e!.detailsHash ?? null,
      null,
      e!.prevHash,
      e!.hash,
    );
    // And the answer its command would have kept under its key, as a careful forger would (without it, verify
    // finds the key's answer missing).
    db.prepare('INSERT INTO units (key, at, result) VALUES (?, ?, NULL)').run(e!.key, e!.at);
  });
}

/** Removes every event's seal, as events written before seals existed have none. */
function unseal(dataDir: string): void {
  tamper(dataDir, (db) => db.prepare('UPDATE audit SET seal = NULL').run());
}

beforeEach(() => {
  process.exitCode = undefined;
});

describe('overt audit verify', () => {
  const INTACT =
    /^audit chain intact: 4 events, anchored by \d+ signed checkpoints? \(the latest counts 4 at [^)]+\); 1 record matches the event that wrote it\n$/;

  it('reports an intact, anchored chain with its count and exits 0', async () => {
    const dataDir = await trail();
    const result = await overt('audit', 'verify', '--data', dataDir);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(INTACT);
  });

  it('takes the data folder from OVERT_DATA', async () => {
    const dataDir = await trail();
    process.env.OVERT_DATA = dataDir;
    try {
      expect((await overt('audit', 'verify')).out).toMatch(INTACT);
    } finally {
      delete process.env.OVERT_DATA;
    }
  });

  it('names the first edited event and exits 1', async () => {
    const dataDir = await trail();
    tamper(dataDir, (db) => db.prepare("UPDATE audit SET outcome = 'allow' WHERE seq = 3").run());
    const result = await overt('audit', 'verify', '--data', dataDir);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(
      /^audit chain broken at event 3 \(2026-03-03T09:00:00.000Z \+SUM\(1,2\) on child @child\): /,
    );
    expect(result.out).toMatch(/hash does not match/);
  });

  it('sees the last event deleted (issue 12 fault 7)', async () => {
    const dataDir = await trail();
    tamper(dataDir, (db) => db.prepare('DELETE FROM audit WHERE seq = 4').run());
    const result = await overt('audit', 'verify', '--data', dataDir);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(
      /^audit chain broken at event 4: the trail ends at event 3, but a checkpoint signed at \S+ \(\S+ line 1\) counts 4 events: 1 was removed from its end\n$/,
    );
  });

  it('sees the last 1,000 events deleted', async () => {
    const dataDir = await trail(1100);
    tamper(dataDir, (db) => db.prepare('DELETE FROM audit WHERE seq > 104').run());
    const result = await overt('audit', 'verify', '--data', dataDir);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(
      /the trail ends at event 104, but a checkpoint .* counts 1104 events: 1000 were removed/,
    );
  });

  it('sees an event edited and every later hash recomputed', async () => {
    const dataDir = await trail();
    tamper(dataDir, (db) => rewriteFrom(db, 2, 'refuse'));
    // The store alone cannot tell: the chain is whole.
    const alone = await overt('audit', 'verify', '--data', dataDir, '--unanchored');
    expect(alone.out).toMatch(/^audit chain intact: 4 events \(not anchored/);
    const result = await overt('audit', 'verify', '--data', dataDir);
    expect(result.code).toBe(1);
    // The rewritten event's seal no longer matches its hash, and its writer had no key to seal it anew.
    expect(result.out).toMatch(
      /^audit chain broken at event 2 \(.*\): its seal is not the audit key’s: it was written or changed outside Overt, by someone without the key\n$/,
    );
  });

  it('sees an event appended outside Overt with the public hash, even after Overt has written on top of it, and signs no checkpoint over it (issue 12 attacker 1)', async () => {
    const dataDir = await trail();
    const before = readFileSync(process.env.OVERT_AUDIT_CHECKPOINTS!, 'utf8');
    appendForged(dataDir);
    // The chain alone is whole: the hash is Overt's own arithmetic, which anyone can do.
    expect((await overt('audit', 'verify', '--data', dataDir, '--unanchored')).out).toMatch(
      /^audit chain intact: 5 events \(not anchored/,
    );
    const result = await overt('audit', 'verify', '--data', dataDir);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(
      /^audit chain broken at event 5 \(2026-03-05T09:00:00.000Z check.record on check chk-moved\): it carries no seal of the audit key: it was written outside Overt, by someone without the key\n$/,
    );
    // A command with the key, opened on it, writes its own (sealed) event on top but signs nothing over it.
    const opened = await openGuarded({ dataDir, kind: 'sqlite' }, process.env, { create: false });
    if (!opened.ok) throw new Error(opened.error.message);
    await opened.value.store.commit({
      key: 'after-forgery',
      at: '2026-03-06T09:00:00.000Z',
      writes: [],
      audit: [draft('record.view', { kind: 'child', id: 'c-after' })],
    });
    await opened.value.store.close();
    expect(readFileSync(process.env.OVERT_AUDIT_CHECKPOINTS!, 'utf8')).toBe(before);
    expect((await overt('audit', 'verify', '--data', dataDir)).out).toMatch(
      /^audit chain broken at event 5 .*carries no seal/,
    );
  });

  it('a trail from before seals: vouched for by its checkpoint; an unsealed event appended after it is not; `audit adopt` anchors one whose last checkpoint is older', async () => {
    const dataDir = await trail();
    unseal(dataDir); // as the events were written before seals existed
    expect((await overt('audit', 'verify', '--data', dataDir)).out).toMatch(INTACT);
    // Overt writes on top: sealed; the old events are still vouched for by the checkpoint of exactly 4.
    const opened = await openGuarded({ dataDir, kind: 'sqlite' }, process.env, { create: false });
    if (!opened.ok) throw new Error(opened.error.message);
    await opened.value.store.commit({
      key: 'upgraded',
      at: '2026-03-05T09:00:00.000Z',
      writes: [],
      audit: [draft('record.view', { kind: 'child', id: 'c-new' })],
    });
    await opened.value.store.close();
    expect((await overt('audit', 'verify', '--data', dataDir)).out).toMatch(/^audit chain intact: 5 events/);

    // An old trail and a forger's unsealed event after it: no checkpoint counts exactly 5.
    const forged = await trail();
    unseal(forged);
    appendForged(forged);
    const found = await overt('audit', 'verify', '--data', forged);
    expect(found.code).toBe(1);
    expect(found.out).toMatch(
      /^audit chain broken at event 5 .*events 1–5 carry no seal of the audit key, and no checkpoint signed for exactly 5 events vouches for them/,
    );

    // An old trail whose last checkpoint is older than its end (a crash before signing): refused until the
    // operator, having checked it, adopts it; then intact.
    const crashed = await trail();
    unseal(crashed);
    const file = process.env.OVERT_AUDIT_CHECKPOINTS!;
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(
      file,
      `${lines.filter((l) => (JSON.parse(l) as { count: number }).count < 4).join('\n')}\n`,
    );
    expect((await overt('audit', 'verify', '--data', crashed)).out).toMatch(/events 1–4 carry no seal/);
    const adopted = await overt('audit', 'adopt', '--data', crashed, '--by', 'admin', '--reason', 'upgrade');
    expect(adopted).toMatchObject({ code: 0 });
    expect((await overt('audit', 'verify', '--data', crashed)).out).toMatch(/^audit chain intact: 5 events/);
  });

  it('sees a request changed from declined to approved outside Overt, and a record no event wrote', async () => {
    const dataDir = await trail();
    const id = samples.request.id;
    tamper(dataDir, (db) =>
      db.prepare(`UPDATE request SET body = replace(body, '"declined"', '"approved"') WHERE id = ?`).run(id),
    );
    const result = await overt('audit', 'verify', '--data', dataDir);
    expect(result.code).toBe(1);
    expect(result.out).toBe(
      `audit trail broken: 1 record does not match the audit trail: request ${id} differs from what event 2 wrote (changed outside Overt)\n`,
    );
    tamper(dataDir, (db) =>
      db
        .prepare('INSERT INTO child (id, version, body) VALUES (?, 1, ?)')
        .run('c-forged', JSON.stringify({ ...samples.child, id: 'c-forged' })),
    );
    expect((await overt('audit', 'verify', '--data', dataDir)).out).toMatch(
      /2 records do not match the audit trail: child c-forged was written by no audit event \(put there outside Overt\)\n {2}also: request req-1 differs/,
    );
  });

  it('reads the store read only: the file unchanged, a dropped trigger or a foreign one reported, not mended (brief E12, 2 and 3)', async () => {
    const dataDir = await trail();
    const before = fingerprint(dataDir);
    const intact = await overt('audit', 'verify', '--data', dataDir);
    expect(intact.code).toBe(0);
    expect(fingerprint(dataDir)).toEqual(before);
    // Triggers dropped, and one that makes an insert into the audit table silently do nothing.
    tamper(
      dataDir,
      (db) => db.exec('CREATE TRIGGER audit_swallow BEFORE INSERT ON audit BEGIN SELECT RAISE(IGNORE); END;'),
      false,
    );
    const dropped = fingerprint(dataDir);
    const result = await overt('audit', 'verify', '--data', dataDir);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(
      /^audit trail broken: the store was changed outside Overt: the audit trail's triggers audit_no_update, audit_erase_only, audit_no_delete are missing or altered/,
    );
    expect(result.out).toMatch(/also: the SQLite file holds a trigger Overt did not make, audit_swallow/);
    // Nothing put back, nothing written: the file is as the attacker left it.
    expect(fingerprint(dataDir)).toEqual(dropped);
    const db = new Database(sqliteFile(dataDir), { readonly: true });
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all();
    db.close();
    expect(triggers).toEqual([{ name: 'audit_swallow' }]);
    // Opened to write (a start, a command), the triggers are put back and the foreign one dropped.
    const opened = await openGuarded({ dataDir, kind: 'sqlite' }, audited(dataDir), { create: false });
    if (!opened.ok) throw new Error(opened.error.message);
    await opened.value.store.close();
    const again = await overt('audit', 'verify', '--data', dataDir);
    expect(again.code).toBe(0);
    const after = new Database(sqliteFile(dataDir));
    expect(() => after.prepare('DELETE FROM audit WHERE seq = 4').run()).toThrow(/append-only/);
    after.close();
  });

  it('refuses a checkpoint that is not signed by the key, and a missing key', async () => {
    const dataDir = await trail();
    const file = process.env.OVERT_AUDIT_CHECKPOINTS!;
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const forged = { ...JSON.parse(lines.at(-1)!), count: 3 };
    writeFileSync(file, [...lines, JSON.stringify(forged)].join('\n') + '\n');
    const result = await overt('audit', 'verify', '--data', dataDir);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/checkpoints\.jsonl line \d+ is not signed by the audit key/);
    process.env.OVERT_AUDIT_KEY = join(dataDir, 'elsewhere.pem');
    const nokey = await overt('audit', 'verify', '--data', dataDir);
    expect(nokey.code).toBe(2);
    expect(nokey.err).toMatch(/no audit signing key at .*elsewhere\.pem/);
  });

  it('refuses a folder with no Overt data, exit 2, without creating one', async () => {
    const missing = join(dirs.make(), 'nothing-here');
    const result = await overt('audit', 'verify', '--data', missing, '--unanchored');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/no Overt data in .*nothing-here/);
    expect(existsSync(missing)).toBe(false);
  });
});

describe('overt audit export', () => {
  it('writes every event as JSON lines to standard output', async () => {
    const dataDir = await trail();
    const { code, out } = await overt('audit', 'export', '--data', dataDir, '--format', 'jsonl');
    expect(code).toBe(0);
    const events = out
      .trimEnd()
      .split('\n')
      .map((line) => AuditEvent.parse(JSON.parse(line)));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(events[1]!.prevHash).toBe(events[0]!.hash);
  });

  it('writes a period as CSV to a file, from inclusive and to exclusive, formulas neutralised', async () => {
    const dataDir = await trail();
    const file = join(dirs.make(), 'audit.csv');
    const result = await overt(
      'audit',
      'export',
      '--data',
      dataDir,
      '--from',
      '2026-03-02',
      '--to',
      '2026-03-04',
      '--format',
      'csv',
      '--out',
      file,
    );
    expect(result).toEqual({ code: 0, out: '', err: '' });
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    expect(rows.map((r) => r.seq)).toEqual(['2', '3']);
    expect(rows[0]).toMatchObject({ action: 'request.raise', target_id: 'req-2', cites: '000 §11' });
    expect(rows[1]).toMatchObject({
      actor_id: `'=HYPERLINK("http://evil.example","x")`,
      action: "'+SUM(1,2)",
      target_id: "'@child",
      outcome: "'-refuse",
      cites: "'\t000 §8",
      details: '{"note":"x"}',
    });
  });

  it('names a malformed date or format, exit 2', async () => {
    const dataDir = await trail();
    const badDate = await overt('audit', 'export', '--data', dataDir, '--from', '1 March', '--format', 'csv');
    expect(badDate.code).toBe(2);
    expect(badDate.err).toMatch(/from/);
    const badFormat = await overt('audit', 'export', '--data', dataDir, '--format', 'xlsx');
    expect(badFormat.code).toBe(2);
    expect(badFormat.err).toMatch(/format is csv or jsonl/);
  });
});

describe('a trail cut together with its checkpoints file (the walk of issue 12)', () => {
  /** A data folder with six events, each signed as it is written (as the service signs within a second),
   * every checkpoint also logged as the service logs it; with `witness`, also appended to a witness. */
  async function signedTrail(
    witness: boolean,
  ): Promise<{ dataDir: string; log: string; env: NodeJS.ProcessEnv }> {
    const dataDir = join(dirs.make(), 'data');
    const env = { ...audited(dataDir) };
    if (witness) env.OVERT_AUDIT_WITNESS = join(dataDir, '..', 'elsewhere', 'witness.jsonl');
    const log = join(dataDir, '..', 'service.log');
    const opened = await openGuarded({ dataDir, kind: 'sqlite' }, env, { create: true });
    if (!opened.ok) throw new Error(opened.error.message);
    const { store, guard } = opened.value;
    guard.onCheckpoint = (c) =>
      writeFileSync(
        log,
        `${JSON.stringify({ level: 'info', msg: 'audit checkpoint signed', auditCheckpoint: c })}\n`,
        {
          flag: 'a',
        },
      );
    for (let i = 1; i <= 6; i++) {
      await store.commit({
        key: `w${i}`,
        at: `2026-03-0${i}T09:00:00.000Z`,
        writes: [],
        audit: [draft('record.view', { kind: 'child', id: `c-${i}` })],
      });
      await guard.flush();
    }
    await store.close();
    return { dataDir, log, env };
  }

  /** Deletes events 5 and 6 behind Overt's back and the checkpoint lines that count them (no key needed). */
  function cut(dataDir: string): void {
    tamper(dataDir, (db) => db.prepare('DELETE FROM audit WHERE seq > 4').run());
    const file = process.env.OVERT_AUDIT_CHECKPOINTS!;
    const kept = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l && (JSON.parse(l) as { count: number }).count <= 4);
    writeFileSync(file, `${kept.join('\n')}\n`);
  }

  it('the checkpoints file alone cannot tell; the saved service log (--witness) can, naming the line', async () => {
    const { dataDir, log } = await signedTrail(false);
    cut(dataDir);
    const alone = await overt('audit', 'verify', '--data', dataDir);
    expect(alone.out).toMatch(/^audit chain intact: 4 events/);
    const witnessed = await overt('audit', 'verify', '--data', dataDir, '--witness', log);
    expect(witnessed.code).toBe(1);
    expect(witnessed.out).toMatch(
      /^audit chain broken at event 5: the trail ends at event 4, but a checkpoint signed at \S+ \(\S+service\.log line 6\) counts 6 events: 2 were removed from its end\n$/,
    );
  });

  it('a witness file (OVERT_AUDIT_WITNESS) is read by verify and at start, and a forged line in the log is refused', async () => {
    const { dataDir, log, env } = await signedTrail(true);
    process.env.OVERT_AUDIT_WITNESS = env.OVERT_AUDIT_WITNESS;
    try {
      cut(dataDir);
      const result = await overt('audit', 'verify', '--data', dataDir);
      expect(result.code).toBe(1);
      expect(result.out).toMatch(/\(\S+witness\.jsonl line 6\) counts 6 events: 2 were removed/);
      // A service starting on the cut folder finds it too, and writes nothing on top of it.
      const opened = await openGuarded({ dataDir, kind: 'sqlite' }, env, { create: false });
      if (!opened.ok) throw new Error(opened.error.message);
      const report = await opened.value.guard.verifyAll();
      expect(report).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/2 were removed from its end/),
      });
      await expect(
        opened.value.store.commit({
          key: 'after',
          at: '2026-03-09T09:00:00.000Z',
          writes: [],
          audit: [draft('record.view', { kind: 'child', id: 'c-9' })],
        }),
      ).rejects.toThrow(/audit trail is broken/);
      await opened.value.store.close();
    } finally {
      delete process.env.OVERT_AUDIT_WITNESS;
    }
    // A checkpoint line forged into the log (signed by no key of ours) is named, not believed.
    writeFileSync(
      log,
      `${JSON.stringify({ auditCheckpoint: { count: 99, hash: 'a'.repeat(64), at: 'x', keyId: 'k', sig: 'AA==' } })}\n`,
      { flag: 'a' },
    );
    const forged = await overt('audit', 'verify', '--data', dataDir, '--witness', log);
    expect(forged.out + forged.err).toMatch(/service\.log line 7 is not signed by the audit key/);
  });

  it('two instances on one folder: one that never read the lost events finds them cut from a witness while running', async () => {
    const dataDir = join(dirs.make(), 'data');
    const env = {
      ...audited(dataDir),
      OVERT_AUDIT_WITNESS: join(dataDir, '..', 'elsewhere', 'witness.jsonl'),
    };
    const a = await openGuarded({ dataDir, kind: 'sqlite' }, env, { create: true });
    const b = await openGuarded({ dataDir, kind: 'sqlite' }, env, { create: true });
    if (!a.ok || !b.ok) throw new Error('not opened');
    expect(await b.value.guard.verifyAll()).toMatchObject({ ok: true });
    // A writes three events and signs them; B does not look until after they are cut, with their lines in the
    // checkpoints file (the walker's case: B then wrote over the cut and every instance looked healthy).
    for (let i = 1; i <= 3; i++)
      await a.value.store.commit({
        key: `t${i}`,
        at: '2026-03-01T09:00:00.000Z',
        writes: [],
        audit: [draft('record.view', { kind: 'child', id: `c-${i}` })],
      });
    await a.value.guard.flush();
    await a.value.store.close();
    cut3(dataDir);
    const found = await b.value.guard.check();
    expect(found).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/witness\.jsonl\) counts 3 events: 1 was removed from its end/),
    });
    await expect(
      b.value.store.commit({
        key: 'on-top',
        at: '2026-03-02T09:00:00.000Z',
        writes: [],
        audit: [draft('record.view', { kind: 'child', id: 'c-x' })],
      }),
    ).rejects.toThrow(/audit trail is broken/);
    await b.value.store.close();

    /** Event 3 and its checkpoint line deleted behind both instances' backs. */
    function cut3(dir: string): void {
      tamper(dir, (db) => db.prepare('DELETE FROM audit WHERE seq = 3').run());
      const file = process.env.OVERT_AUDIT_CHECKPOINTS!;
      const kept = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l && (JSON.parse(l) as { count: number }).count < 3);
      writeFileSync(file, kept.length ? `${kept.join('\n')}\n` : '');
    }
  });
});

it('a store that does not answer for a while is an outage, not a broken trail: the next check, once it answers, is intact (issue 16 walk)', async () => {
  const dataDir = join(dirs.make(), 'data');
  const opened = await openGuarded({ dataDir, kind: 'sqlite' }, { ...audited(dataDir) }, { create: true });
  if (!opened.ok) throw new Error(opened.error.message);
  const { store, guard } = opened.value;
  await store.commit({
    key: 'o1',
    at: '2026-03-01T09:00:00.000Z',
    writes: [],
    audit: [draft('record.view', { kind: 'child', id: 'c-1' })],
  });
  expect(await guard.verifyAll()).toMatchObject({ ok: true });
  const audit = store.audit as { list: (...a: unknown[]) => Promise<unknown> };
  const list = audit.list;
  audit.list = () => Promise.reject(new Error('Graph did not answer in time'));
  expect(await guard.check()).toMatchObject({
    ok: false,
    reason: expect.stringMatching(/could not be read/),
  });
  audit.list = list;
  expect(await guard.check()).toMatchObject({ ok: true });
  await store.commit({
    key: 'o2',
    at: '2026-03-01T09:01:00.000Z',
    writes: [],
    audit: [draft('record.view', { kind: 'child', id: 'c-2' })],
  });
  await store.close();
});
