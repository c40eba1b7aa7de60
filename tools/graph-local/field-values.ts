// Field values: coercing writes to stored values, enforcing uniqueness, and shaping `fields` as Graph does.
import { SYSTEM_FIELDS, columnFor, isLookupLike, isMulti } from './columns';
import { fail, invalidRequest } from './errors';
import { etagOf } from './ids';
import type { FieldValues } from './schemas';
import type { ColumnRec, ItemRec, ListRec, Stored } from './state';

/** Graph writes by an app-only caller show as this user id. [U] */
export const APP_USER_ID = '1073741822';

const UNTYPED_COLLECTION =
  'A value without a type name was found and no expected type is available. When the model is specified, ' +
  'each value in the payload must have a type which can be either specified in the payload, explicitly by ' +
  'the caller or implicitly inferred from the parent value.';

/** SharePoint dates come back in UTC without milliseconds: `2024-01-31T08:00:00Z`. */
export const MAX_MULTILINE = 63_999;

export function toGraphDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function bad(message: string): never {
  fail(invalidRequest(message));
}

function toInt(key: string, v: unknown): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0)
    bad(`Invalid lookup id '${String(v)}' for field '${key}'.`);
  return n;
}

function coerce(c: ColumnRec, key: string, v: unknown, collection: boolean): Stored {
  if (collection) {
    if (!Array.isArray(v)) bad(`Field '${key}' expects a collection.`);
    return isLookupLike(c) ? v.map((x) => toInt(key, x)) : v.map((x) => String(x));
  }
  if (Array.isArray(v)) bad(UNTYPED_COLLECTION);
  switch (c.type) {
    case 'text':
    case 'choice': {
      if (typeof v === 'object') bad(`Cannot convert the value of field '${key}' to a string.`);
      const text = String(v);
      // A multi-line plain-text column holds at most 63,999 characters (SharePoint's column limit). [U text]
      if (c.type === 'text' && c.facet.allowMultipleLines === true && text.length > MAX_MULTILINE)
        bad(`The value of field '${key}' exceeds the maximum length of ${MAX_MULTILINE} characters.`);
      return text;
    }
    case 'number': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n))
        bad(`Cannot convert '${String(v)}' to a number for field '${key}'.`);
      return n;
    }
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      return bad(`Cannot convert '${String(v)}' to a boolean for field '${key}'.`);
    case 'dateTime': {
      const d = typeof v === 'string' ? new Date(v) : undefined;
      if (!d || Number.isNaN(d.getTime())) bad(`Cannot convert '${String(v)}' to a date for field '${key}'.`);
      // SharePoint keeps dates from 1 January 1900 to 31 December 8900. [U text]
      if (d.getUTCFullYear() < 1900 || d.getUTCFullYear() > 8900)
        bad(`The value of field '${key}' is out of range: dates must be between 1/1/1900 and 12/31/8900.`);
      const iso = toGraphDate(d);
      return c.facet.format === 'dateOnly' ? `${iso.slice(0, 10)}T00:00:00Z` : iso;
    }
    case 'lookup':
    case 'personOrGroup':
      return toInt(key, v);
  }
}

/** Apply a fieldValueSet to an item's stored values. Null or '' clears a field. Throws a 400 on bad input. */
export function applyFields(
  list: ListRec,
  current: Record<string, Stored>,
  input: FieldValues,
): Record<string, Stored> {
  const next = { ...current };
  for (const [key, value] of Object.entries(input)) {
    if (key.startsWith('@') || key.includes('@odata.')) continue;
    if (SYSTEM_FIELDS.has(key)) bad(`Field '${key}' is read-only.`);
    const column = columnFor(list, key);
    if (!column) bad(`Field '${key}' is not recognized`);
    if (isLookupLike(column) && key === column.name)
      bad(`Field '${key}' is a lookup: write '${key}LookupId'.`);
    const annotation = input[`${key}@odata.type`];
    const collection = typeof annotation === 'string' && annotation.startsWith('Collection(');
    if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) {
      delete next[column.name];
      continue;
    }
    if (collection && isLookupLike(column) && !isMulti(column))
      bad(`Field '${key}' does not allow multiple values.`);
    next[column.name] = coerce(column, key, value, collection);
  }
  return next;
}

const norm = (v: Stored): string => (Array.isArray(v) ? JSON.stringify(v) : String(v).toLowerCase());

/**
 * The items of a list by the (normalised) value of each unique column, so that a write looks its value up
 * instead of reading every item (a list of thousands took seconds a write). Made from the items whenever the
 * list changed other than through `uniqueWritten` (its changeSeq moved), and each item it names is read again
 * before it counts as a clash: it is never staler than the items themselves.
 */
type UniqueIndex = {
  seq: number;
  /** What it was made from: the items object and the unique columns (a column made unique later, or the items
   * replaced, make it again). */
  items: ListRec['items'];
  columns: string;
  byColumn: Map<string, Map<string, Set<number>>>;
};
const uniqueIndexes = new WeakMap<ListRec, UniqueIndex>();

function addToIndex(index: UniqueIndex, list: ListRec, item: ItemRec): void {
  for (const c of list.columns) {
    const v = item.values[c.name];
    if (!c.enforceUniqueValues || v === undefined) continue;
    let values = index.byColumn.get(c.name);
    if (!values) index.byColumn.set(c.name, (values = new Map()));
    const key = norm(v);
    const ids = values.get(key);
    if (ids) ids.add(item.id);
    else values.set(key, new Set([item.id]));
  }
}

const uniqueColumns = (list: ListRec) =>
  list.columns
    .filter((c) => c.enforceUniqueValues)
    .map((c) => c.name)
    .join('\n');

function uniqueIndexOf(list: ListRec): UniqueIndex {
  const kept = uniqueIndexes.get(list);
  const columns = uniqueColumns(list);
  if (kept && kept.seq === list.changeSeq && kept.items === list.items && kept.columns === columns)
    return kept;
  const index: UniqueIndex = { seq: list.changeSeq, items: list.items, columns, byColumn: new Map() };
  for (const item of Object.values(list.items)) addToIndex(index, list, item);
  uniqueIndexes.set(list, index);
  return index;
}

/** enforceUniqueValues: the message below is what public SharePoint-via-Graph clients match on (code invalidRequest). */
export function checkUnique(list: ListRec, itemId: number | undefined, values: Record<string, Stored>): void {
  const unique = list.columns.filter((c) => c.enforceUniqueValues && values[c.name] !== undefined);
  if (!unique.length) return;
  const index = uniqueIndexOf(list);
  for (const c of unique) {
    const key = norm(values[c.name]!);
    const clash = [...(index.byColumn.get(c.name)?.get(key) ?? [])].some((id) => {
      const other = list.items[String(id)];
      const v = other?.values[c.name];
      return id !== itemId && v !== undefined && norm(v) === key;
    });
    if (clash) bad('One or more fields with unique constraints already has the provided value.');
  }
}

/** After a create or update that `checkUnique` allowed and that moved the list's changeSeq by one: the index
 * keeps the item's values (it is made again from the items after any other change). */
export function uniqueWritten(list: ListRec, item: ItemRec): void {
  const index = uniqueIndexes.get(list);
  if (!index) return;
  if (index.seq !== list.changeSeq - 1) {
    uniqueIndexes.delete(list);
    return;
  }
  addToIndex(index, list, item);
  index.seq = list.changeSeq;
}

export type LookupText = (listId: string, itemId: number, columnName: string) => string;

/** The `fields` object of an item: empty fields omitted, lookups as `XLookupId` strings, system fields last. */
export function renderFields(
  list: ListRec,
  item: ItemRec,
  select: string[] | undefined,
  lookupText: LookupText,
): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.etag': etagOf(item.guid, item.version) };
  const wanted = (name: string): boolean => select === undefined || select.includes(name);
  for (const c of list.columns) {
    const v = item.values[c.name];
    if (v === undefined) continue;
    const selected = select?.includes(c.name) || select?.includes(`${c.name}LookupId`);
    if (select !== undefined ? !selected : c.hidden) continue;
    if (isLookupLike(c)) {
      if (Array.isArray(v)) {
        out[c.name] = (v as number[]).map((id) => ({
          LookupId: id,
          LookupValue:
            c.type === 'lookup' ? lookupText(String(c.facet.listId), id, String(c.facet.columnName)) : '',
        }));
      } else {
        out[`${c.name}LookupId`] = String(v);
      }
    } else {
      out[c.name] = v;
    }
  }
  const title = item.values.Title;
  const system: Record<string, unknown> = {
    id: String(item.id),
    ContentType: 'Item',
    Modified: item.modified,
    Created: item.created,
    AuthorLookupId: APP_USER_ID,
    EditorLookupId: APP_USER_ID,
    _UIVersionString: `${item.version}.0`,
    Attachments: false,
    Edit: '',
    LinkTitleNoMenu: title,
    LinkTitle: title,
    ItemChildCount: '0',
    FolderChildCount: '0',
  };
  for (const [k, v] of Object.entries(system)) if (v !== undefined && wanted(k)) out[k] = v;
  return out;
}
