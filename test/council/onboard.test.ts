import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '../../src/server/serve';
import { anchorPaths } from '../../src/store/anchor';
import { openStore } from '../../src/store/open';
import { activity, post, textOf } from '../bot/client';
import { runCli } from '../cli/run';
import { tempDirs } from '../store/temp-dirs';
import { EAST_GROUP, PEOPLE, startCouncil, TENANT, type Council } from './council';

/**
 * issue 19, must show: a council onboarded from nothing with the `overt` command — the first administrator
 * from OVERT_FIRST_ADMIN, two teams, five staff from Entra ID (a group and single users, through the local
 * Graph server), a case list of twenty children whose two bad rows are refused and named with nothing
 * imported, then imported once fixed — and, with the production start (`npm run serve`) on what was made, a
 * request raised for one child through the bot endpoint.
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

  // The audit signing key first: only overt audit keygen makes it (issue 19).
  expect((await runCli('audit', 'keygen', '--data', data)).code).toBe(0);
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
  expect(badProfile.stderr).toMatch(/team west: no profile "wyvern-policy" is loaded \(built-in: .*\)/);

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
  expect(await ok('children', 'import', file)).toBe(
    `${file}: 20 children added, 0 updated, 0 already as listed\n`,
  );
  // The same file again is counted against the children as they now are, not answered with the first run's.
  expect(await ok('children', 'import', file)).toBe(
    `${file}: 0 children added, 0 updated, 20 already as listed\n`,
  );
  expect((await runCli('audit', 'verify', '--data', data)).code).toBe(0);

  // The service is started for real use (`npm run serve`) on what was onboarded, with a local unsigned bot
  // (OVERT_BOT_UNSIGNED=on: no Bot Framework here); a case manager records the child's consent and raises a
  // request for one child through the bot endpoint, as Teams would send it.
  const running = await serve(
    {
      ...council.env(data),
      OVERT_STORE: 'sqlite',
      OVERT_AUDIT_KEY: anchorPaths(data, {}).keyFile,
      OVERT_AUDIT_CHECKPOINTS: anchorPaths(data, {}).checkpointsFile,
      MicrosoftAppId: '',
      MicrosoftAppPassword: '',
      MicrosoftAppTenantId: '',
      MicrosoftAppType: 'MultiTenant',
      OVERT_BOT_UNSIGNED: 'on',
    },
    () => undefined,
  );
  try {
    const bot = `http://127.0.0.1:${(running.servers[0]!.address() as { port: number }).port}`;
    const store = running.store;
    expect((await store.count('child'))[0]?.count).toBe(20);
    const child = (await store.query('child', { where: { caseRef: 'WYV-0001' } }))[0]!.record;
    const click = (verb: string, data: Record<string, unknown>) =>
      post(bot, {
        ...activity(PEOPLE.cm1.id, `personal-${PEOPLE.cm1.id}`, {
          type: 'invoke',
          name: 'adaptiveCard/action',
          value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
        }),
        conversation: { id: `personal-${PEOPLE.cm1.id}`, conversationType: 'personal', tenantId: TENANT },
        channelData: { tenant: { id: TENANT } },
      });
    const consent = await click('consent.record', {
      formId: 'onboard-first-consent',
      childId: child.id,
      givenBy: 'child and parent',
      date: new Date().toISOString().slice(0, 10),
      platforms: '',
    });
    expect(consent.status).toBe(200);
    expect(await store.query('consent', { where: { childId: child.id } })).toHaveLength(1);
    const sent = await click('request.send', {
      formId: 'onboard-first-request',
      childId: child.id,
      reason: 'risk-of-cse',
      platforms: 'instagram: @wyv_fictional_a',
      viewer: 'own-personal-account',
      rationale: 'Fictional: new information suggests a risk to the child.',
    });
    expect(sent.status).toBe(200);
    expect(textOf(sent.json.value)).toContain(`Request saved. Overt is sending it to the`);
    expect(textOf(sent.json.value)).toContain(PEOPLE.tmEast.displayName);
    const requests = await store.query('request', { where: { childId: child.id } });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.record).toMatchObject({
      childId: child.id,
      teamId: 'east',
      requesterId: PEOPLE.cm1.id,
      status: 'pending',
    });
  } finally {
    await running.stop();
  }
}, 120_000);
