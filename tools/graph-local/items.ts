// Item handlers: list/query, get, create, update (item or fields), delete, and delta.
import { applyFields, checkUnique, renderFields, toGraphDate, uniqueWritten } from './field-values';
import type { Ctx, GraphRequest } from './context';
import { fail, graphError, invalidRequest, json, notFound, type GraphResponse } from './errors';
import { etagMatches, etagOf, newGuid } from './ids';
import { PREFER_NON_INDEXED, opt, parseExpand, queryItems } from './item-query';
import { itemResource, lookupTextIn } from './resources';
import { FieldValues, ItemInput, describe } from './schemas';
import { liveItems, type ItemRec, type ListRec, type SiteRec } from './state';

type Where = { ctx: Ctx; req: GraphRequest; site: SiteRec; list: ListRec };

function itemsUrl(w: Where): string {
  return `${w.ctx.baseUrl}/sites/${w.site.id}/lists/${w.list.id}/items`;
}

/** Rebuild the request's query with a new $skiptoken, keeping `$` and the client's own parameters. */
function linkWith(base: string, query: URLSearchParams, set: Record<string, string>): string {
  const parts: string[] = [];
  for (const [k, v] of query)
    if (!(k in set) && k !== '$skiptoken' && k !== 'token') parts.push(`${k}=${encodeURIComponent(v)}`);
  for (const [k, v] of Object.entries(set)) parts.push(`${k}=${encodeURIComponent(v)}`);
  return `${base}?${parts.join('&')}`;
}

function getItem(w: Where, id: string): ItemRec {
  const item = /^\d+$/.test(id) ? w.list.items[String(Number(id))] : undefined;
  if (!item) fail(notFound('The specified list item was not found.'));
  return item;
}

/** If-Match: a stale eTag is a 412 and nothing changes. The error code is [U]; Graph's generic one is used. */
function checkIfMatch(w: Where, item: ItemRec): void {
  const ifMatch = w.req.headers['if-match'];
  if (ifMatch !== undefined && !etagMatches(ifMatch, etagOf(item.guid, item.version))) {
    fail(
      graphError(
        412,
        'resourceModified',
        'The resource has changed since the caller last read it; usually an eTag mismatch.',
      ),
    );
  }
}

function touch(list: ListRec, item: ItemRec, now: string): void {
  list.changeSeq += 1;
  list.modified = now;
  item.seq = list.changeSeq;
}

function parseBody<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError };
  },
  body: unknown,
): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) fail(invalidRequest(describe(parsed.error)));
  return parsed.data;
}

export function listItems(w: Where): GraphResponse {
  const expand = parseExpand(opt(w.req.query, 'expand'));
  const page = queryItems({
    list: w.list,
    query: w.req.query,
    preferNonIndexed: (w.req.headers.prefer ?? '').includes(PREFER_NON_INDEXED),
    listViewThreshold: w.ctx.settings.listViewThreshold,
    pageSize: w.ctx.settings.pageSize,
  });
  const body: Record<string, unknown> = {
    '@odata.context': `${w.ctx.baseUrl}/$metadata#sites('${w.site.id}')/lists('${w.list.id}')/items`,
    value: page.items.map((i) =>
      itemResource(w.site, w.list, i, { expand: expand.fields, select: expand.select }),
    ),
  };
  if (page.skiptoken)
    body['@odata.nextLink'] = linkWith(itemsUrl(w), w.req.query, { $skiptoken: page.skiptoken });
  return json(200, body);
}

export function readItem(w: Where, id: string, fieldsOnly: boolean): GraphResponse {
  const item = getItem(w, id);
  const etag = etagOf(item.guid, item.version);
  const expand = parseExpand(opt(w.req.query, 'expand'));
  if (fieldsOnly) {
    const select = opt(w.req.query, 'select')
      ?.split(',')
      .map((s) => s.trim());
    return json(200, renderFields(w.list, item, select, lookupTextIn(w.site)), { ETag: etag });
  }
  return json(200, itemResource(w.site, w.list, item, { expand: expand.fields, select: expand.select }), {
    ETag: etag,
  });
}

export function createItem(w: Where): GraphResponse {
  const input = parseBody(ItemInput, w.req.body);
  const values = applyFields(w.list, {}, input.fields ?? {});
  checkUnique(w.list, undefined, values);
  const now = toGraphDate(new Date());
  const item: ItemRec = {
    id: w.list.nextItemId,
    guid: newGuid(),
    version: 1,
    created: now,
    modified: now,
    values,
    seq: 0,
  };
  w.list.nextItemId += 1;
  w.list.items[String(item.id)] = item;
  touch(w.list, item, now);
  uniqueWritten(w.list, item);
  const etag = etagOf(item.guid, item.version);
  return json(201, itemResource(w.site, w.list, item, { expand: true }), {
    ETag: etag,
    Location: `${itemsUrl(w)}/${item.id}`,
  });
}

/** PATCH …/items/{id}/fields (fieldValueSet body, returns the fieldValueSet) or …/items/{id} ({fields}). */
export function updateItem(w: Where, id: string, fieldsOnly: boolean): GraphResponse {
  const item = getItem(w, id);
  checkIfMatch(w, item);
  const input = fieldsOnly
    ? parseBody(FieldValues, w.req.body)
    : (parseBody(ItemInput, w.req.body).fields ?? {});
  const values = applyFields(w.list, item.values, input);
  checkUnique(w.list, item.id, values);
  item.values = values;
  item.version += 1;
  item.modified = toGraphDate(new Date());
  touch(w.list, item, item.modified);
  uniqueWritten(w.list, item);
  const etag = etagOf(item.guid, item.version);
  if (fieldsOnly)
    return json(200, renderFields(w.list, item, undefined, lookupTextIn(w.site)), { ETag: etag });
  return json(200, itemResource(w.site, w.list, item, { expand: true }), { ETag: etag });
}

export function deleteItem(w: Where, id: string): GraphResponse {
  const item = getItem(w, id);
  checkIfMatch(w, item);
  delete w.list.items[String(item.id)];
  w.list.changeSeq += 1;
  w.list.modified = toGraphDate(new Date());
  w.list.tombstones.push({ id: item.id, seq: w.list.changeSeq });
  return { status: 204, headers: {} };
}

type DeltaCursor = { since: number; upto: number; after: number };

/**
 * items/delta: no token → every live item, then a deltaLink; `token=latest` → just a deltaLink;
 * `token=N` → items written and deleted since N, deletions as `{id, deleted:{state:'deleted'}}`.
 */
export function delta(w: Where): GraphResponse {
  const q = w.req.query;
  const skip = opt(q, 'skiptoken');
  const token = q.get('token') ?? undefined;
  const base = `${itemsUrl(w)}/delta`;
  const deltaLink = (seq: number): string =>
    linkWith(base, q, { token: Buffer.from(`seq=${seq}`).toString('base64url') });
  if (token === 'latest') return json(200, { value: [], '@odata.deltaLink': deltaLink(w.list.changeSeq) });
  let cursor: DeltaCursor;
  if (skip) {
    cursor = JSON.parse(Buffer.from(skip, 'base64url').toString('utf8')) as DeltaCursor;
  } else {
    const m = token ? /^seq=(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8')) : null;
    if (token && !m) fail(invalidRequest('Invalid delta token.'));
    cursor = { since: m ? Number(m[1]) : -1, upto: w.list.changeSeq, after: 0 };
  }
  const full = cursor.since < 0;
  const expand = parseExpand(opt(q, 'expand'));
  type Entry = { id: number; render: () => Record<string, unknown> };
  const entries: Entry[] = [
    ...liveItems(w.list)
      .filter((i) => full || (i.seq > cursor.since && i.seq <= cursor.upto))
      .map((i) => ({
        id: i.id,
        render: () => itemResource(w.site, w.list, i, { expand: true, select: expand.select }),
      })),
    ...(full ? [] : w.list.tombstones)
      .filter((t) => t.seq > cursor.since && t.seq <= cursor.upto && !w.list.items[String(t.id)])
      .map((t) => ({ id: t.id, render: () => ({ id: String(t.id), deleted: { state: 'deleted' } }) })),
  ]
    .filter((e) => e.id > cursor.after)
    .sort((a, b) => a.id - b.id);
  const top = Math.min(Number(opt(q, 'top') ?? w.ctx.settings.pageSize), 5000);
  const page = entries.slice(0, top);
  const body: Record<string, unknown> = { value: page.map((e) => e.render()) };
  if (entries.length > top) {
    const nextCursor: DeltaCursor = { ...cursor, after: page[page.length - 1]!.id };
    body['@odata.nextLink'] = linkWith(base, q, {
      $skiptoken: Buffer.from(JSON.stringify(nextCursor)).toString('base64url'),
    });
  } else {
    body['@odata.deltaLink'] = deltaLink(cursor.upto);
  }
  return json(200, body);
}
