import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/open';
import { caseListTooLarge } from '../../src/vocabulary/case-list';
import { tempDirs } from '../store/temp-dirs';
import { PEOPLE, startCouncil, type Council } from './council';
import { overt } from './overt-run';

/**
 * issue 19 (the walk's findings 5 and 8), with `overt` run as a process: a case list saved in Windows-1252
 * (Excel's plain "CSV") was imported with its accented letters garbled; now it is refused whole, saying to
 * save it as CSV UTF-8, and the refusal is on the audit trail. A CSV UTF-8 file with Excel's byte-order mark
 * imports, and `overt children list` shows what is loaded (names, never ids).
 */
const dirs = tempDirs('case-list-file');
let council: Council;
beforeAll(async () => {
  council = await startCouncil(dirs.make());
}, 60_000);
afterAll(async () => {
  await council.stop();
  dirs.cleanup();
});

it('refuses a case list not in UTF-8, audited; imports CSV UTF-8 with a BOM; lists the children', async () => {
  const data = dirs.make();
  const env = { ...council.env(data), OVERT_STORE: 'sqlite' };
  const ok = async (...args: string[]) => {
    const r = await overt(env, ...args);
    expect({ args, code: r.status, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
    return r.stdout;
  };
  await ok('admin', 'init');
  await ok('teams', 'add', 'east', '--name', 'East Youth Justice (fictional)');
  await ok(
    'staff',
    'add',
    '--user',
    PEOPLE.cm1.userPrincipalName,
    '--role',
    'case-manager',
    '--team',
    'east',
  );

  const rows = [
    'Case reference,Name,Team,Worker,Platforms',
    `WY-0001,Zoë Ångström (fictional),east,${PEOPLE.cm1.userPrincipalName},instagram:@zoe_fictional`,
    `WY-0002,Siân Prŷs (fictional),east,${PEOPLE.cm1.userPrincipalName},`,
  ].join('\r\n');
  const latin1 = join(dirs.make(), 'case-list-latin1.csv');
  writeFileSync(latin1, Buffer.from(rows.replace('ŷ', 'y'), 'latin1'));
  const refused = await overt(env, 'children', 'import', latin1);
  expect(refused.status).toBe(1);
  expect(refused.stderr).toBe(
    `overt: ${latin1}: the file is not in UTF-8 (line 2 has characters that could not be read): save it as "CSV UTF-8 (Comma delimited)" and import it again\n`,
  );
  expect(await ok('children', 'list')).toBe('0 children\n');

  const utf8 = join(dirs.make(), 'case-list.csv');
  writeFileSync(utf8, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows, 'utf8')]));
  expect(await ok('children', 'import', utf8)).toBe(
    `${utf8}: 2 children added, 0 updated, 0 already as listed\n`,
  );
  expect(await ok('children', 'list')).toBe(
    [
      `WY-0001\tZoë Ångström (fictional)\tEast Youth Justice (fictional)\t${PEOPLE.cm1.displayName}\tinstagram:@zoe_fictional`,
      `WY-0002\tSiân Prŷs (fictional)\tEast Youth Justice (fictional)\t${PEOPLE.cm1.displayName}\t`,
      '2 children',
      '',
    ].join('\n'),
  );
  expect((await overt(env, 'children', 'list', '--team', 'west')).stderr).toBe(
    'overt: --team west: no such team (overt teams list)\n',
  );

  // The refusal is on the trail.
  const opened = await openStore({ dataDir: data, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  const refusals = (await opened.value.audit.list()).filter((e) => e.outcome === 'refuse');
  await opened.value.close();
  expect(refusals.map((e) => JSON.stringify(e.details))).toEqual([expect.stringContaining('CSV UTF-8')]);

  // A file over the limit, and one badly quoted: the words the tab and the API use (vocabulary/case-list.ts).
  const big = join(dirs.make(), 'case-list-big.csv');
  const row = `WY-9999,A.B. (fictional),east,${PEOPLE.cm1.userPrincipalName}\r\n`;
  const text = 'Case reference,Name,Team,Worker\r\n' + row.repeat(Math.ceil(1_300_000 / row.length));
  writeFileSync(big, text);
  const tooBig = await overt(env, 'children', 'import', big);
  expect({ code: tooBig.status, stderr: tooBig.stderr }).toEqual({
    code: 1,
    stderr: `overt: ${big}: ${caseListTooLarge(Buffer.byteLength(text))}\n`,
  });
  expect(tooBig.stderr).toMatch(/: the file is 1\.3 MB, and a case list can be at most 1 MB: split it /);
  const quoted = join(dirs.make(), 'case-list-quoted.csv');
  writeFileSync(
    quoted,
    `Case reference,Name,Team,Worker\r\nWY-0003,Jo "JJ" B. (fictional),east,${PEOPLE.cm1.userPrincipalName}\r\n`,
  );
  const badQuote = await overt(env, 'children', 'import', quoted);
  expect({ code: badQuote.status, stderr: badQuote.stderr }).toEqual({
    code: 1,
    stderr: `overt: ${quoted}: line 2: a quote opens inside the name field: put the whole field in double quotes, and write each quote inside it twice ("")\n`,
  });
  expect(await ok('children', 'list')).toMatch(/\n2 children\n$/);
}, 180_000);
