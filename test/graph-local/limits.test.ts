import { graphConfig } from '../../src/store/graph/config';
import { MAX_BODY_BYTES } from '../../tools/graph-local/server';
import { createList, graphErrorOf, startHarness, type Harness } from './harness';

/** issue 16: the local server as strict as SharePoint on dates, multi-line text and request size; its
 * printed URL usable as --graph-url. */
let h: Harness;
let items: string;
beforeAll(async () => {
  h = await startHarness();
  const listId = await createList(h, 'Limits', [
    { name: 'Due', dateTime: { format: 'dateTime' } },
    { name: 'Notes', text: { allowMultipleLines: true } },
  ]);
  items = `/sites/${h.siteId}/lists/${listId}/items`;
});
afterAll(() => h.server.stop());

it('keeps dates only from 1900 to 8900', async () => {
  for (const bad of ['1899-12-31T23:59:59Z', '8901-01-01T00:00:00Z']) {
    const e = await graphErrorOf(h.client.api(items).post({ fields: { Due: bad } }));
    expect([e.statusCode, e.message]).toEqual([
      400,
      expect.stringMatching(/between 1\/1\/1900 and 12\/31\/8900/),
    ]);
  }
  for (const good of ['1900-01-01T00:00:00Z', '8900-12-31T00:00:00Z'])
    expect((await h.client.api(items).post({ fields: { Due: good } })).fields.Due).toBe(good);
});

it('refuses multi-line text over 63,999 characters', async () => {
  const e = await graphErrorOf(h.client.api(items).post({ fields: { Notes: 'x'.repeat(64_000) } }));
  expect([e.statusCode, e.message]).toEqual([400, expect.stringMatching(/maximum length of 63999/)]);
  expect(
    (await h.client.api(items).post({ fields: { Notes: 'x'.repeat(63_999) } })).fields.Notes,
  ).toHaveLength(63_999);
});

it('refuses a request body over 4 MB, a $batch too', async () => {
  const requests = Array.from({ length: 20 }, (_, i) => ({
    id: String(i + 1),
    method: 'POST',
    url: items.slice(1),
    headers: { 'Content-Type': 'application/json' },
    body: { fields: { Notes: 'y'.repeat(Math.ceil(MAX_BODY_BYTES / 20)) } },
  }));
  const e = await graphErrorOf(h.client.api('/$batch').post({ requests }));
  expect(e.statusCode).toBe(413);
});

it('prints a URL that works as --graph-url, with or without /v1.0', () => {
  for (const url of [h.server.url, `${h.server.url}/v1.0`, `${h.server.url}/v1.0/`]) {
    const c = graphConfig(
      { OVERT_GRAPH_SITE: 'https://contoso.sharepoint.com/sites/overt' },
      { graphUrl: url },
    );
    expect(c.ok && c.value.graphUrl).toBe(h.server.url);
  }
});
