import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { CSV_COLUMNS, neutralise } from '../../src/cli/audit';
import { main } from '../../src/cli/main';
import { AuditEvent } from '../../src/store/audit';
import { openStore, sqliteFile } from '../../src/store/open';
import { draft } from '../store/fixtures';
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

/** A data folder with four audit events on 1–4 March 2026; the third has formula-like cells. */
async function trail(): Promise<string> {
  const dataDir = dirs.make();
  const opened = await openStore({ dataDir, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  const store = opened.value;
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
    await store.commit({ key: `u${i}`, at: `2026-03-0${i}T09:00:00.000Z`, writes: [], audit: [event] });
  }
  await store.close();
  return dataDir;
}

beforeEach(() => {
  process.exitCode = undefined;
});

describe('overt audit verify', () => {
  it('reports an intact chain with its count and exits 0', async () => {
    const dataDir = await trail();
    expect(await overt('audit', 'verify', '--data', dataDir)).toEqual({
      code: 0,
      out: 'audit chain intact: 4 events\n',
      err: '',
    });
  });

  it('takes the data folder from OVERT_DATA', async () => {
    const dataDir = await trail();
    process.env.OVERT_DATA = dataDir;
    try {
      expect((await overt('audit', 'verify')).out).toBe('audit chain intact: 4 events\n');
    } finally {
      delete process.env.OVERT_DATA;
    }
  });

  it('names the first edited event and exits 1', async () => {
    const dataDir = await trail();
    const db = new Database(sqliteFile(dataDir));
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET outcome = 'allow' WHERE seq = 3").run();
    db.close();
    const result = await overt('audit', 'verify', '--data', dataDir);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(
      /^audit chain broken at event 3 \(2026-03-03T09:00:00.000Z \+SUM\(1,2\) on child @child\): /,
    );
    expect(result.out).toMatch(/hash does not match/);
  });

  it('refuses a folder with no Overt data, exit 2, without creating one', async () => {
    const missing = join(dirs.make(), 'nothing-here');
    const result = await overt('audit', 'verify', '--data', missing);
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

describe('neutralise', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@x', "'@x"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['plain', 'plain'],
    ['', ''],
  ])('%j becomes %j', (cell, expected) => {
    expect(neutralise(cell)).toBe(expected);
  });
});
