import { createList, graphErrorOf, startHarness, type Harness } from './harness';

let h: Harness;
let items: string;
beforeAll(async () => {
  h = await startHarness();
  const listId = await createList(h, 'Requests', [
    { name: 'Sku', text: {}, enforceUniqueValues: true, indexed: true },
    { name: 'Qty', number: {} },
    { name: 'Due', dateTime: { format: 'dateTime' } },
    { name: 'Done', boolean: {} },
    { name: 'Stage', choice: { choices: ['open', 'closed'] } },
    { name: 'Notes', text: { allowMultipleLines: true } },
  ]);
  await h.client
    .api(`/sites/${h.siteId}/lists/${listId}/columns`)
    .post({ name: 'Parent', lookup: { listId, columnName: 'Title' } });
  items = `/sites/${h.siteId}/lists/${listId}/items`;
  h.server.resetStats();
});
afterAll(() => h.server.stop());

const ETAG = /^"\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\},(\d+)"$/;

describe('items', () => {
  it('creates with 201 and returns Graph field shapes', async () => {
    const created = await h.client.api(items).post({
      fields: {
        Title: 'Widget',
        Sku: 'W-1',
        Qty: '3',
        Due: '2024-01-31T09:00:00+01:00',
        Done: false,
        Stage: 'open',
        Notes: '',
      },
    });
    expect(h.server.stats.byStatus['201']).toBe(1);
    expect(created.id).toBe('1');
    expect(created.eTag).toMatch(ETAG);
    expect(created['@odata.etag']).toBe(created.eTag);
    expect(created.fields).toMatchObject({
      '@odata.etag': created.eTag,
      Title: 'Widget',
      Sku: 'W-1',
      Qty: 3, // a number, even when written as a string
      Due: '2024-01-31T08:00:00Z', // UTC, no milliseconds
      Done: false, // false is a value, kept
      Stage: 'open',
      id: '1',
      ContentType: 'Item',
    });
    expect(created.fields).not.toHaveProperty('Notes'); // empty fields are omitted
    expect(created.fields.Created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const child = await h.client
      .api(items)
      .post({ fields: { Title: 'Bolt', Sku: 'B-1', ParentLookupId: 1 } });
    expect(child.fields.ParentLookupId).toBe('1'); // lookups come back as XLookupId, a string
    expect(child.fields).not.toHaveProperty('Parent');
  });

  it('gets one item, with fields only when expanded and only the selected ones', async () => {
    const bare = await h.client.api(`${items}/1`).get();
    expect(bare).not.toHaveProperty('fields');
    const some = await h.client.api(`${items}/1`).expand('fields(select=Title,Qty)').get();
    expect(some.fields).toEqual({ '@odata.etag': some.eTag, Title: 'Widget', Qty: 3 });
    const missing = await graphErrorOf(h.client.api(`${items}/999`).get());
    expect([missing.statusCode, missing.code]).toEqual([404, 'itemNotFound']);
  });

  it('PATCH …/fields returns 200 and the whole fieldValueSet, leaves other fields alone and bumps the eTag', async () => {
    const before = await h.client.api(`${items}/1`).get();
    const updated = await h.client.api(`${items}/1/fields`).patch({ Qty: 4, Stage: null });
    expect(updated).toMatchObject({ Title: 'Widget', Sku: 'W-1', Qty: 4, Done: false });
    expect(updated).not.toHaveProperty('Stage');
    const v0 = Number(ETAG.exec(before.eTag)![1]);
    expect(Number(ETAG.exec(updated['@odata.etag'])![1])).toBe(v0 + 1);
    expect((await h.client.api(`${items}/1`).get()).eTag).toBe(updated['@odata.etag']);
  });

  it('refuses a stale If-Match with 412 and changes nothing; a current one succeeds', async () => {
    const current = (await h.client.api(`${items}/1`).get()).eTag as string;
    await h.client.api(`${items}/1/fields`).patch({ Qty: 5 });
    const stale = await graphErrorOf(
      h.client.api(`${items}/1/fields`).header('If-Match', current).patch({ Qty: 99 }),
    );
    expect(stale.statusCode).toBe(412);
    const after = await h.client.api(`${items}/1`).expand('fields').get();
    expect(after.fields.Qty).toBe(5);
    const ok = await h.client.api(`${items}/1/fields`).header('If-Match', after.eTag).patch({ Qty: 6 });
    expect(ok.Qty).toBe(6);
    const staleDelete = await graphErrorOf(h.client.api(`${items}/1`).header('If-Match', current).delete());
    expect(staleDelete.statusCode).toBe(412);
  });

  it('rejects a duplicate in an enforceUniqueValues column (400 invalidRequest), on create and update', async () => {
    const dup = await graphErrorOf(h.client.api(items).post({ fields: { Title: 'Copy', Sku: 'w-1' } }));
    expect([dup.statusCode, dup.code, dup.message]).toEqual([
      400,
      'invalidRequest',
      'One or more fields with unique constraints already has the provided value.',
    ]);
    const upd = await graphErrorOf(h.client.api(`${items}/2/fields`).patch({ Sku: 'W-1' }));
    expect(upd.statusCode).toBe(400);
    expect((await h.client.api(`${items}/2`).expand('fields').get()).fields.Sku).toBe('B-1');
  });

  it('a unique value given up (changed, or its item deleted) may be taken again; an item keeps its own', async () => {
    const a = await h.client.api(items).post({ fields: { Title: 'Unique A', Sku: 'U-1' } });
    const b = await h.client.api(items).post({ fields: { Title: 'Unique B', Sku: 'U-2' } });
    // Its own value again (any case) is no clash.
    expect((await h.client.api(`${items}/${a.id}/fields`).patch({ Sku: 'u-1' })).Sku).toBe('u-1');
    await h.client.api(`${items}/${a.id}/fields`).patch({ Sku: 'U-3' });
    expect((await h.client.api(`${items}/${b.id}/fields`).patch({ Sku: 'U-1' })).Sku).toBe('U-1');
    const taken = await graphErrorOf(h.client.api(items).post({ fields: { Title: 'Unique C', Sku: 'u-3' } }));
    expect(taken.statusCode).toBe(400);
    await h.client.api(`${items}/${a.id}`).delete();
    const c = await h.client.api(items).post({ fields: { Title: 'Unique C', Sku: 'u-3' } });
    expect(c.fields.Sku).toBe('u-3');
    for (const id of [b.id, c.id]) await h.client.api(`${items}/${id}`).delete();
  });

  it('rejects unknown fields and badly typed values', async () => {
    const unknown = await graphErrorOf(h.client.api(items).post({ fields: { Nope: 1 } }));
    expect([unknown.statusCode, unknown.code]).toEqual([400, 'invalidRequest']);
    const badNumber = await graphErrorOf(h.client.api(items).post({ fields: { Qty: 'three' } }));
    expect(badNumber.statusCode).toBe(400);
  });

  it('DELETE answers 204 and the item is gone', async () => {
    const made = await h.client.api(items).post({ fields: { Title: 'Temp' } });
    h.server.resetStats();
    await h.client.api(`${items}/${made.id}`).delete();
    expect(h.server.stats.byStatus['204']).toBe(1);
    const e = await graphErrorOf(h.client.api(`${items}/${made.id}`).get());
    expect(e.statusCode).toBe(404);
  });
});
