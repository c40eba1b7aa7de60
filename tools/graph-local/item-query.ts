// Querying list items: $expand=fields(select=…), $filter, $orderby, $top and keyset paging with an opaque
// $skiptoken, plus the index rules (400 on non-indexed fields unless Prefer, failure past the threshold).
import { columnFor } from './columns';
import { fail, graphError, invalidRequest } from './errors';
import {
  FilterSyntaxError,
  evaluate,
  parseFilter,
  referencedFields,
  type Literal,
  type Operand,
} from './odata-filter';
import type { ColumnRec, ItemRec, ListRec } from './state';

export const PREFER_NON_INDEXED = 'HonorNonIndexedQueriesWarningMayFailRandomly';
/** A third-party write-up reports that $top above 5000 still returns at most 5000. [U] */
export const MAX_TOP = 5000;

/** Query options are accepted with or without the `$` prefix, as Graph does. */
export function opt(query: URLSearchParams, name: string): string | undefined {
  return query.get(`$${name}`) ?? query.get(name) ?? undefined;
}

export type Expand = { fields: boolean; select?: string[] };

export function parseExpand(raw: string | undefined): Expand {
  if (!raw) return { fields: false };
  const m = /(?:^|,)\s*fields\s*(?:\(\s*\$?select\s*=\s*([^)]*)\))?/i.exec(raw);
  if (!m) return { fields: false };
  const select = m[1]
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { fields: true, select: select && select.length > 0 ? select : undefined };
}

type Order = { column: ColumnRec | undefined; name: string; desc: boolean };

function nonIndexed(name: string): never {
  fail(
    invalidRequest(
      `Field '${name}' cannot be referenced in filter or orderby as it is not indexed. Provide the ` +
        `'Prefer: ${PREFER_NON_INDEXED}' header to allow this, but be warned that such queries may fail on large lists.`,
    ),
  );
}

function sortValue(item: ItemRec, column: ColumnRec | undefined): number | string | boolean | undefined {
  if (!column) return item.id;
  const v = item.values[column.name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return String(v[0] ?? '');
  if (column.type === 'dateTime') return Date.parse(String(v));
  if (typeof v === 'string') return v.toLowerCase();
  return v;
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1; // empty values sort first ascending [U]
  if (b === undefined || b === null) return 1;
  return (a as number) < (b as number) ? -1 : 1;
}

function literalFor(column: ColumnRec | undefined, lit: Literal): unknown {
  if (!column || column.type === 'number' || column.type === 'lookup' || column.type === 'personOrGroup') {
    const n = Number(lit);
    return Number.isNaN(n) ? undefined : n;
  }
  if (column.type === 'dateTime') {
    const t = Date.parse(String(lit));
    return Number.isNaN(t) ? undefined : t;
  }
  if (column.type === 'boolean') return lit === true || lit === 1 || lit === 'true' || lit === '1';
  return String(lit).toLowerCase();
}

function valueFor(column: ColumnRec | undefined, v: unknown): unknown {
  if (column?.type === 'dateTime') return Date.parse(String(v));
  if (typeof v === 'string' && column?.type !== 'lookup' && column?.type !== 'personOrGroup')
    return v.toLowerCase();
  return v;
}

export type ItemPage = { items: ItemRec[]; skiptoken?: string };

export type QueryInput = {
  list: ListRec;
  query: URLSearchParams;
  preferNonIndexed: boolean;
  listViewThreshold: number;
  pageSize: number;
};

function resolve(list: ListRec, name: string): ColumnRec {
  const c = columnFor(list, name);
  if (!c) fail(invalidRequest(`Field '${name}' is not recognized`));
  return c;
}

export function queryItems({
  list,
  query,
  preferNonIndexed,
  listViewThreshold,
  pageSize,
}: QueryInput): ItemPage {
  const all = Object.values(list.items);
  const filterRaw = opt(query, 'filter');
  let filter;
  try {
    filter = filterRaw ? parseFilter(filterRaw) : undefined;
  } catch (e) {
    if (e instanceof FilterSyntaxError) fail(invalidRequest(e.message));
    throw e;
  }
  const orders: Order[] = (opt(query, 'orderby') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const [prop = '', dir = 'asc'] = part.split(/\s+/);
      if (!/^(asc|desc)$/i.test(dir)) fail(invalidRequest(`Invalid $orderby direction '${dir}'.`));
      if (prop === 'id' || prop === 'fields/id' || prop === 'fields/ID')
        return { column: undefined, name: 'id', desc: /desc/i.test(dir) };
      if (!prop.startsWith('fields/'))
        fail(invalidRequest(`Unsupported $orderby property '${prop}': use fields/Name or id.`));
      const name = prop.slice(7);
      return { column: resolve(list, name), name, desc: /desc/i.test(dir) };
    });

  const referenced = [
    ...(filter ? referencedFields(filter) : []),
    ...orders.filter((o) => o.column).map((o) => o.name),
  ];
  const unindexed = referenced.filter((name) => !resolve(list, name).indexed);
  if (unindexed.length > 0) {
    if (!preferNonIndexed) nonIndexed(unindexed[0]!);
    if (all.length > listViewThreshold) {
      // SharePoint's SPQueryThrottledException text; the status and code Graph wraps it in are [U].
      fail(
        graphError(
          500,
          'generalException',
          'The attempted operation is prohibited because it exceeds the list view threshold.',
        ),
      );
    }
  }

  const read = (operand: Operand) => {
    const column = operand.kind === 'id' ? undefined : resolve(list, operand.name);
    return (item: ItemRec) => {
      const raw = column ? item.values[column.name] : item.id;
      return {
        value: raw,
        compare: (a: unknown, lit: Literal): number | undefined => {
          const l = literalFor(column, lit);
          if (l === undefined) return undefined;
          if (Array.isArray(a)) return a.some((x) => compareValues(valueFor(column, x), l) === 0) ? 0 : 1;
          return compareValues(valueFor(column, a), l);
        },
      };
    };
  };
  const matching = filter ? all.filter((item) => evaluate(filter, (o) => read(o)(item))) : all;
  // An indexed filter is honoured on a list over the threshold only while what it selects stays under it
  // (SharePoint scans the index's matches before paging): a range spanning more items fails however it is
  // paged.
  if (filter && all.length > listViewThreshold && matching.length > listViewThreshold) {
    fail(
      graphError(
        500,
        'generalException',
        'The attempted operation is prohibited because it exceeds the list view threshold.',
      ),
    );
  }

  const keyOf = (item: ItemRec): unknown[] => [...orders.map((o) => sortValue(item, o.column)), item.id];
  const compareKeys = (a: unknown[], b: unknown[]): number => {
    for (let i = 0; i < a.length; i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return i < orders.length && orders[i]!.desc ? -c : c;
    }
    return 0;
  };
  const sorted = matching.sort((x, y) => compareKeys(keyOf(x), keyOf(y)));

  const after = decodeSkiptoken(opt(query, 'skiptoken'), orders.length);
  const start = after ? sorted.findIndex((item) => compareKeys(keyOf(item), after) > 0) : 0;
  const topRaw = opt(query, 'top');
  const top = topRaw === undefined ? pageSize : Math.min(Number(topRaw), MAX_TOP);
  if (!Number.isInteger(top) || top < 1) fail(invalidRequest(`Invalid $top value '${topRaw ?? ''}'.`));
  const from = start < 0 ? sorted.length : start;
  const items = sorted.slice(from, from + top);
  const last = items[items.length - 1];
  const more = from + top < sorted.length;
  return { items, skiptoken: more && last ? encodeSkiptoken(orders, keyOf(last)) : undefined };
}

/** Modelled on SharePoint's own token (`Paged=TRUE&p_ID=12`, base64); opaque to clients. */
function encodeSkiptoken(orders: Order[], key: unknown[]): string {
  const parts = ['Paged=TRUE', `p_ID=${String(key[key.length - 1])}`];
  orders.forEach((o, i) => parts.push(`p_${o.name}=${encodeURIComponent(JSON.stringify(key[i] ?? null))}`));
  return Buffer.from(parts.join('&')).toString('base64url');
}

function decodeSkiptoken(token: string | undefined, orderCount: number): unknown[] | undefined {
  if (!token) return undefined;
  const params = new URLSearchParams(Buffer.from(token, 'base64url').toString('utf8'));
  const id = Number(params.get('p_ID'));
  if (params.get('Paged') !== 'TRUE' || !Number.isInteger(id)) fail(invalidRequest('Invalid $skiptoken.'));
  const values = [...params.entries()]
    .filter(([k]) => k.startsWith('p_') && k !== 'p_ID')
    .map(([, v]) => JSON.parse(v) as unknown);
  if (values.length !== orderCount) fail(invalidRequest('The $skiptoken does not belong to this query.'));
  return [...values.map((v) => (v === null ? undefined : v)), id];
}
