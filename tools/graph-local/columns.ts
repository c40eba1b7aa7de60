// Column definitions: built-ins, creation from a columnDefinition body, and the resource Graph returns.
import { newGuid } from './ids';
import { COLUMN_TYPES, type ColumnInput } from './schemas';
import type { ColumnRec, ListRec } from './state';

/** The built-in Title column of a genericList. Not indexed unless a PATCH indexes it. */
export function titleColumn(): ColumnRec {
  return {
    id: 'fa564e0f-0c70-4ab9-b863-0177e6ddd247', // Title's well-known field id in SharePoint
    name: 'Title',
    displayName: 'Title',
    description: '',
    type: 'text',
    facet: {
      allowMultipleLines: false,
      appendChangesToExistingText: false,
      linesForEditing: 0,
      maxLength: 255,
    },
    indexed: false,
    enforceUniqueValues: false,
    required: false,
    hidden: false,
    readOnly: false,
    columnGroup: 'Custom Columns',
  };
}

/** System fields that appear in `fields` but cannot be written. `id`/`ID` are always indexed. */
export const SYSTEM_FIELDS = new Set([
  'id',
  'ID',
  'ContentType',
  'Created',
  'Modified',
  'AuthorLookupId',
  'EditorLookupId',
  '_UIVersionString',
  'Attachments',
  'Edit',
  'LinkTitleNoMenu',
  'LinkTitle',
  'ItemChildCount',
  'FolderChildCount',
]);

export function apiNameFrom(displayName: string): string {
  const cleaned = displayName.replace(/[^A-Za-z0-9_]/g, '');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

export function buildColumn(input: ColumnInput): ColumnRec {
  const type = COLUMN_TYPES.find((t) => input[t] !== undefined) ?? 'text';
  const name = input.name ?? apiNameFrom(input.displayName ?? '');
  const unique = input.enforceUniqueValues ?? false;
  return {
    id: newGuid(),
    name,
    displayName: input.displayName ?? name,
    description: input.description ?? '',
    type,
    facet: (input[type] as Record<string, unknown> | undefined) ?? {},
    // SharePoint requires a unique column to be indexed; it indexes it for you. [U] for Graph.
    indexed: (input.indexed ?? false) || unique,
    enforceUniqueValues: unique,
    required: input.required ?? false,
    hidden: input.hidden ?? false,
    readOnly: false,
    columnGroup: 'Custom Columns',
  };
}

export function columnResource(c: ColumnRec): Record<string, unknown> {
  return {
    columnGroup: c.columnGroup,
    description: c.description,
    displayName: c.displayName,
    enforceUniqueValues: c.enforceUniqueValues,
    hidden: c.hidden,
    id: c.id,
    indexed: c.indexed,
    name: c.name,
    readOnly: c.readOnly,
    required: c.required,
    [c.type]: c.facet,
  };
}

/** Resolve a name used in `fields` (`X` or `XLookupId` for lookups and people) to its column. */
export function columnFor(list: ListRec, fieldName: string): ColumnRec | undefined {
  const direct = list.columns.find((c) => c.name === fieldName);
  if (direct) return direct;
  if (fieldName.endsWith('LookupId')) {
    const base = fieldName.slice(0, -'LookupId'.length);
    return list.columns.find((c) => c.name === base && (c.type === 'lookup' || c.type === 'personOrGroup'));
  }
  return undefined;
}

export function isLookupLike(c: ColumnRec): boolean {
  return c.type === 'lookup' || c.type === 'personOrGroup';
}

export function isMulti(c: ColumnRec): boolean {
  return (
    (c.type === 'lookup' && c.facet.allowMultipleValues === true) ||
    (c.type === 'personOrGroup' && c.facet.allowMultipleSelection === true)
  );
}
