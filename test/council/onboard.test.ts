import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/open';
import { createDeps, raiseRequest, recordConsent } from '../../src/workflow';
import { runCli } from '../cli/run';
import { tempDirs } from '../store/temp-dirs';
import { EAST_GROUP, PEOPLE, startCouncil, type Council } from './council';

/**
 * issue 19, must show: a council onboarded from nothing with the `overt` command — the first administrator
 * from OVERT_FIRST_ADMIN, two teams, five staff from Entra ID (a group and single users, through the local
 * Graph server), a case list of twenty children whose two bad rows are refused and named with nothing
 * imported, then imported once fixed — and a request raised for one child.
 */
const dirs = tempDirs('onboard');
let council: Council;
const saved = { ...process.env };
beforeAll(async () => {
  council = await startCouncil(dirs.make());
  // The directory is reached with the same settings the service uses (local Graph server, no credentials).
  Object.assign(process.env, {
    OVERT_GRAPH_URL: council.graph.url,
    OVERT_GRAPH_CA_FILE: council.caFile,
    OVERT_FIRST_ADMIN: PEOPLE.admin.userPrincipalName,
  });
});
afterAll(async () => {
  process.env = saved;
  await council.stop();
  dirs.cleanup();
});

function caseList(rows: string[][]): string {
  return ['Case reference,Name,Team,Worker,Platforms', ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

it('onboards a council from nothing and raises a request for one child', async () => {
  const data = dirs.make();
  const ok = async (...args: string[]) => {
    const r = await runCli(...args, '--data', data);
    expect({ args, stderr: r.stderr, code: r.code }).toEqual({ args, stderr: '', code: 0 });
    return r.stdout;
  };

  // Nothing can be changed before there is an administrator.
  const early = await runCli('teams', 'add', 'east', '--name', 'East Youth Justice', '--data', data);
  expect(early.code).toBe(2);
  expect(early.stderr).toMatch(
    /--as aled.morgan@wyverncouncil.test: not a member of staff in Overt \(run overt admin init first\)/,
  );

  expect(await ok('admin', 'init')).toBe(`first administrator: ${PEOPLE.admin.displayName}\n`);
  expect(await ok('admin', 'init')).toBe('1 staff already set up\n');

  expect(await ok('teams', 'add', 'east', '--name', 'East Youth Justice (fictional)')).toMatch(
    /^team east: East Youth Justice \(fictional\), profile nottinghamshire-yjs, 0 manager/,
  );
  expect(await ok('teams', 'add', 'west', '--name', 'West Youth Justice (fictional)')).toMatch(/^team west/);
  // A team given its policy profile; an unknown one is refused, named.
  expect(await ok('teams', 'set-profile', 'west', 'kent-ics')).toMatch(
    /^team west: profile kent-ics \(Kent.*, version [^)]+\)\n$/,
  );
  const badProfile = await runCli('teams', 'set-profile', 'west', 'wyvern-policy', '--data', data);
  expect(badProfile.code).toBe(1);
  expect(badProfile.stderr).toMatch(/team west: profileId: no profile "wyvern-policy"/);

  // Five staff from Entra ID: a group of two case managers, a third by sign-in name, two team managers.
  const group = await ok('staff', 'add', '--group', EAST_GROUP, '--role', 'case-manager', '--team', 'east');
  expect(group).toContain(`${PEOPLE.cm1.displayName}: case-manager, teams east`);
  expect(group).toContain(`${PEOPLE.cm2.displayName}: case-manager, teams east`);
  await ok(
    'staff',
    'add',
    '--user',
    PEOPLE.cm3.userPrincipalName,
    '--role',
    'case-manager',
    '--team',
    'west',
  );
  expect(
    await ok('staff', 'add', '--user', PEOPLE.tmEast.id, '--role', 'team-manager', '--team', 'east'),
  ).toContain('now a manager of East Youth Justice (fictional)');
  await ok(
    'staff',
    'add',
    '--user',
    PEOPLE.tmWest.userPrincipalName,
    '--role',
    'team-manager',
    '--team',
    'west',
  );
  const unknown = await runCli(
    'staff',
    'add',
    '--user',
    'nobody@wyverncouncil.test',
    '--role',
    'case-manager',
    '--data',
    data,
  );
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/user nobody@wyverncouncil.test: no such account in Entra ID/);
  const staff = await ok('staff', 'list');
  expect(staff.trim().split('\n')).toHaveLength(6);
  const teams = await ok('teams', 'list');
  expect(teams).toContain(
    `east\tEast Youth Justice (fictional)\tnottinghamshire-yjs\t${PEOPLE.tmEast.displayName}`,
  );
  expect(teams).toContain(`west\tWest Youth Justice (fictional)\tkent-ics\t${PEOPLE.tmWest.displayName}`);

  // Twenty children from the case system's export; rows 6 and 14 are wrong.
  const workers = [PEOPLE.cm1.userPrincipalName, PEOPLE.cm2.userPrincipalName, PEOPLE.cm3.userPrincipalName];
  const rows = Array.from({ length: 20 }, (_, i) => {
    const worker = workers[i % 3]!;
    const team = worker === PEOPLE.cm3.userPrincipalName ? 'west' : 'east';
    return [
      `WYV-${String(i + 1).padStart(4, '0')}`,
      `C.${String.fromCharCode(65 + i)}. (fictional)`,
      team,
      worker,
      i === 0 ? 'instagram:@wyv_fictional_a' : '',
    ];
  });
  const bad = rows.map((r) => [...r]);
  bad[5]![2] = 'North';
  bad[13]![3] = PEOPLE.cm3.userPrincipalName;
  bad[13]![2] = 'east';
  const file = join(data, 'case-list.csv');
  writeFileSync(file, caseList(bad));
  const refused = await runCli('children', 'import', file, '--data', data);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(`${file}: 2 bad rows, nothing imported:`);
  expect(refused.stderr).toContain('line 7: no team "North"');
  expect(refused.stderr).toContain(
    `line 15: ${PEOPLE.cm3.displayName} is not in team East Youth Justice (fictional)`,
  );

  const opened = await openStore({ dataDir: data, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  const store = opened.value;
  try {
    expect((await store.count('child'))[0]?.count ?? 0).toBe(0);
    const refusal = (await store.audit.list()).find((e) => e.action === 'caselist.import');
    expect(refusal).toMatchObject({ outcome: 'refuse', actor: { id: PEOPLE.admin.id } });
  } finally {
    await store.close();
  }

  writeFileSync(file, caseList(rows));
  expect(await ok('children', 'import', file)).toBe(`${file}: 20 children added, 0 updated\n`);
  expect((await runCli('audit', 'verify', '--data', data)).code).toBe(0);

  // A case manager raises a request for one child.
  const again = await openStore({ dataDir: data, kind: 'sqlite' });
  if (!again.ok) throw new Error(again.error.message);
  try {
    const deps = createDeps(again.value);
    expect((await again.value.count('child'))[0]?.count).toBe(20);
    const child = (await again.value.query('child', { where: { caseRef: 'WYV-0001' } }))[0]!.record;
    const consent = await recordConsent(deps, {
      key: 'onboard-first-consent',
      actorId: PEOPLE.cm1.id,
      childId: child.id,
      givenBy: 'child and parent',
      date: new Date().toISOString().slice(0, 10),
      scope: { platforms: [], purposes: ['000 §3 criteria'] },
    });
    if (!consent.ok) throw new Error(consent.error.message);
    const raised = await raiseRequest(deps, {
      key: 'onboard-first-request',
      actorId: PEOPLE.cm1.id,
      childId: child.id,
      reason: 'risk-of-cse',
      platforms: [{ platform: 'instagram', account: '@wyv_fictional_a' }],
      viewer: 'own-personal-account',
    });
    if (!raised.ok) throw new Error(raised.error.message);
    expect(raised.value.request).toMatchObject({
      childId: child.id,
      teamId: 'east',
      requesterId: PEOPLE.cm1.id,
    });
    expect(raised.value.verdict.outcome).not.toBe('refuse');
  } finally {
    await again.value.close();
  }
}, 120_000);
