// The local Graph server's Entra ID directory (/users, /groups and their members), through the real Graph
// client and through Overt's directory reader (src/cli/directory.ts): as strict as Graph about the app's
// permissions, group ids, $select, $top and paging, so `overt staff add --user/--group` meets what it will meet.
import { directoryOver } from '../../src/cli/directory';
import { startGraphServer, type GraphServer } from '../../tools/graph-local/server';
import { graphClient, graphErrorOf } from './harness';

const oid = (n: number) => `0d6f${String(n).padStart(4, '0')}-2b3c-4d5e-8f60-7a8b9c0d1e2f`;
const GROUP = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const INNER = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
const BIG = 'c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f';
const users = Array.from({ length: 250 }, (_, i) => ({
  id: oid(i),
  displayName: `Person ${i} (fictional)`,
  userPrincipalName: `person${i}@wyverncouncil.test`,
  mail: `person${i}@wyverncouncil.test`,
}));
const directory = {
  users,
  groups: [
    { id: GROUP, displayName: 'East case managers', members: [oid(0), oid(1), INNER] },
    { id: INNER, displayName: 'East duty desk', members: [oid(2), oid(0)] },
    { id: BIG, displayName: 'All staff', members: users.map((u) => u.id) },
  ],
};

const servers: GraphServer[] = [];
const serverWith = async (appPermissions?: string[]) => {
  const s = await startGraphServer({ directory, ...(appPermissions ? { appPermissions } : {}) });
  servers.push(s);
  return s;
};
afterAll(() => Promise.all(servers.map((s) => s.stop())));

describe('with the permissions Overt asks for (User.Read.All, GroupMember.Read.All)', () => {
  let server: GraphServer;
  beforeAll(async () => {
    server = await serverWith();
  });

  it('finds a user by object id or sign-in name, and names one that does not exist', async () => {
    const d = directoryOver(graphClient(server));
    expect(await d.user(oid(3))).toMatchObject({ ok: true, value: { displayName: 'Person 3 (fictional)' } });
    expect(await d.user('PERSON3@wyverncouncil.test')).toMatchObject({ ok: true, value: { id: oid(3) } });
    expect(await d.user('nobody@wyverncouncil.test')).toEqual({
      ok: false,
      message: 'user nobody@wyverncouncil.test: no such account in Entra ID',
    });
  });

  it("reads a group's users with its nested groups', each once, across pages", async () => {
    const d = directoryOver(graphClient(server));
    const east = await d.groupUsers(GROUP);
    expect(east.ok && east.value.users.map((u) => u.id).sort()).toEqual([oid(0), oid(1), oid(2)].sort());
    const all = await d.groupUsers(BIG);
    expect(all.ok && all.value.users).toHaveLength(250);
  });

  it('pages a member list by $top with an opaque $skiptoken (default 100, at most 999)', async () => {
    const c = graphClient(server);
    const first = await c.api(`/groups/${BIG}/members`).get();
    expect(first.value).toHaveLength(100);
    expect(first['@odata.nextLink']).toMatch(/\$skiptoken=/);
    const second = await c.api(first['@odata.nextLink']).get();
    expect(second.value[0].id).toBe(oid(100));
    const top = await c.api(`/groups/${BIG}/members`).top(999).get();
    expect(top.value).toHaveLength(250);
    expect(top['@odata.nextLink']).toBeUndefined();
    const tooMany = await graphErrorOf(c.api(`/groups/${BIG}/members`).top(1000).get());
    expect(tooMany).toMatchObject({ statusCode: 400, code: 'Request_BadRequest' });
  });

  it('members are typed; the user cast keeps users only; $select of an unknown property is refused', async () => {
    const c = graphClient(server);
    const members = await c.api(`/groups/${GROUP}/members`).get();
    expect(members.value.map((m: { '@odata.type': string }) => m['@odata.type'])).toEqual([
      '#microsoft.graph.user',
      '#microsoft.graph.user',
      '#microsoft.graph.group',
    ]);
    const cast = await c.api(`/groups/${GROUP}/transitiveMembers/microsoft.graph.user`).get();
    expect(cast.value).toHaveLength(3);
    const unknown = await graphErrorOf(
      c
        .api(`/users/${oid(1)}`)
        .select('id,officeLocaton')
        .get(),
    );
    expect(unknown).toMatchObject({ statusCode: 400, code: 'Request_BadRequest' });
    expect(unknown.message).toMatch(/Could not find a property named 'officeLocaton'/);
  });

  it('a group id that is not an object id is a 400, and the reader says what to give', async () => {
    const c = graphClient(server);
    expect(await graphErrorOf(c.api('/groups/east-team').get())).toMatchObject({
      statusCode: 400,
      code: 'Request_BadRequest',
    });
    expect(await directoryOver(c).groupUsers('east-team')).toEqual({
      ok: false,
      message: "group east-team: not an object id; give the group's object id (a GUID, as Entra ID shows it)",
    });
    expect(await directoryOver(c).groupUsers('d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/no such account in Entra ID/),
    });
  });
});

describe('without them', () => {
  it('with no permission to read users: /users is 403, and a group gives its users with only their ids', async () => {
    const server = await serverWith(['Sites.Selected', 'GroupMember.Read.All']);
    const c = graphClient(server);
    expect(await graphErrorOf(c.api(`/users/${oid(1)}`).get())).toMatchObject({
      statusCode: 403,
      code: 'Authorization_RequestDenied',
    });
    const members = await c.api(`/groups/${GROUP}/members`).get();
    expect(members.value[0]).toEqual({ '@odata.type': '#microsoft.graph.user', id: oid(0) });
    const d = directoryOver(c);
    expect(await d.user(oid(1))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/Graph refused .*needs the User.Read.All and GroupMember.Read.All/),
    });
    // Never a group of nobody: the members it could not read are named as the missing permission.
    expect(await d.groupUsers(GROUP)).toEqual({
      ok: false,
      message: `group ${GROUP}: Graph gave its members without their names; the app registration needs the User.Read.All application permission, with admin consent`,
    });
  });

  it('with no permission to read groups: /groups and their members are 403', async () => {
    const server = await serverWith(['Sites.Selected', 'User.Read.All']);
    const c = graphClient(server);
    for (const path of [`/groups/${GROUP}`, `/groups/${GROUP}/members`, `/groups/${GROUP}/transitiveMembers`])
      expect(await graphErrorOf(c.api(path).get())).toMatchObject({
        statusCode: 403,
        code: 'Authorization_RequestDenied',
      });
    expect(await directoryOver(c).groupUsers(GROUP)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/Graph refused/),
    });
    // Directory.Read.All reads both.
    const broad = directoryOver(graphClient(await serverWith(['Directory.Read.All'])));
    expect((await broad.groupUsers(GROUP)).ok).toBe(true);
    expect((await broad.user(oid(0))).ok).toBe(true);
  });
});
