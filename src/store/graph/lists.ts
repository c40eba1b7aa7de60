import { indexedFields, type ColumnType } from '../indexes';
import { kinds, type Kind } from '../records';

/**
 * The SharePoint lists Overt keeps, one per record kind plus the units (idempotency keys and pending
 * intents) and the audit trail. Every column a query filters or orders on is indexed; a record's whole
 * body is JSON in a multi-line text column. Column API names carry an `ov` prefix so that none can
 * collide with SharePoint's own internal field names (Created, Modified, Author, Order, …).
 */

export type ColumnSpec = {
  name: string;
  type: ColumnType | 'note';
  indexed: boolean;
  unique: boolean;
};

export type ListSpec = { name: string; description: string; columns: ColumnSpec[] };

export const UNITS = 'units';
export const AUDIT = 'audit';
export type ListKey = Kind | typeof UNITS | typeof AUDIT;

/** `childId` → `ovChildId`. */
export function columnName(field: string): string {
  return `ov${field.charAt(0).toUpperCase()}${field.slice(1)}`;
}

/** `request` → `OvertRequest`. */
export function listName(key: ListKey): string {
  return `Overt${key.charAt(0).toUpperCase()}${key.slice(1)}`;
}

export const RECORD_ID = columnName('recordId');
export const BODY = columnName('body');

const col = (name: string, type: ColumnSpec['type'], indexed = false, unique = false): ColumnSpec => ({
  name,
  type,
  indexed: indexed || unique,
  unique,
});

function kindList(kind: Kind): ListSpec {
  return {
    name: listName(kind),
    description: `Overt ${kind} records (body as JSON in ${BODY}; indexed copies of the queried fields)`,
    columns: [
      col(RECORD_ID, 'text', true, true),
      col(BODY, 'note'),
      ...indexedFields(kind).map(([field, type]) => col(columnName(field), type, true)),
    ],
  };
}

/** The units list: one item per idempotency key, pending while its writes land, then done. */
export const UnitColumns = {
  key: columnName('key'),
  state: columnName('state'),
  startedAt: columnName('startedAt'),
  intent: columnName('intent'),
  result: columnName('result'),
} as const;

/** What one multi-line text ("note") column holds: SharePoint refuses a longer value (a 400). A unit's intent
 * and its result are each one such column (units.ts checks them before sending). */
export const NOTE_MAX_CHARS = 63_999;

/** The audit list: one item per event; the unique seq column is what serialises appends. */
export const AuditColumns = {
  seq: columnName('seq'),
  at: columnName('at'),
  key: columnName('key'),
  eventId: columnName('eventId'),
  body: BODY,
} as const;

export const listSpecs: Record<ListKey, ListSpec> = {
  ...(Object.fromEntries(kinds.map((k) => [k, kindList(k)])) as Record<Kind, ListSpec>),
  [UNITS]: {
    name: listName(UNITS),
    description: 'Overt units: idempotency keys, the intent of a unit while it is pending, and its result',
    columns: [
      col(UnitColumns.key, 'text', true, true),
      col(UnitColumns.state, 'text', true),
      col(UnitColumns.startedAt, 'date', true),
      col(UnitColumns.intent, 'note'),
      col(UnitColumns.result, 'note'),
    ],
  },
  [AUDIT]: {
    name: listName(AUDIT),
    description: 'Overt audit trail: append-only, hash-chained events',
    columns: [
      col(AuditColumns.seq, 'number', true, true),
      col(AuditColumns.at, 'date', true),
      col(AuditColumns.key, 'text', true),
      col(AuditColumns.eventId, 'text', true),
      col(AuditColumns.body, 'note'),
    ],
  },
};

export const listKeys = Object.keys(listSpecs) as ListKey[];

/** The columnDefinition body Graph takes for a column. */
export function columnDefinition(c: ColumnSpec): Record<string, unknown> {
  const facet: Record<string, unknown> =
    c.type === 'note'
      ? { text: { allowMultipleLines: true, textType: 'plain' } }
      : c.type === 'text'
        ? { text: { maxLength: 255 } }
        : c.type === 'date'
          ? { dateTime: { format: 'dateTime' } }
          : c.type === 'number'
            ? { number: {} }
            : { boolean: {} };
  return {
    name: c.name,
    displayName: c.name,
    indexed: c.indexed,
    ...(c.unique ? { enforceUniqueValues: true } : {}),
    ...facet,
  };
}
