import { z } from 'zod';
import { columnType, normaliseDate, type ColumnType } from './indexes';
import { IsoDate, KindName, schemas, type Kind } from './records';
import type { CountQuery, Query, Unit, Write } from './store';

/**
 * Checks shared by every adapter. A query on a field that is not indexed, or a unit whose records do
 * not parse, is a programming error: these throw. Expected failures (conflicts) are values elsewhere.
 */

export class StoreUsageError extends Error {
  override name = 'StoreUsageError';
}

function requireIndexed(kind: Kind, field: string, use: string): ColumnType {
  const type = columnType(kind, field);
  if (!type) throw new StoreUsageError(`${kind}.${field} is not indexed, so it cannot be used in ${use}`);
  return type;
}

/** A query checked against the kind's indexes, with range bounds as comparable values. */
export type CheckedQuery = {
  where: { field: string; type: ColumnType; values: unknown[] }[];
  range?: { field: string; type: ColumnType; from?: string | number; to?: string | number };
  orderBy?: { field: string; dir: 'asc' | 'desc' };
  groupBy: string[];
  limit?: number;
};

const KINDS: ReadonlySet<string> = new Set(KindName.options);

/** Throws (zod's error, naming the kinds) unless `kind` is one. */
export function checkKind(kind: string): asserts kind is Kind {
  if (!KINDS.has(kind)) KindName.parse(kind);
}

export function checkQuery<K extends Kind>(kind: K, query: Query<K> & CountQuery<K> = {}): CheckedQuery {
  checkKind(kind);
  const checked: CheckedQuery = { where: [], groupBy: [] };
  for (const [field, value] of Object.entries(query.where ?? {})) {
    if (value === undefined) continue;
    const type = requireIndexed(kind, field, 'a where');
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.some((v) => v === null || v === undefined || typeof v === 'object')) {
      throw new StoreUsageError(
        `where ${kind}.${field} takes a string, number or boolean, or an array of them`,
      );
    }
    checked.where.push({ field, type, values });
  }
  if (query.range) {
    const { field, from, to } = query.range;
    const type = requireIndexed(kind, field, 'a range');
    if (type !== 'date' && type !== 'number')
      throw new StoreUsageError(`${kind}.${field} is not a date or number`);
    const bound = (b: string | number | undefined) =>
      b === undefined ? undefined : type === 'date' ? normaliseDate(IsoDate.parse(b)) : Number(b);
    checked.range = { field, type, from: bound(from), to: bound(to) };
  }
  if (query.orderBy) {
    requireIndexed(kind, query.orderBy.field, 'an orderBy');
    if (query.orderBy.dir !== 'asc' && query.orderBy.dir !== 'desc')
      throw new StoreUsageError('dir is asc or desc');
    checked.orderBy = { field: query.orderBy.field, dir: query.orderBy.dir };
  }
  for (const field of query.groupBy ?? []) {
    requireIndexed(kind, field, 'a groupBy');
    checked.groupBy.push(field);
  }
  if (query.limit !== undefined) {
    if (!Number.isInteger(query.limit) || query.limit < 1)
      throw new StoreUsageError('limit is a positive integer');
    checked.limit = query.limit;
  }
  return checked;
}

/** Parses each write's record with its kind's schema and refuses a record written twice in one unit. */
export function checkUnit(unit: Unit): Write[] {
  if (typeof unit.key !== 'string' || unit.key.length === 0) throw new StoreUsageError('a unit needs a key');
  const at = IsoDate.safeParse(unit.at);
  if (!at.success)
    throw new StoreUsageError(`unit ${unit.key}: at is not an ISO 8601 date: ${String(unit.at)}`);
  const seen = new Set<string>();
  return unit.writes.map((write) => {
    const kind = write.kind;
    checkKind(kind);
    const parsed = schemas[kind].safeParse(write.record);
    if (!parsed.success) {
      throw new StoreUsageError(`unit ${unit.key}: invalid ${kind} record: ${z.prettifyError(parsed.error)}`);
    }
    const id = (parsed.data as { id: string }).id;
    if (seen.has(`${kind}/${id}`)) throw new StoreUsageError(`unit ${unit.key} writes ${kind} ${id} twice`);
    seen.add(`${kind}/${id}`);
    return { ...write, kind, record: parsed.data } as Write;
  });
}
