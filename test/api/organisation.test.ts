import { CASE_LIST_MAX_BYTES, caseListTooLarge } from '../../src/vocabulary/case-list';
import { startApi, type Api } from './harness';

/**
 * issue 19: the administrator's teams, staff, policy profiles and case list over HTTP — each change a workflow
 * command with its audit event; bad input a 4xx naming the field, with nothing written but the refusal's event;
 * the case list checked row by row before anything is imported.
 */

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const events = () => api.w.store.audit.list();
const last = async () => (await events()).at(-1)!;
const team = async (id: string) => (await api.w.store.get('team', id))?.record;
const json = async <T>(res: Response) => (await res.json()) as T;

describe('the organisation', () => {
  it('lists every profile a team may be given, and each team’s', async () => {
    const res = await api.get('/api/v1/organisation', 'admin');
    expect(res.status).toBe(200);
    const o = await json<{
      profiles: { id: string; builtIn: boolean; version: string }[];
      teams: { id: string; profileId: string }[];
    }>(res);
    expect(o.profiles.map((p) => p.id)).toEqual(
      expect.arrayContaining(['nottinghamshire-yjs', 'camden-cfs', 'kent-ics']),
    );
    expect(o.profiles.every((p) => p.builtIn && p.version)).toBe(true);
    expect(o.teams.find((t) => t.id === 'notts')).toMatchObject({ profileId: 'nottinghamshire-yjs' });
  });
});

describe('a team’s policy profile', () => {
  it('is assigned by the administrator, audited with the profile moved from and to', async () => {
    const res = await api.send('PUT', '/api/v1/teams/west/profile', { profileId: 'kent-ics' }, 'admin');
    expect(res.status).toBe(200);
    expect((await team('west'))!.profileId).toBe('kent-ics');
    expect(await last()).toMatchObject({
      action: 'team.profile',
      actor: { id: 'admin' },
      target: { kind: 'team', id: 'west' },
      outcome: 'recorded',
      details: { from: 'westgate-youth-project', to: 'kent-ics', profileVersion: expect.any(String) },
    });
  });

  it('an unknown profile is a 400 naming the field; the team is unchanged and the refusal audited', async () => {
    const before = await team('camden');
    const res = await api.send('PUT', '/api/v1/teams/camden/profile', { profileId: 'wyvern' }, 'admin');
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({
      field: 'profileId',
      detail: expect.stringMatching(/no profile "wyvern"/),
    });
    expect(await team('camden')).toEqual(before);
    expect(await last()).toMatchObject({ action: 'team.profile', outcome: 'refuse' });
  });

  it('no team: 404; not the administrator: 403, audited', async () => {
    expect(
      (await api.send('PUT', '/api/v1/teams/nowhere/profile', { profileId: 'kent-ics' }, 'admin')).status,
    ).toBe(404);
    const res = await api.send('PUT', '/api/v1/teams/notts/profile', { profileId: 'kent-ics' }, 'sm');
    expect(res.status).toBe(403);
    expect((await team('notts'))!.profileId).toBe('nottinghamshire-yjs');
    expect(await last()).toMatchObject({ actor: { id: 'sm' }, outcome: 'refuse' });
  });
});

describe('teams', () => {
  it('a new team is made with the default profile and its managers; renaming keeps its profile', async () => {
    const made = await api.send(
      'PUT',
      '/api/v1/teams/east',
      { name: 'East (demo)', managerIds: ['tm-notts'] },
      'admin',
    );
    expect(made.status).toBe(200);
    expect(await team('east')).toMatchObject({
      name: 'East (demo)',
      managerIds: ['tm-notts'],
      profileId: 'nottinghamshire-yjs',
    });
    expect(await last()).toMatchObject({
      action: 'team.upsert',
      target: { id: 'east' },
      outcome: 'recorded',
    });
    await api.send('PUT', '/api/v1/teams/east/profile', { profileId: 'camden-cfs' }, 'admin');
    const renamed = await api.send(
      'PUT',
      '/api/v1/teams/east',
      { name: 'East Youth Justice (demo)' },
      'admin',
    );
    expect(renamed.status).toBe(200);
    expect(await team('east')).toMatchObject({
      name: 'East Youth Justice (demo)',
      managerIds: [],
      profileId: 'camden-cfs',
    });
  });

  it('a team id with a space is a 400 saying a team id is one word, nothing written, audited', async () => {
    const res = await api.send('PUT', '/api/v1/teams/west%20side', { name: 'West side (demo)' }, 'admin');
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({
      detail: expect.stringContaining(
        'a team id is one word of letters, digits and hyphens, such as east or east-youth-justice, with no spaces',
      ),
    });
    expect(await team('west side')).toBeUndefined();
    expect(await last()).toMatchObject({ outcome: 'refuse' });
  });

  it('a manager who is not staff, or a blank name, is a 400 naming the field', async () => {
    const nobody = await api.send(
      'PUT',
      '/api/v1/teams/east',
      { name: 'East', managerIds: ['ghost'] },
      'admin',
    );
    expect(nobody.status).toBe(400);
    expect(await json(nobody)).toMatchObject({ field: 'managerIds' });
    const blank = await api.send('PUT', '/api/v1/teams/east', { name: '  ' }, 'admin');
    expect(blank.status).toBe(400);
    expect(await json(blank)).toMatchObject({ field: 'name' });
    expect((await team('east'))!.name).toBe('East Youth Justice (demo)');
  });
});

describe('staff', () => {
  it('a role and teams are changed, audited', async () => {
    const res = await api.send(
      'PUT',
      '/api/v1/staff/cm2-kent',
      { role: 'team-manager', teamIds: ['kent', 'notts'] },
      'admin',
    );
    expect(res.status).toBe(200);
    expect((await api.w.store.get('staff', 'cm2-kent'))!.record).toMatchObject({
      name: 'cm2-kent (demo)',
      role: 'team-manager',
      teamIds: ['kent', 'notts'],
    });
    expect(await last()).toMatchObject({
      action: 'staff.upsert',
      target: { id: 'cm2-kent' },
      details: { role: 'team-manager', teamIds: ['kent', 'notts'] },
    });
  });

  it('an unknown role or team, someone not on record, or the administrator’s own role: refused, nothing written', async () => {
    const role = await api.send('PUT', '/api/v1/staff/cm-kent', { role: 'boss', teamIds: [] }, 'admin');
    expect(role.status).toBe(400);
    expect(await json(role)).toMatchObject({ field: 'role' });
    const teams = await api.send(
      'PUT',
      '/api/v1/staff/cm-kent',
      { role: 'case-manager', teamIds: ['mars'] },
      'admin',
    );
    expect(await json(teams)).toMatchObject({ status: 400, field: 'teamIds' });
    expect((await api.send('PUT', '/api/v1/staff/ghost', { role: 'case-manager' }, 'admin')).status).toBe(
      404,
    );
    const self = await api.send('PUT', '/api/v1/staff/admin', { role: 'case-manager' }, 'admin');
    expect(await json(self)).toMatchObject({ status: 400, field: 'role' });
    expect((await api.w.store.get('staff', 'admin'))!.record.role).toBe('administrator');
    expect((await api.w.store.get('staff', 'cm-kent'))!.record).toMatchObject({
      role: 'case-manager',
      teamIds: ['kent'],
    });
  });
});

describe('the case list', () => {
  const csv = (rows: string[]) => ['Case reference,Name,Team,Worker', ...rows].join('\n');
  const good = ['KENT-9,E.F. (demo),kent,cm-kent', 'KENT-10,G.H. (demo),Team kent (demo),cm-kent'];
  const children = async () => (await api.w.store.count('child'))[0]?.count ?? 0;

  it('is previewed row by row with problems in plain words, writing nothing', async () => {
    const before = { children: await children(), events: (await events()).length };
    const res = await api.send(
      'POST',
      '/api/v1/children/import/preview',
      { csv: csv([...good, 'CASE-NOTTS-1,A.B. (demo),north,cm-kent', ',,kent,cm-kent']) },
      'admin',
    );
    expect(res.status).toBe(200);
    const plan = await json<{
      rows: { line: number; action: string | null; problems: string[] }[];
      bad: number;
    }>(res);
    expect(plan.bad).toBe(2);
    expect(plan.rows).toEqual([
      expect.objectContaining({
        line: 2,
        caseRef: 'KENT-9',
        team: 'Team kent (demo)',
        worker: 'cm-kent (demo)',
        action: 'add',
        problems: [],
      }),
      expect.objectContaining({ line: 3, action: 'add' }),
      expect.objectContaining({ line: 4, action: null, problems: ['no team "north"'] }),
      expect.objectContaining({
        line: 5,
        action: null,
        problems: ['no case reference', 'no name or initials'],
      }),
    ]);
    expect({ children: await children(), events: (await events()).length }).toEqual(before);
  });

  it('with a bad row is refused whole, each bad line named, audited; fixed, it is imported', async () => {
    const before = await children();
    const bad = await api.send(
      'POST',
      '/api/v1/children/import',
      { csv: csv([...good, 'KENT-11,I.J. (demo),kent,cm-notts']) },
      'admin',
    );
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({
      field: 'csv',
      detail: expect.stringContaining('line 4: cm-notts (demo) is not in team Team kent (demo)'),
    });
    expect(await children()).toBe(before);
    expect(await last()).toMatchObject({
      action: 'caselist.import',
      outcome: 'refuse',
      actor: { id: 'admin' },
    });

    const done = await api.send('POST', '/api/v1/children/import', { csv: csv(good) }, 'admin');
    expect(done.status).toBe(200);
    expect(await json(done)).toEqual({ created: 2, updated: 0, unchanged: 0, parts: 1 });
    expect(await children()).toBe(before + 2);
    expect(await last()).toMatchObject({
      action: 'caselist.import',
      outcome: 'recorded',
      details: { created: 2 },
    });
  });

  it('over its bound: refused in the words the tab and the CLI use (vocabulary/case-list.ts), audited; not the administrator: 403', async () => {
    const big = csv(Array.from({ length: 30_000 }, (_, i) => `BIG-${i},A.B. (demo),kent,cm-kent`));
    expect(big.length).toBeGreaterThan(CASE_LIST_MAX_BYTES);
    const before = await children();
    // Within the request's limit: read, and refused by the workflow with the file's own size.
    const res = await api.send('POST', '/api/v1/children/import', { csv: big }, 'admin');
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ field: 'csv', detail: `csv: ${caseListTooLarge(big.length)}` });
    expect(await last()).toMatchObject({ action: 'caselist.import', outcome: 'refuse' });
    // A 13 MB file: refused before it is read, in the same words (its size as the request gave it).
    const huge = csv(Array.from({ length: 330_000 }, (_, i) => `HUGE-${i},A.B. (demo),kent,cm-kent`));
    const refused = await api.send('POST', '/api/v1/children/import/preview', { csv: huge }, 'admin');
    expect(refused.status).toBe(413);
    const { detail } = await json<{ detail: string }>(refused);
    expect(detail).toBe(caseListTooLarge(Buffer.byteLength(JSON.stringify({ csv: huge })), true));
    expect(detail).toMatch(/^the file is about 12\.4 MB, and a case list can be at most 1 MB: split it /);
    expect(await last()).toMatchObject({ outcome: 'refuse' });
    expect(await children()).toBe(before);
    expect((await api.send('POST', '/api/v1/children/import', { csv: csv(good) }, 'sm')).status).toBe(403);
  });

  it('a badly quoted case list: the line and the field in words, not the CSV reader’s message', async () => {
    for (const [row, words] of [
      ['KENT-20,Jo "JJ" B. (demo),kent,cm-kent', 'line 2: a quote opens inside the name field: '],
      ['KENT-20,"Jo" B. (demo),kent,cm-kent', 'line 2: the name field goes on after its closing quote: '],
      ['KENT-20,"J.B. (demo),kent,cm-kent', 'a quote opened in the name field is never closed'],
      ['KENT-20,Jo, B. (demo),kent,cm-kent', 'line 2: the row has 5 fields and the header 4: '],
    ])
      for (const path of ['/api/v1/children/import/preview', '/api/v1/children/import']) {
        const res = await api.send('POST', path, { csv: csv([row!]) }, 'admin');
        expect({ row, path, status: res.status }).toEqual({ row, path, status: 400 });
        const { detail } = await json<{ detail: string }>(res);
        expect({ row, detail }).toEqual({ row, detail: expect.stringContaining(`csv: ${words}`) });
        expect(detail).not.toMatch(/Invalid|Quote Not Closed|non trimable/);
      }
  });
});
