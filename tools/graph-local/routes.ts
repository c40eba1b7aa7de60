// The router: one function from a normalised request to a Graph response, used for plain requests and
// for every inner $batch request alike.
import { buildColumn, columnResource, titleColumn } from './columns';
import type { Ctx, GraphRequest } from './context';
import {
  GraphFailure,
  badRequest,
  fail,
  graphError,
  invalidRequest,
  json,
  notFound,
  type GraphResponse,
} from './errors';
import { directoryRoute, isDirectoryPath } from './directory';
import { isTeamworkPath, teamworkRoute } from './teamwork';
import { toGraphDate } from './field-values';
import { newGuid } from './ids';
import { createItem, delta, deleteItem, listItems, readItem, updateItem } from './items';
import { opt } from './item-query';
import { listResource, siteResource } from './resources';
import { ColumnInput, ColumnPatch, ListInput, describe } from './schemas';
import { findList, type ListRec, type SiteRec } from './state';

const norm = (p: string): string => p.replace(/\/+$/, '').toLowerCase();

function resolveSite(ctx: Ctx, path: string): { site: SiteRec; rest: string } {
  const byPath = /^\/sites\/([^/:,]+):(\/[^:]*?)(?::(\/.*)?)?$/.exec(path);
  let site: SiteRec | undefined;
  let rest: string;
  if (byPath) {
    const [, host = '', sitePath = '', tail] = byPath;
    site = Object.values(ctx.state.sites).find(
      (s) => s.hostname.toLowerCase() === host.toLowerCase() && norm(s.path) === norm(sitePath),
    );
    rest = tail ?? '';
  } else {
    const byId = /^\/sites\/([^/]+)(\/.*)?$/.exec(path);
    if (!byId) fail(badRequest(`Resource not found for the segment '${path.split('/')[1] ?? ''}'.`));
    site = ctx.state.sites[(byId[1] ?? '').toLowerCase()];
    rest = byId[2] ?? '';
  }
  if (!site) fail(notFound('Requested site could not be found'));
  // Sites.Selected without a grant for this site. Body shape [U].
  if (!site.granted) fail(graphError(403, 'accessDenied', 'Access denied'));
  return { site, rest };
}

function parse<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError };
  },
  body: unknown,
): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) fail(invalidRequest(describe(r.error)));
  return r.data;
}

function createList(ctx: Ctx, site: SiteRec, body: unknown): GraphResponse {
  const input = parse(ListInput, body);
  if (findList(site, input.displayName))
    fail(graphError(409, 'nameAlreadyExists', 'The specified name is already in use.'));
  const now = toGraphDate(new Date());
  const list: ListRec = {
    id: newGuid(),
    siteId: site.id,
    name: input.displayName,
    displayName: input.displayName,
    description: input.description ?? '',
    created: now,
    modified: now,
    columns: [titleColumn()],
    items: {},
    nextItemId: 1,
    changeSeq: 0,
    tombstones: [],
  };
  for (const raw of input.columns ?? []) addColumn(site, list, raw);
  site.lists[list.id] = list;
  return json(201, listResource(site, list, true));
}

function addColumn(site: SiteRec, list: ListRec, body: unknown): ListRec['columns'][number] {
  const input = parse(ColumnInput, body);
  const column = buildColumn(input);
  if (list.columns.some((c) => c.name.toLowerCase() === column.name.toLowerCase())) {
    fail(graphError(409, 'nameAlreadyExists', `A column named '${column.name}' already exists.`));
  }
  if (column.type === 'lookup' && !findList(site, String(column.facet.listId))) {
    fail(invalidRequest(`The lookup list '${String(column.facet.listId)}' does not exist.`));
  }
  list.columns.push(column);
  return column;
}

function siteRoutes(ctx: Ctx, req: GraphRequest, site: SiteRec, rest: string): GraphResponse {
  const m = req.method;
  const seg = rest.split('/').filter(Boolean);
  if (seg.length === 0 && m === 'GET') return json(200, siteResource(site));
  if (seg[0] === 'permissions' && seg.length === 1 && m === 'GET') {
    return json(200, {
      value: [
        {
          id: `aTowaS50fG1zLnNwLmV4dHxsb2NhbA`,
          roles: ['write'],
          grantedToIdentitiesV2: [{ application: { displayName: 'Overt' } }],
        },
      ],
    });
  }
  if (seg[0] !== 'lists') fail(badRequest(`Resource not found for the segment '${seg[0] ?? ''}'.`));
  if (seg.length === 1) {
    if (m === 'GET')
      return json(200, { value: Object.values(site.lists).map((l) => listResource(site, l, false)) });
    if (m === 'POST') return createList(ctx, site, req.body);
  }
  const list = findList(site, seg[1] ?? '');
  if (!list) fail(notFound('List not found'));
  const where = { ctx, req, site, list };
  const [, , coll, id, sub] = seg;
  if (coll === undefined && m === 'GET')
    return json(200, listResource(site, list, /columns/.test(opt(req.query, 'expand') ?? '')));
  if (coll === 'columns') {
    if (id === undefined && m === 'GET') return json(200, { value: list.columns.map(columnResource) });
    if (id === undefined && m === 'POST') return json(201, columnResource(addColumn(site, list, req.body)));
    const column = list.columns.find((c) => c.id === id || c.name === id);
    if (!column) fail(notFound('Column not found'));
    if (sub === undefined && m === 'GET') return json(200, columnResource(column));
    if (sub === undefined && m === 'PATCH') {
      // Changing `indexed` by PATCH is [U] on real Graph; here it is allowed.
      Object.assign(column, parse(ColumnPatch, req.body));
      if (column.enforceUniqueValues) column.indexed = true;
      return json(200, columnResource(column));
    }
  }
  if (coll === 'items') {
    if (id === undefined && m === 'GET') return listItems(where);
    if (id === undefined && m === 'POST') return createItem(where);
    if (id === 'delta' && sub === undefined && m === 'GET') return delta(where);
    if (id !== undefined && sub === undefined) {
      if (m === 'GET') return readItem(where, id, false);
      if (m === 'PATCH') return updateItem(where, id, false);
      if (m === 'DELETE') return deleteItem(where, id);
    }
    if (id !== undefined && sub === 'fields') {
      if (m === 'GET') return readItem(where, id, true);
      if (m === 'PATCH') return updateItem(where, id, true);
    }
  }
  return graphError(405, 'BadRequest', `${m} is not supported on ${rest}.`);
}

export function route(ctx: Ctx, req: GraphRequest): GraphResponse {
  try {
    if (isTeamworkPath(req.path)) return teamworkRoute(ctx, req);
    if (isDirectoryPath(req.path)) return directoryRoute(ctx, req);
    if (!req.path.startsWith('/sites/'))
      fail(badRequest(`Resource not found for the segment '${req.path.split('/')[1] ?? ''}'.`));
    const { site, rest } = resolveSite(ctx, req.path);
    return siteRoutes(ctx, req, site, rest);
  } catch (e) {
    if (e instanceof GraphFailure) return e.response;
    throw e;
  }
}
