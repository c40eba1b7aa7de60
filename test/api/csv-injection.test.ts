import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { routes } from '../../src/api/api';
import { main } from '../../src/cli/main';
import { csvRecords, defuseCell, toCsv } from '../../src/util/csv';
import { authoriseRipa, recordConsent, submitReview, upsertStaff } from '../../src/workflow';
import { ASSERTIONS } from '../../src/workflow/review';
import { must } from '../workflow/world';
import { startApi, type Api } from './harness';

/**
 * Issue 19: a child named like a formula (`=HYPERLINK(…)`, `+SUM`, `-1+2`, `@cmd`) is neutralised in every
 * export that writes CSV, because every one of them writes through the one CSV writer (src/util/csv.ts, and
 * the layout rule that nothing else imports csv-stringify). The table has a row for each route that answers
 * a CSV and for `overt audit export --format csv`; each row shows the formula reached the file, defused.
 */

/** What a spreadsheet would run as a formula: a sign first, after any blanks, or a tab or line break. */
const LIVE =
  // eslint-disable-next-line no-control-regex -- control characters a spreadsheet skips are what it looks past
  /^[\s\u0000-\u001f\u00a0\u200b-\u200f\u2028-\u202f\ufeff]*[=+\-@\uff1d\uff0b\uff0d\uff20\u2212\ufe62\ufe63]/;

/** Read as a spreadsheet reads a CSV: a line break of any kind outside quotes ends a row. */
const asSpreadsheet = (text: string) =>
  parseCsv(text, { relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];

const HYPERLINK = '=HYPERLINK("http://evil.example/?x=1","Open the file")';
const CHILDREN = [
  { caseRef: HYPERLINK, name: '+SUM(A1:A9)' },
  { caseRef: '-1+2', name: '@cmd|/c calc' },
  { caseRef: '@SUM(1,2)', name: '=1+1' },
];
/** Put where the person typing it chose: a review's comment, an offence. */
const TYPED = '=HYPERLINK("http://evil.example/?y=2","the review was fine")';
/** A formula on a line of its own inside a cell (no comma or quote that would have the cell quoted anyway):
 * a line break left bare would start a row of the spreadsheet with it. */
const ON_A_LINE = 'Robbery (fictional) and on its own line\n=1+2 and\r@cmd';
/** A case manager whose id and name are formulas: the actor of the audit trail's rows. */
const STAFF = { id: '-2+3', name: '@SUM(A1:A9) (fictional)' };

let api: Api;
let dir: string;
const childIds: string[] = [];

beforeAll(async () => {
  api = await startApi();
  dir = api.w.dataDir;
  const csv = toCsv(
    ['case reference', 'name', 'team', 'worker'],
    CHILDREN.map((c) => [c.caseRef, c.name, 'notts', 'cm-notts']),
  ).replace(/'/g, ''); // the case system's own export: not defused
  const imported = await api.send('POST', '/api/v1/children/import', { csv }, 'admin');
  expect(imported.status).toBe(200);
  for (const c of CHILDREN) {
    const [child] = await api.w.store.query('child', { where: { caseRef: c.caseRef }, limit: 1 });
    expect(child?.record.displayName).toBe(c.name);
    childIds.push(child!.record.id);
  }
  // Each child's consent recorded by the formula-named case manager; a RIPA authorisation for the first, with
  // a formula for its offence; the annual review with a formula in its comments.
  must(
    await upsertStaff(api.w.deps, {
      key: api.w.key(),
      actorId: 'admin',
      staff: { ...STAFF, role: 'case-manager', teamIds: ['notts'] },
    }),
  );
  for (const id of childIds)
    must(
      await recordConsent(api.w.deps, {
        key: api.w.key(),
        actorId: STAFF.id,
        childId: id,
        givenBy: 'child',
        date: '2026-02-01',
        scope: { platforms: [], purposes: [] },
      }),
    );
  must(
    await authoriseRipa(api.w.deps, {
      key: api.w.key(),
      actorId: 'ao',
      childId: childIds[0]!,
      reference: 'DS-FORMULA-1',
      offence: ON_A_LINE,
      maxSentenceMonths: 9999,
      necessity: 'Fictional: necessary.',
      proportionality: 'Fictional: proportionate.',
      legalAdvice: 'Fictional: legal services advise it is lawful.',
      grantedOn: '2026-03-01',
      magistrateApprovedOn: '2026-03-01',
      from: '2026-03-01',
      until: '2026-04-30',
      reviewAt: '2026-03-15',
      confidentialInfoLikely: false,
      authoriserInvolved: false,
    }),
  );
  must(
    await submitReview(api.w.deps, {
      key: api.w.key(),
      actorId: 'sm',
      year: 2026,
      revision: 1,
      assessments: ASSERTIONS.map((a, i) => ({
        id: a.id,
        assessment: 'met' as const,
        comments: i ? TYPED : ON_A_LINE.replace('Robbery', 'Met'),
      })),
    }),
  );
});
afterAll(() => api.close());

async function overt(...args: string[]): Promise<number> {
  const quiet = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return await main(['node', 'overt', ...args]);
  } finally {
    quiet.mockRestore();
  }
}

/** Each export that writes CSV: how to fetch it, the formulas it must carry whole as a cell (defused), and
 * the formulas it must carry inside a cell (as written: a cell that starts with words is not a formula). */
const EXPORTS: Record<string, { fetch: () => Promise<string>; carries: () => string[]; within?: string[] }> =
  {
    'GET /api/v1/audit.csv': {
      fetch: async () => {
        const res = await api.get('/api/v1/audit.csv?from=2026-01-01&to=2027-01-01', 'sm');
        expect(res.status).toBe(200);
        return res.text();
      },
      carries: () => [STAFF.name],
      within: CHILDREN.map((c) => c.caseRef),
    },
    'GET /api/v1/ripa/central-record.:format': {
      fetch: async () => {
        const res = await api.get('/api/v1/ripa/central-record.csv', 'ig');
        expect(res.status).toBe(200);
        return res.text();
      },
      carries: () => [HYPERLINK],
      within: [ON_A_LINE],
    },
    'GET /api/v1/review/:year/export.:format': {
      fetch: async () => {
        const res = await api.get('/api/v1/review/2026/export.csv', 'sm');
        expect(res.status).toBe(200);
        return res.text();
      },
      carries: () => [TYPED],
      within: [ON_A_LINE.replace('Robbery', 'Met')],
    },
    'overt audit export --format csv': {
      fetch: async () => {
        const out = join(dir, '..', 'audit.csv');
        expect(await overt('audit', 'export', '--data', dir, '--format', 'csv', '--out', out)).toBe(0);
        return readFileSync(out, 'utf8');
      },
      carries: () => [STAFF.id],
    },
  };

describe('a formula-named child in every export that writes CSV', () => {
  it('the table has every route that answers a CSV', () => {
    const csvRoutes = routes
      .filter((r) => r.method === 'GET' && /\.csv$|\.:format$/.test(r.path))
      .map((r) => `${r.method} ${r.path}`);
    expect(csvRoutes.sort()).toEqual(
      Object.keys(EXPORTS)
        .filter((k) => k.startsWith('GET '))
        .sort(),
    );
  });

  it.each(Object.keys(EXPORTS))(
    '%s: no cell a spreadsheet would run, the formula kept as text',
    async (name) => {
      const e = EXPORTS[name]!;
      const text = await e.fetch();
      const cells = asSpreadsheet(text).flat();
      expect(cells.filter((c) => LIVE.test(c))).toEqual([]);
      for (const f of e.carries()) expect(cells).toContain(`'${f}`);
      for (const f of e.within ?? []) expect(cells.filter((c) => c.includes(f))).not.toEqual([]);
      expect(text).toMatch(/\r\n$/);
    },
  );
});

describe('the one cell-defusing cast', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+44 20 7946 0000', "'+44 20 7946 0000"],
    ['-1+2', "'-1+2"],
    ['@cmd', "'@cmd"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    ['\nx', "'\nx"],
    ['  =1+1', "'  =1+1"],
    ['\u200b=1+1', "'\u200b=1+1"],
    ['\uff1d1+1', "'\uff1d1+1"],
    ['\u22121', "'\u22121"],
    ['A.B. (demo)', 'A.B. (demo)'],
    ['1-2', '1-2'],
    ['', ''],
  ])('%j is written %j', (cell, expected) => {
    expect(defuseCell(cell)).toBe(expected);
    expect(asSpreadsheet(csvRecords([[cell]]))).toEqual([[expected]]);
  });

  it('numbers stay numbers, an object is JSON defused alike, nothing is a formula', () => {
    expect(csvRecords([[-2, 0, null, undefined, { a: 1 }, ['=x'], true]])).toBe(
      '-2,0,,,"{""a"":1}","[""=x""]",1\r\n',
    );
  });
});
