import { Client } from '@microsoft/microsoft-graph-client';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { OTHER_SITE, SITE, createList, graphErrorOf, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.server.stop());

describe('sites', () => {
  it('resolves host:/path to a 3-part site id {hostname},{guid},{guid}', async () => {
    const site = await h.client.api(`/sites/${SITE}`).get();
    expect(site.id).toMatch(/^contoso\.sharepoint\.com,[0-9a-f-]{36},[0-9a-f-]{36}$/);
    expect(site.webUrl).toBe('https://contoso.sharepoint.com/sites/overt');
    expect((await h.client.api(`/sites/${site.id}`).get()).id).toBe(site.id);
  });

  it('answers 403 accessDenied for a site without a grant, and 404 for no such site', async () => {
    const denied = await graphErrorOf(h.client.api(`/sites/${OTHER_SITE}`).get());
    expect([denied.statusCode, denied.code]).toEqual([403, 'accessDenied']);
    const missing = await graphErrorOf(h.client.api('/sites/contoso.sharepoint.com:/sites/nope').get());
    expect([missing.statusCode, missing.code]).toEqual([404, 'itemNotFound']);
  });

  it('needs the bearer token the SDK only sends to hosts in customHosts', async () => {
    const noToken = Client.init({
      baseUrl: `${h.server.url}/`,
      fetchOptions: { dispatcher: new Agent({ connect: { ca: h.server.ca } }) } as never,
      authProvider: (done) => done(null, 'local-test-token'),
    });
    const e = await graphErrorOf(noToken.api(`/sites/${SITE}`).get());
    expect([e.statusCode, e.code]).toEqual([401, 'InvalidAuthenticationToken']);
  });
});

describe('lists and columns', () => {
  it('creates a list with typed columns and returns the column definitions', async () => {
    const listId = await createList(h, 'Requests', [
      { name: 'Sku', text: {}, indexed: true, enforceUniqueValues: true },
      { name: 'Qty', number: {} },
      { name: 'Due', dateTime: { format: 'dateTime' } },
      { name: 'Done', boolean: {} },
      { name: 'Stage', choice: { choices: ['open', 'closed'] } },
      { name: 'Owner', personOrGroup: {} },
    ]);
    const columns = (await h.client.api(`/sites/${h.siteId}/lists/${listId}/columns`).get()).value as Record<
      string,
      unknown
    >[];
    const byName = Object.fromEntries(columns.map((c) => [c.name, c]));
    expect(Object.keys(byName)).toEqual(['Title', 'Sku', 'Qty', 'Due', 'Done', 'Stage', 'Owner']);
    expect(byName.Sku).toMatchObject({ indexed: true, enforceUniqueValues: true, text: {} });
    expect(byName.Qty).toMatchObject({ indexed: false, number: {} });
    expect(byName.Stage).toMatchObject({ choice: { choices: ['open', 'closed'] } });

    const added = await h.client
      .api(`/sites/${h.siteId}/lists/${listId}/columns`)
      .post({ name: 'Parent', lookup: { listId, columnName: 'Title' }, indexed: true });
    expect(added).toMatchObject({ name: 'Parent', indexed: true, lookup: { listId, columnName: 'Title' } });

    const byTitle = await h.client.api(`/sites/${h.siteId}/lists/Requests`).get();
    expect(byTitle).toMatchObject({ id: listId, displayName: 'Requests', list: { template: 'genericList' } });
  });

  it('rejects a column with two type facets or none (400 invalidRequest)', async () => {
    const listId = await createList(h, 'Bad columns', []);
    for (const body of [{ name: 'X', text: {}, number: {} }, { name: 'Y' }]) {
      const e = await graphErrorOf(h.client.api(`/sites/${h.siteId}/lists/${listId}/columns`).post(body));
      expect([e.statusCode, e.code]).toEqual([400, 'invalidRequest']);
    }
  });

  it('refuses a second list with the same name (409 nameAlreadyExists)', async () => {
    await createList(h, 'Twice', []);
    const e = await graphErrorOf(createList(h, 'Twice', []));
    expect([e.statusCode, e.code]).toEqual([409, 'nameAlreadyExists']);
  });
});

describe('snapshot', () => {
  it('writes state at stop and loads it at the next start', async () => {
    const path = join(tmpdir(), `graph-local-${process.pid}.json`);
    const first = await startHarness({ snapshotPath: path });
    const listId = await createList(first, 'Kept', []);
    await first.client
      .api(`/sites/${first.siteId}/lists/${listId}/items`)
      .post({ fields: { Title: 'still here' } });
    await first.server.stop();
    const second = await startHarness({ snapshotPath: path });
    const item = await second.client.api(`/sites/${second.siteId}/lists/Kept/items/1`).expand('fields').get();
    expect(item.fields.Title).toBe('still here');
    await second.server.stop();
    rmSync(path);
  });
});
