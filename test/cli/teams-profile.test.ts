import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openGuarded, openStore } from '../../src/store/open';
import { bootstrapAdministrator, createDeps, upsertStaff, upsertTeam } from '../../src/workflow';
import { teamProfile } from '../../src/workflow/context';
import { parseProfile } from '../../src/policy/load';
import { tempDirs } from '../store/temp-dirs';
import { must } from '../workflow/world';
import { runCli } from './run';

/**
 * issue 19: `overt teams set-profile <team> <profile>` gives a team a built-in or a loaded custom profile,
 * audited (`team.profile`, from and to, the version). A custom profile file whose id is a built-in's used to
 * replace the built-in for every team given that id (the custom map was read first): now the service and the
 * commands refuse to start on it, naming the file, and the workflow refuses such a set of profiles outright.
 */

const dirs = tempDirs('cli-teams-profile');
afterAll(dirs.cleanup);
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

const notts = JSON.parse(
  readFileSync(join(__dirname, '../../src/policy/profiles/nottinghamshire-yjs.json'), 'utf8'),
) as Record<string, unknown>;

async function service(): Promise<string> {
  const data = dirs.make();
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
  return data;
}

it('assigns a loaded custom profile to a team, audited; an unknown one is refused', async () => {
  const data = await service();
  const file = join(dirs.make(), 'wyvern.json');
  writeFileSync(
    file,
    JSON.stringify({ ...notts, id: 'wyvern-yjs', name: 'Wyvern YJS (fictional)', version: '2.1' }),
  );
  process.env.OVERT_PROFILE_FILES = file;
  const r = await runCli('teams', 'set-profile', 'east', 'wyvern-yjs', '--as', 'admin-1', '--data', data);
  expect(r).toEqual({
    code: 0,
    stderr: '',
    stdout: 'team east: profile wyvern-yjs (Wyvern YJS (fictional), version 2.1)\n',
  });
  const opened = await openStore({ dataDir: data, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  try {
    expect((await opened.value.get('team', 'east'))!.record.profileId).toBe('wyvern-yjs');
    expect((await opened.value.audit.list()).at(-1)).toMatchObject({
      action: 'team.profile',
      actor: { id: 'admin-1' },
      details: { from: 'nottinghamshire-yjs', to: 'wyvern-yjs', profileVersion: '2.1' },
    });
  } finally {
    await opened.value.close();
  }
  const unknown = await runCli('teams', 'set-profile', 'east', 'wyvern', '--as', 'admin-1', '--data', data);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('no profile "wyvern"');
  const noTeam = await runCli('teams', 'set-profile', 'west', 'kent-ics', '--as', 'admin-1', '--data', data);
  expect(noTeam.code).toBe(1);
  expect(noTeam.stderr).toContain('no team "west"');
});

it('a custom profile can never take a built-in’s id', async () => {
  const data = await service();
  const file = join(dirs.make(), 'not-notts.json');
  writeFileSync(file, JSON.stringify({ ...notts, name: 'Not Nottinghamshire' }));
  process.env.OVERT_PROFILE_FILES = file;
  const r = await runCli(
    'teams',
    'set-profile',
    'east',
    'nottinghamshire-yjs',
    '--as',
    'admin-1',
    '--data',
    data,
  );
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(
    `${file}: the id "nottinghamshire-yjs" is a built-in profile's; give the custom profile an id of its own`,
  );
  // And the workflow will not be built over such a set.
  const opened = await openStore({ dataDir: dirs.make(), kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  try {
    expect(() =>
      createDeps(opened.value, { customProfiles: [{ ...(notts as object), id: 'kent-ics' } as never] }),
    ).toThrow('a custom profile cannot take the built-in profile id "kent-ics"');
  } finally {
    await opened.value.close();
  }
});

it('--version: the version in force today is given; another is refused saying when each is in force', async () => {
  const data = await service();
  const dir = dirs.make();
  const v1 = join(dir, 'wyvern-1.json');
  const v2 = join(dir, 'wyvern-2.json');
  const wyvern = { ...notts, id: 'wyvern-yjs', name: 'Wyvern YJS (fictional)' };
  writeFileSync(v1, JSON.stringify({ ...wyvern, version: '1', effectiveDate: '2026-01-01' }));
  writeFileSync(v2, JSON.stringify({ ...wyvern, version: '2', effectiveDate: '2099-01-01' }));
  process.env.OVERT_PROFILE_FILES = `${v1},${v2}`;
  const set = (v: string) =>
    runCli('teams', 'set-profile', 'east', 'wyvern-yjs', '--version', v, '--as', 'admin-1', '--data', data);
  const later = await set('2');
  expect(later.code).toBe(1);
  expect(later.stderr).toMatch(
    /version 2 of Wyvern YJS \(fictional\) takes effect on 1 January 2099; today version 1 is in force/,
  );
  const missing = await set('1.1');
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain(
    'has no version "1.1" loaded; the loaded versions are 1 (in force from 1 January 2026), 2 (in force from 1 January 2099)',
  );
  expect(await set('1')).toEqual({
    code: 0,
    stderr: '',
    stdout: 'team east: profile wyvern-yjs (Wyvern YJS (fictional), version 1, held to this version)\n',
  });
});

it('--version holds the team to that version: a later one in force does not judge it, until the profile is given again without one', async () => {
  const data = await service();
  const dir = dirs.make();
  const wyvern = { ...notts, id: 'wyvern-yjs', name: 'Wyvern YJS (fictional)' };
  const v1 = { ...wyvern, version: '1', effectiveDate: '2025-01-01' };
  const v2 = { ...wyvern, version: '2', effectiveDate: '2026-01-01' };
  const files = [join(dir, 'wyvern-1.json'), join(dir, 'wyvern-2.json')] as const;
  writeFileSync(files[0], JSON.stringify(v1));
  writeFileSync(files[1], JSON.stringify(v2));
  process.env.OVERT_PROFILE_FILES = files.join(',');
  const set = (...version: string[]) =>
    runCli('teams', 'set-profile', 'east', 'wyvern-yjs', ...version, '--as', 'admin-1', '--data', data);
  // Version 1 was replaced by version 2 a year ago: the team is held to it all the same.
  expect((await set('--version', '1')).stdout).toBe(
    'team east: profile wyvern-yjs (Wyvern YJS (fictional), version 1, held to this version)\n',
  );
  const judgedBy = async () => {
    const opened = await openStore({ dataDir: data, kind: 'sqlite' });
    if (!opened.ok) throw new Error(opened.error.message);
    try {
      const deps = createDeps(opened.value, {
        customProfiles: [v1, v2].map((p) => {
          const parsed = parseProfile(p, 'wyvern');
          if (!parsed.ok) throw new Error(parsed.error.message);
          return parsed.value;
        }),
      });
      const tp = await teamProfile(deps, 'east');
      if (!tp.ok) throw new Error(tp.error.message);
      const [event] = (await opened.value.audit.list()).filter((e) => e.action === 'team.profile').slice(-1);
      return { version: tp.value.profile.version, held: tp.value.team.profileVersion, event: event?.details };
    } finally {
      await opened.value.close();
    }
  };
  expect(await judgedBy()).toEqual({
    version: '1',
    held: '1',
    event: expect.objectContaining({ profileVersion: '1', heldToVersion: true }),
  });
  // Renaming the team keeps it held.
  const renamed = await runCli(
    'teams',
    'add',
    'east',
    '--name',
    'East Renamed (fictional)',
    '--profile',
    'wyvern-yjs',
    '--as',
    'admin-1',
    '--data',
    data,
  );
  expect(renamed.code).toBe(0);
  expect((await judgedBy()).version).toBe('1');
  // Given the profile again without a version: judged by the version in force, version 2.
  expect((await set()).stdout).toBe('team east: profile wyvern-yjs (Wyvern YJS (fictional), version 2)\n');
  expect(await judgedBy()).toEqual({
    version: '2',
    held: undefined,
    event: expect.objectContaining({ profileVersion: '2', heldToVersion: false }),
  });
});

it('a team id with a space is refused in plain words by overt teams add and by the API alike, nothing written', async () => {
  const data = await service();
  const r = await runCli(
    'teams',
    'add',
    'east team',
    '--name',
    'East Team (fictional)',
    '--as',
    'admin-1',
    '--data',
    data,
  );
  expect(r).toEqual({
    code: 1,
    stdout: '',
    stderr:
      'overt: team east team: a team id is one word of letters, digits and hyphens, such as east or east-youth-justice, with no spaces\n',
  });
  const opened = await openStore({ dataDir: data, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  const deps = createDeps(opened.value);
  expect((await opened.value.query('team', {})).map((t) => t.record.id)).toEqual(['east']);
  // The same rule in the workflow, whatever calls it (the API's PUT /api/v1/teams/:teamId too).
  const api = await upsertTeam(deps, {
    key: 'test-team-space',
    actorId: 'admin-1',
    team: { id: 'west side', name: 'West (fictional)' },
  });
  expect(api).toMatchObject({
    ok: false,
    error: { code: 'INVALID_INPUT', field: 'team.id', message: expect.stringContaining('with no spaces') },
  });
  await opened.value.close();
});

it('only an administrator gives a team its profile: a service manager is refused, and the refusal is audited', async () => {
  const data = await service();
  const opened = await openGuarded({ dataDir: data, kind: 'sqlite' }, process.env, { create: false });
  if (!opened.ok) throw new Error(opened.error.message);
  must(
    await upsertStaff(createDeps(opened.value.store), {
      key: 'test-sm-staff',
      actorId: 'admin-1',
      staff: { id: 'sm-1', name: 'Sam Manager (fictional)', role: 'service-manager', teamIds: ['east'] },
    }),
  );
  await opened.value.store.close();
  const r = await runCli('teams', 'set-profile', 'east', 'kent-ics', '--as', 'sm-1', '--data', data);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('only an administrator can give a team its policy profile');
  const after = await openStore({ dataDir: data, kind: 'sqlite' });
  if (!after.ok) throw new Error(after.error.message);
  try {
    expect((await after.value.get('team', 'east'))!.record.profileId).toBe('nottinghamshire-yjs');
    expect((await after.value.audit.list()).at(-1)).toMatchObject({
      action: 'team.profile',
      actor: { id: 'sm-1' },
      outcome: 'refuse',
    });
  } finally {
    await after.value.close();
  }
});
