import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openGuarded, openStore } from '../../src/store/open';
import { bootstrapAdministrator, createDeps, upsertTeam } from '../../src/workflow';
import { startGraphServer, type GraphServer } from '../../tools/graph-local/server';
import { tempDirs } from '../store/temp-dirs';
import { must } from '../workflow/world';
import { runCli } from './run';

/**
 * issue 18: `overt staff add` gives people the flags and named groups a loaded profile reads (Fernmoor's
 * Prevent lead and Head of Service; Camden's designated officer), people from Entra ID through the local Graph
 * server. A flag no loaded profile reads is refused, naming those that are; flags not given are kept, and
 * --no-flags takes them away. `overt children import` takes a date of birth.
 */

const dirs = tempDirs('cli-staff-marks');
const saved = { ...process.env };
const PREVENT = { id: '5e0c1d2e-3f40-4152-8637-48596a7b8c9d', displayName: 'Priya Lead (fictional)' };
const HEAD = { id: '6f1d2e3f-4051-4263-9748-596a7b8c9dae', displayName: 'Hal Head (fictional)' };
/** A group of 21 managers: one more than a team may have. */
const MANAGERS = Array.from({ length: 21 }, (_, i) => ({
  id: `7a2e3f40-5162-4374-a859-${String(i).padStart(12, '0')}`,
  displayName: `Manager ${i + 1} (fictional)`,
}));
const MANAGERS_GROUP = '8b3f4051-6273-4485-b96a-7b8c9daebf01';
let graph: GraphServer;
let data: string;

beforeAll(async () => {
  graph = await startGraphServer({
    directory: {
      users: [PREVENT, HEAD, ...MANAGERS].map((u) => ({
        ...u,
        userPrincipalName: `${u.id}@fernmoor.test`,
        mail: null,
      })),
      groups: [
        { id: MANAGERS_GROUP, displayName: 'All managers (fictional)', members: MANAGERS.map((m) => m.id) },
      ],
    },
  });
  const ca = join(dirs.make(), 'graph-ca.pem');
  writeFileSync(ca, graph.ca);
  Object.assign(process.env, {
    OVERT_GRAPH_URL: graph.url,
    OVERT_GRAPH_CA_FILE: ca,
    OVERT_PROFILE_FILES: join(__dirname, '../../examples/fernmoor/fernmoor.json'),
  });
  data = dirs.make();
  // Opened as the service opens it, so the trail it starts is anchored where the CLI looks (beside the data).
  const opened = await openGuarded({ dataDir: data, kind: 'sqlite' }, process.env, { create: true });
  if (!opened.ok) throw new Error(opened.error.message);
  const deps = createDeps(opened.value.store);
  must(await bootstrapAdministrator(deps, { id: 'admin-1', name: 'Ada Admin (fictional)' }));
  must(
    await upsertTeam(deps, {
      key: 'test-team-east',
      actorId: 'admin-1',
      team: { id: 'east', name: 'East (fictional)' },
    }),
  );
  await opened.value.store.close();
});
afterAll(async () => {
  process.env = saved;
  await graph.stop();
  dirs.cleanup();
});

const overt = (...args: string[]) => runCli(...args, '--data', data);
const as = ['--as', 'admin-1'];
async function staff(id: string) {
  const opened = await openStore({ dataDir: data, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  try {
    return (await opened.value.get('staff', id))!.record;
  } finally {
    await opened.value.close();
  }
}

it('gives flags and groups a loaded profile reads; refuses one none reads, naming those they do', async () => {
  const add = await overt(
    'staff',
    'add',
    '--user',
    PREVENT.id,
    '--role',
    'case-manager',
    '--team',
    'east',
    '--flag',
    'preventLead',
    '--designated-officer',
    ...as,
  );
  expect(add).toEqual({
    code: 0,
    stderr: '',
    stdout: 'Priya Lead (fictional): case-manager, teams east; designatedOfficer, preventLead\n',
  });
  expect(await staff(PREVENT.id)).toMatchObject({ flags: ['preventLead'], designatedOfficer: true });

  const head = await overt(
    'staff',
    'add',
    '--user',
    HEAD.id,
    '--role',
    'service-manager',
    '--in-group',
    'Head of Service',
    ...as,
  );
  expect(head.code).toBe(0);
  expect((await staff(HEAD.id)).groups).toEqual(['Head of Service']);

  const typo = await overt(
    'staff',
    'add',
    '--user',
    HEAD.id,
    '--role',
    'service-manager',
    '--flag',
    'prevent',
    ...as,
  );
  expect(typo.code).toBe(1);
  expect(typo.stderr).toMatch(/no loaded policy profile reads the flag "prevent"/);
  expect(typo.stderr).toContain('"preventLead" (Prevent lead)');
  expect((await staff(HEAD.id)).flags).toBeUndefined();

  // Added again without flags: kept. --no-flags: taken away.
  expect((await overt('staff', 'add', '--user', PREVENT.id, '--role', 'case-manager', ...as)).code).toBe(0);
  expect(await staff(PREVENT.id)).toMatchObject({ flags: ['preventLead'], designatedOfficer: true });
  const list = await overt('staff', 'list');
  expect(list.stdout).toContain(
    `Priya Lead (fictional)\t${PREVENT.id}@fernmoor.test\tcase-manager\teast\tdesignatedOfficer, preventLead`,
  );
  expect(list.stdout).toContain(
    `Hal Head (fictional)\t${HEAD.id}@fernmoor.test\tservice-manager\t\tHead of Service`,
  );
  expect(
    (await overt('staff', 'add', '--user', PREVENT.id, '--role', 'case-manager', '--no-flags', ...as)).code,
  ).toBe(0);
  const cleared = await staff(PREVENT.id);
  expect(cleared.flags).toBeUndefined();
  expect(cleared.designatedOfficer).toBeUndefined();
});

it('imports a child’s date of birth with the case list, and names a day that is not one', async () => {
  expect((await overt('staff', 'add', '--user', PREVENT.id, '--role', 'case-manager', ...as)).code).toBe(0);
  const file = join(dirs.make(), 'cases.csv');
  writeFileSync(
    file,
    `Case reference,Name,Team,Worker,Date of birth\nF-1,A.B. (fictional),east,${PREVENT.id},30/02/2012\n`,
  );
  const bad = await overt('children', 'import', file, ...as);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('line 2: date of birth "30/02/2012" is not a day that exists');
  writeFileSync(
    file,
    `Case reference,Name,Team,Worker,Date of birth\nF-1,A.B. (fictional),east,${PREVENT.id},29/02/2012\n`,
  );
  expect(await overt('children', 'import', file, ...as)).toMatchObject({ code: 0, stderr: '' });
  const opened = await openStore({ dataDir: data, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  try {
    const [child] = await opened.value.query('child', { where: { caseRef: 'F-1' } });
    expect(child!.record.dateOfBirth).toBe('2012-02-29');
  } finally {
    await opened.value.close();
  }
});

it('a group of 21 team managers for one team is refused before anything is written (a team has at most 20), never half-added', async () => {
  const count = async () => {
    const opened = await openStore({ dataDir: data, kind: 'sqlite' });
    if (!opened.ok) throw new Error(opened.error.message);
    try {
      return {
        staff: (await opened.value.query('staff')).length,
        managers: (await opened.value.get('team', 'east'))!.record.managerIds,
        events: (await opened.value.audit.list()).length,
      };
    } finally {
      await opened.value.close();
    }
  };
  const before = await count();
  const add = await overt(
    'staff',
    'add',
    '--group',
    MANAGERS_GROUP,
    '--role',
    'team-manager',
    '--team',
    'east',
    ...as,
  );
  expect(add.code).toBe(1);
  expect(add.stderr).toMatch(/team East \(fictional\) would have 21 managers, and a team has at most 20/);
  expect(add.stderr).toMatch(/nobody was added or changed/);
  expect(add.stdout).toBe('');
  expect(await count()).toEqual(before);
  // As case managers of the team, all 21 are added.
  const ok = await overt(
    'staff',
    'add',
    '--group',
    MANAGERS_GROUP,
    '--role',
    'case-manager',
    '--team',
    'east',
    ...as,
  );
  expect(ok.code).toBe(0);
  expect((await count()).staff).toBe(before.staff + 21);
});
