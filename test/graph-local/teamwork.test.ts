// The local Graph server's Teams app installation endpoints, through the real Graph client: as strict as the
// documented service (teamwork.ts), so the bot's installer (src/bot/install.ts) is tested against the shapes
// it will meet.
import { startGraphServer, type GraphServer } from '../../tools/graph-local/server';
import { graphClient, graphErrorOf } from './harness';

let server: GraphServer;
const APP = 'manifest-id-1';
beforeAll(async () => {
  server = await startGraphServer({
    directory: {
      users: ['u1', 'u2', 'u3'].map((id) => ({
        id,
        displayName: id,
        userPrincipalName: `${id}@demo.example`,
      })),
    },
    teamwork: {
      apps: [{ id: 'cat-1', externalId: APP, displayName: 'Overt', botId: '28:bot' }],
      blockedUsers: ['u3'],
    },
  });
});
afterAll(() => server.stop());
const bind = (id: string) => ({
  'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${id}`,
});

it('finds the app in the catalog by its manifest id, installs it for a user (201, no body), lists it by manifest id and gives the one-to-one chat', async () => {
  const c = graphClient(server);
  const apps = await c.api('/appCatalogs/teamsApps').filter(`externalId eq '${APP}'`).get();
  expect(apps.value).toEqual([expect.objectContaining({ id: 'cat-1', externalId: APP })]);
  await c.api('/users/u1/teamwork/installedApps').post(bind('cat-1'));
  const found = await c
    .api('/users/u1/teamwork/installedApps')
    .expand('teamsApp')
    .filter(`teamsApp/externalId eq '${APP}'`)
    .get();
  expect(found.value).toHaveLength(1);
  expect(found.value[0].teamsApp).toMatchObject({ id: 'cat-1', externalId: APP });
  const chat = await c.api(`/users/u1/teamwork/installedApps/${found.value[0].id}/chat`).get();
  expect(chat.id).toBe('19:u1_28:bot@unq.gbl.spaces');
});

it('refuses what the service refuses: a second install (409), an app blocked by policy (403), an unknown user or app (404), a body without the binding or a filter it does not serve (400)', async () => {
  const c = graphClient(server);
  await c.api('/users/u2/teamwork/installedApps').post(bind('cat-1'));
  expect((await graphErrorOf(c.api('/users/u2/teamwork/installedApps').post(bind('cat-1')))).statusCode).toBe(
    409,
  );
  expect((await graphErrorOf(c.api('/users/u3/teamwork/installedApps').post(bind('cat-1')))).statusCode).toBe(
    403,
  );
  expect(
    (await graphErrorOf(c.api('/users/nobody/teamwork/installedApps').post(bind('cat-1')))).statusCode,
  ).toBe(404);
  expect((await graphErrorOf(c.api('/users/u1/teamwork/installedApps').post(bind('cat-9')))).statusCode).toBe(
    404,
  );
  expect(
    (await graphErrorOf(c.api('/users/u1/teamwork/installedApps').post({ teamsApp: 'cat-1' }))).statusCode,
  ).toBe(400);
  expect(
    (await graphErrorOf(c.api('/users/u1/teamwork/installedApps').filter("startswith(id,'a')").get()))
      .statusCode,
  ).toBe(400);
  expect((await graphErrorOf(c.api('/users/u1/teamwork/installedApps/nope/chat').get())).statusCode).toBe(
    404,
  );
});
