import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../cli/run';
import { tempDirs } from '../store/temp-dirs';
import { EAST_GROUP, PEOPLE, SITE, startCouncil, type Council } from './council';

/**
 * issue 19: every command of the README's "Running it for your council" (the ```sh council block) runs,
 * in order, against the local Graph server — the site, its users and a group — with the README's
 * placeholders replaced by the fictional council's values.
 */
const dirs = tempDirs('readme');
let council: Council;
const saved = { ...process.env };
afterAll(async () => {
  process.env = saved;
  await council?.stop();
  dirs.cleanup();
});

it('the guide’s commands pass, in order', async () => {
  const dir = dirs.make();
  council = await startCouncil(dir);
  Object.assign(process.env, {
    OVERT_GRAPH_URL: council.graph.url,
    OVERT_GRAPH_CA_FILE: council.caFile,
    OVERT_FIRST_ADMIN: PEOPLE.admin.userPrincipalName,
    OVERT_DATA: join(dir, 'data'),
  });
  const csv = join(dir, 'case-list.csv');
  writeFileSync(
    csv,
    [
      'Case reference,Name,Team,Worker',
      `WYV-1,A.B. (fictional),east,${PEOPLE.cm1.userPrincipalName}`,
      `WYV-2,C.D. (fictional),west,${PEOPLE.cm3.userPrincipalName}`,
    ].join('\n'),
  );
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const block = /```sh council\n([^]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const lines = block!.trim().split('\n');
  expect(lines.length).toBeGreaterThanOrEqual(10);
  for (const line of lines) {
    const filled = line
      .replace('https://contoso.sharepoint.com/sites/overt', SITE)
      .replace('<Entra group id>', EAST_GROUP)
      .replace('worker@contoso.gov.uk', PEOPLE.cm3.userPrincipalName)
      .replace('manager@contoso.gov.uk', PEOPLE.tmEast.userPrincipalName)
      .replace('case-list.csv', csv);
    const args = (filled.match(/"[^"]*"|\S+/g) ?? []).map((a) => a.replace(/^"|"$/g, ''));
    expect(args.slice(0, 2)).toEqual(['npx', 'overt']);
    const r = await runCli(...args.slice(2));
    expect({ line, code: r.code, stderr: r.stderr }).toEqual({ line, code: 0, stderr: '' });
  }
  const teams = await runCli('teams', 'list');
  expect(teams.stdout).toContain(
    `east\tEast Youth Justice\tnottinghamshire-yjs\t${PEOPLE.tmEast.displayName}`,
  );
  expect(teams.stdout).toContain('west\tWest Youth Justice\tkent-ics');
}, 120_000);
