import { z } from 'zod';
import { columnType, indexValue, indexedFields, type ColumnType } from '../indexes';
import { schemas, type Kind, type RecordOf } from '../records';
import type { Versioned } from '../store';
import type { CheckedQuery } from '../validate';
import { BODY, RECORD_ID, columnName } from './lists';

/**
 * Records as list items and back: the body as JSON, the indexed fields as typed columns, the version
 * as the item's eTag. Queries become `$filter`/`$orderby` on indexed columns only, a little wider than
 * asked (SharePoint keeps dates to the second and compares text without case), and the exact
 * condition is applied again to the parsed records.
 */

/** A list item as Graph returns it, with the fields Overt reads. */
export const GraphItem = z.object({
  id: z.string().min(1),
  eTag: z.string().min(1),
  fields: z.record(z.string(), z.unknown()),
});
export type GraphItem = z.infer<typeof GraphItem>;

export const ItemPage = z.object({
  value: z.array(GraphItem),
  '@odata.nextLink': z.string().optional(),
});

/** What a write answers: a listItem (POST) or a fieldValueSet (PATCH …/fields). */
export const WrittenItem = z.object({ id: z.string().optional(), '@odata.etag': z.string().min(1) });

/** The fields of a record's item. Fields the record lacks are cleared (null). */
export function fieldsOf(kind: Kind, record: { id: string }): Record<string, unknown> {
  const values = record as unknown as Record<string, unknown>;
  const fields: Record<string, unknown> = {
    Title: record.id,
    [RECORD_ID]: record.id,
    [BODY]: JSON.stringify(record),
  };
  for (const [field, type] of indexedFields(kind))
    fields[columnName(field)] = indexValue(type, values[field]);
  return fields;
}

export const SELECT = `$expand=fields($select=${RECORD_ID},${BODY})`;

/** A parsed record with its version. Throws (a bug or a tampered item) if the body does not parse. */
export function recordOf<K extends Kind>(kind: K, item: GraphItem): Versioned<K> {
  const body = item.fields[BODY];
  if (typeof body !== 'string') throw new Error(`${kind} item ${item.id} has no ${BODY}`);
  const record = schemas[kind].parse(JSON.parse(body)) as RecordOf<K>;
  return { record, version: item.eTag };
}

/** An OData string literal. */
export const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** An instant to the second SharePoint keeps, and the next whole second at or after it. */
export const floorSecond = (iso: string): string => `${iso.slice(0, 19)}Z`;
export const ceilSecond = (iso: string): string =>
  iso.slice(19, 23) === '.000'
    ? floorSecond(iso)
    : floorSecond(new Date(Date.parse(iso) + 1000).toISOString());

function literal(type: ColumnType, value: unknown): string {
  const v = indexValue(type, value);
  if (type === 'number') return String(v);
  if (type === 'boolean') return v ? 'true' : 'false';
  return quote(String(v));
}

/** A date equality, widened to the second SharePoint keeps; the exact test is `matches`. */
function dateEq(field: string, iso: string): string {
  const from = floorSecond(iso);
  const to = floorSecond(new Date(Date.parse(from) + 1000).toISOString());
  return `(fields/${field} ge ${quote(from)} and fields/${field} lt ${quote(to)})`;
}

/** The `$filter` for a checked query (indexed columns only), or undefined for none. */
export function filterOf(q: CheckedQuery): string | undefined {
  const clauses: string[] = [];
  for (const { field, type, values } of q.where) {
    const col = columnName(field);
    const parts = values.map((v) =>
      type === 'date' ? dateEq(col, String(indexValue(type, v))) : `fields/${col} eq ${literal(type, v)}`,
    );
    clauses.push(parts.length === 1 ? parts[0]! : `(${parts.join(' or ')})`);
  }
  if (q.range) {
    const col = columnName(q.range.field);
    const { from, to, type } = q.range;
    if (type === 'date') {
      clauses.push(
        `fields/${col} ge ${quote(from === undefined ? '1900-01-01T00:00:00Z' : floorSecond(String(from)))}`,
      );
      if (to !== undefined) clauses.push(`fields/${col} lt ${quote(ceilSecond(String(to)))}`);
    } else {
      clauses.push(
        `fields/${col} ge ${from === undefined ? String(-Number.MAX_SAFE_INTEGER) : String(from)}`,
      );
      if (to !== undefined) clauses.push(`fields/${col} lt ${String(to)}`);
    }
  }
  return clauses.length ? clauses.join(' and ') : undefined;
}

/** The exact condition, on a parsed record, as the SQLite adapter applies it. */
export function matches(kind: Kind, q: CheckedQuery, record: Record<string, unknown>): boolean {
  for (const { field, type, values } of q.where) {
    const v = indexValue(type, record[field]);
    if (!values.some((w) => indexValue(type, w) === v)) return false;
  }
  if (q.range) {
    const type = columnType(kind, q.range.field) ?? 'text';
    const v = indexValue(type, record[q.range.field]);
    if (v === null) return false;
    if (q.range.from !== undefined && v < q.range.from) return false;
    if (q.range.to !== undefined && v >= q.range.to) return false;
  }
  return true;
}

/** Sorts parsed records by an indexed field, records without it last, ties by id. */
export function sortBy<K extends Kind>(
  kind: K,
  rows: Versioned<K>[],
  order: { field: string; dir: 'asc' | 'desc' },
): Versioned<K>[] {
  const type = columnType(kind, order.field) ?? 'text';
  const key = (r: Versioned<K>) => indexValue(type, (r.record as Record<string, unknown>)[order.field]);
  const sign = order.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === y) return a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return (x < y ? -1 : 1) * sign;
  });
}
