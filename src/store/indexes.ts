import type { Kind, RecordOf } from './records';

/**
 * The indexed fields of each kind: the only fields a query may filter, range over, order or group by
 * (SharePoint refuses `$filter`/`$orderby` on a column that is not indexed, GRAPH-LISTS.md §2). Each is
 * a scalar field of its record; its type says how the column is stored and compared.
 *
 * Chosen for the reads the tab and the timers need: a child's whole history (every kind by childId),
 * a team's open items (teamId + status), due reminders (child.reminderDueAt), request expiry
 * (request.expiresAt), RIPA reviews (ripa.reviewAt), the dashboard's counts (teamId, status, outcome,
 * thirdPartyData, and the date of each event).
 *
 * Changing this map needs a new migration in src/store/sqlite/migrations.ts (a test checks they agree).
 */
export type ColumnType = 'text' | 'date' | 'number' | 'boolean';

type IndexMap = { [K in Kind]: { readonly [F in keyof RecordOf<K>]?: ColumnType } };

export const indexes = {
  team: { profileId: 'text' },
  staff: { email: 'text', role: 'text' },
  child: {
    caseRef: 'text',
    teamId: 'text',
    workerId: 'text',
    createdAt: 'date',
    consentStatus: 'text',
    reminderDueAt: 'date',
    openObjectionId: 'text',
  },
  request: {
    childId: 'text',
    teamId: 'text',
    requesterId: 'text',
    status: 'text',
    createdAt: 'date',
    updatedAt: 'date',
    expiresAt: 'date',
  },
  decision: { requestId: 'text', childId: 'text', at: 'date' },
  check: {
    requestId: 'text',
    childId: 'text',
    teamId: 'text',
    viewerId: 'text',
    viewedAt: 'date',
    thirdPartyData: 'text',
  },
  consent: { childId: 'text', teamId: 'text', date: 'date' },
  reminder: { childId: 'text', teamId: 'text', givenAt: 'date' },
  objection: { childId: 'text', teamId: 'text', status: 'text', raisedAt: 'date' },
  ripa: { childId: 'text', teamId: 'text', officerId: 'text', reviewAt: 'date', until: 'date' },
  delegation: { fromId: 'text', toId: 'text', until: 'date' },
  conversation: { updatedAt: 'date' },
  review: { year: 'number', reviewerId: 'text' },
  setting: {},
  card: {},
  lease: {},
  projection: {},
} as const satisfies IndexMap;

/** The indexed field names of a kind. */
export type IndexedField<K extends Kind> = Extract<keyof (typeof indexes)[K], string>;

/** The indexed fields of a kind with their column types, in a stable order. */
export function indexedFields(kind: Kind): [string, ColumnType][] {
  return Object.entries(indexes[kind] as Record<string, ColumnType>);
}

/** The column type of an indexed field, or undefined if the field is not indexed. */
export function columnType(kind: Kind, field: string): ColumnType | undefined {
  const map = indexes[kind] as Record<string, ColumnType>;
  return Object.hasOwn(map, field) ? map[field] : undefined;
}

/** The value an indexed column holds for comparison: dates as UTC instants with milliseconds
 * (`2026-01-31T08:00:00.000Z`, so they sort as text), booleans as they are. */
export function indexValue(type: ColumnType, value: unknown): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (type === 'date') return normaliseDate(String(value));
  if (type === 'number') return Number(value);
  if (type === 'boolean') return Boolean(value);
  return String(value);
}

/** An ISO 8601 day or instant as a UTC instant with milliseconds; a day means its midnight UTC. */
export function normaliseDate(value: string): string {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(day ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) throw new Error(`not an ISO 8601 date: ${JSON.stringify(value)}`);
  return date.toISOString();
}

/**
 * Where a stored row differs from the record in its body: its row id, or an indexed column (as the store
 * gives it back: `same` compares one column's stored value with the value the record gives it). A sentence
 * naming the row, or undefined if it agrees.
 */
export function rowProblem(
  kind: Kind,
  rowId: string,
  record: { id?: unknown } & Record<string, unknown>,
  columns: Record<string, unknown>,
  same: (type: ColumnType, stored: unknown, expected: string | number | boolean | null) => boolean,
): string | undefined {
  if (record.id !== rowId)
    return `${kind} row ${rowId} holds the record of ${kind} ${String(record.id)} (copied or moved outside Overt: written by no audit event)`;
  const differ: string[] = [];
  for (const [field, type] of indexedFields(kind)) {
    let expected: string | number | boolean | null;
    try {
      expected = indexValue(type, record[field]);
    } catch {
      expected = null;
    }
    if (!same(type, columns[field] ?? null, expected)) differ.push(field);
  }
  if (differ.length === 0) return undefined;
  return `${kind} ${rowId}: its ${differ.join(', ')} ${differ.length === 1 ? 'column differs' : 'columns differ'} from its record (changed outside Overt)`;
}
