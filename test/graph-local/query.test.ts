import { PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { createList, graphErrorOf, startHarness, type Harness } from './harness';

const PREFER = { Prefer: 'HonorNonIndexedQueriesWarningMayFailRandomly' };
let h: Harness;
let items: string;
beforeAll(async () => {
  h = await startHarness({ pageSize: 3, listViewThreshold: 12 });
  const listId = await createList(h, 'Records', [
    { name: 'Kind', choice: { choices: ['a', 'b'] }, indexed: true },
    { name: 'Rank', number: {}, indexed: true },
    { name: 'Note', text: {} },
  ]);
  items = `/sites/${h.siteId}/lists/${listId}/items`;
  for (let i = 1; i <= 10; i++) {
    await h.client
      .api(items)
      .post({ fields: { Title: `t${i}`, Kind: i % 2 ? 'a' : 'b', Rank: 11 - i, Note: `n${i}` } });
  }
});
afterAll(() => h.server.stop());

const titles = (page: { value: { fields: { Title: string } }[] }): string[] =>
  page.value.map((i) => i.fields.Title);

describe('filter and orderby', () => {
  it('filters on indexed fields with eq/ge/lt, and/or, startswith and id', async () => {
    const q = (f: string) => h.client.api(items).expand('fields').filter(f).top(50).get();
    expect(titles(await q("fields/Kind eq 'b' and fields/Rank ge 5"))).toEqual(['t2', 't4', 't6']);
    expect(titles(await q('fields/Rank lt 2 or id eq 2'))).toEqual(['t2', 't10']);
    expect(titles(await q("(fields/Kind eq 'a') and (id gt 5 or id le 1)"))).toEqual(['t1', 't7', 't9']);
    expect(
      titles(
        await h.client
          .api(items)
          .expand('fields')
          .filter("startswith(fields/Title,'t1')")
          .header('Prefer', PREFER.Prefer)
          .get(),
      ),
    ).toEqual(['t1', 't10']);
  });

  it('orders by an indexed field, descending', async () => {
    const page = await h.client
      .api(items)
      .expand('fields(select=Title,Rank)')
      .orderby('fields/Rank desc')
      .top(4)
      .get();
    expect(titles(page)).toEqual(['t1', 't2', 't3', 't4']);
  });

  it('refuses a non-indexed field in $filter or $orderby with 400 unless Prefer is sent', async () => {
    const e = await graphErrorOf(h.client.api(items).filter("fields/Note eq 'n3'").get());
    expect([e.statusCode, e.code]).toEqual([400, 'invalidRequest']);
    expect(e.message).toMatch(
      /^Field 'Note' cannot be referenced in filter or orderby as it is not indexed\./,
    );
    const o = await graphErrorOf(h.client.api(items).orderby('fields/Note').get());
    expect(o.statusCode).toBe(400);
    const ok = await h.client.api(items).expand('fields').filter("fields/Note eq 'n3'").headers(PREFER).get();
    expect(titles(ok)).toEqual(['t3']);
  });

  it('fails a Prefer-allowed non-indexed query once the list passes the list view threshold', async () => {
    const big = await createList(h, 'Big', [{ name: 'Note', text: {} }]);
    const bigItems = `/sites/${h.siteId}/lists/${big}/items`;
    for (let i = 0; i < 13; i++) await h.client.api(bigItems).post({ fields: { Note: `n${i}` } });
    const e = await graphErrorOf(h.client.api(bigItems).filter("fields/Note eq 'n1'").headers(PREFER).get());
    expect(e.statusCode).toBe(500);
    expect(e.message).toMatch(/exceeds the list view threshold/);
    const byId = await h.client.api(bigItems).filter('id eq 13').get();
    expect(byId.value).toHaveLength(1); // id is always indexed
  });

  it('fails an indexed range that spans more items than the threshold, however it is paged (issue 16)', async () => {
    const ranked = await createList(h, 'Ranked', [{ name: 'Rank', number: {}, indexed: true }]);
    const rankedItems = `/sites/${h.siteId}/lists/${ranked}/items`;
    for (let i = 0; i < 14; i++) await h.client.api(rankedItems).post({ fields: { Rank: i } });
    const wide = await graphErrorOf(h.client.api(rankedItems).filter('fields/Rank ge 0').top(1).get());
    expect(wide.statusCode).toBe(500);
    expect(wide.message).toMatch(/exceeds the list view threshold/);
    const narrow = await h.client
      .api(rankedItems)
      .filter('fields/Rank ge 2 and fields/Rank lt 12')
      .top(50)
      .get();
    expect(narrow.value).toHaveLength(10);
  });
});

describe('paging', () => {
  it('pages server-side with an absolute nextLink and opaque $skiptoken that PageIterator follows', async () => {
    const first = (await h.client.api(items).expand('fields(select=Title)').get()) as PageCollection;
    expect(first.value).toHaveLength(3);
    const next = first['@odata.nextLink'] as string;
    expect(next.startsWith(`${h.server.url}/v1.0/`)).toBe(true);
    expect(new URL(next).searchParams.get('$skiptoken')).toMatch(/^[A-Za-z0-9_-]+$/);
    const seen: string[] = [];
    h.server.resetStats();
    await new PageIterator(h.client, first, (item: { fields: { Title: string } }) => {
      seen.push(item.fields.Title);
      return true;
    }).iterate();
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `t${i + 1}`));
    expect(h.server.stats.requests).toBe(3); // pages 2, 3 and 4
  });

  it('keeps the order and filter across pages, and carries Prefer via request options', async () => {
    const first = (await h.client
      .api(items)
      .expand('fields')
      .filter("fields/Note ne 'n5'")
      .orderby('fields/Rank')
      .headers(PREFER)
      .top(2)
      .get()) as PageCollection;
    const seen: string[] = [];
    await new PageIterator(
      h.client,
      first,
      (item: { fields: { Title: string } }) => {
        seen.push(item.fields.Title);
        return true;
      },
      { headers: PREFER },
    ).iterate();
    expect(seen).toEqual(['t10', 't9', 't8', 't7', 't6', 't4', 't3', 't2', 't1']);
  });
});

describe('delta', () => {
  it('returns everything then a deltaLink; later only changes and tombstones', async () => {
    const list = await createList(h, 'Delta', []);
    const base = `/sites/${h.siteId}/lists/${list}/items`;
    for (const t of ['x', 'y']) await h.client.api(base).post({ fields: { Title: t } });
    const all = await h.client.api(`${base}/delta`).get();
    expect(all.value.map((i: { id: string }) => i.id)).toEqual(['1', '2']);
    const link = all['@odata.deltaLink'] as string;
    expect(link).toContain('token=');
    await h.client.api(`${base}/1/fields`).patch({ Title: 'x2' });
    await h.client.api(`${base}/2`).delete();
    await h.client.api(base).post({ fields: { Title: 'z' } });
    const changes = await h.client.api(link).get();
    expect(changes.value).toEqual([
      expect.objectContaining({ id: '1', fields: expect.objectContaining({ Title: 'x2' }) }),
      { id: '2', deleted: { state: 'deleted' } },
      expect.objectContaining({ id: '3' }),
    ]);
    const latest = await h.client.api(`${base}/delta?token=latest`).get();
    expect(latest.value).toEqual([]);
    expect(latest['@odata.deltaLink']).toContain('token=');
  });
});
