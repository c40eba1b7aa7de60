// Request bodies, validated with zod; the types come from the schemas.
import { z } from 'zod';

const Text = z.object({
  allowMultipleLines: z.boolean().optional(),
  appendChangesToExistingText: z.boolean().optional(),
  linesForEditing: z.number().int().optional(),
  maxLength: z.number().int().positive().optional(),
  textType: z.string().optional(),
});
const NumberFacet = z.object({
  decimalPlaces: z.string().optional(),
  displayAs: z.string().optional(),
  maximum: z.number().optional(),
  minimum: z.number().optional(),
});
const DateTimeFacet = z.object({
  displayAs: z.string().optional(),
  format: z.enum(['dateOnly', 'dateTime']).optional(),
});
const Choice = z.object({
  allowTextEntry: z.boolean().optional(),
  choices: z.array(z.string()).min(1),
  displayAs: z.string().optional(),
});
const Lookup = z.object({
  allowMultipleValues: z.boolean().optional(),
  allowUnlimitedLength: z.boolean().optional(),
  columnName: z.string().min(1),
  listId: z.string().min(1),
  primaryLookupColumnId: z.string().optional(),
});
const Person = z.object({
  allowMultipleSelection: z.boolean().optional(),
  chooseFromType: z.string().optional(),
  displayAs: z.string().optional(),
});

export const COLUMN_TYPES = [
  'text',
  'number',
  'dateTime',
  'boolean',
  'choice',
  'lookup',
  'personOrGroup',
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export const ColumnInput = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'name must be an API name: letters, digits, _')
      .optional(),
    displayName: z.string().min(1).optional(),
    description: z.string().optional(),
    indexed: z.boolean().optional(),
    enforceUniqueValues: z.boolean().optional(),
    required: z.boolean().optional(),
    hidden: z.boolean().optional(),
    text: Text.optional(),
    number: NumberFacet.optional(),
    dateTime: DateTimeFacet.optional(),
    boolean: z.object({}).optional(),
    choice: Choice.optional(),
    lookup: Lookup.optional(),
    personOrGroup: Person.optional(),
  })
  .refine((c) => c.name !== undefined || c.displayName !== undefined, 'Give the column a name or displayName')
  .refine(
    (c) => COLUMN_TYPES.filter((t) => c[t] !== undefined).length === 1,
    `Give exactly one type facet: ${COLUMN_TYPES.join(', ')}`,
  );
export type ColumnInput = z.infer<typeof ColumnInput>;

export const ColumnPatch = z.object({
  indexed: z.boolean().optional(),
  enforceUniqueValues: z.boolean().optional(),
  description: z.string().optional(),
  displayName: z.string().min(1).optional(),
  required: z.boolean().optional(),
  hidden: z.boolean().optional(),
});

export const ListInput = z.object({
  displayName: z.string().min(1),
  description: z.string().optional(),
  columns: z.array(z.unknown()).optional(),
  list: z.object({ template: z.string().optional(), hidden: z.boolean().optional() }).optional(),
});

export const FieldValues = z.record(z.string(), z.unknown());
export type FieldValues = z.infer<typeof FieldValues>;

export const ItemInput = z.object({ fields: FieldValues.optional() });

export const BatchInput = z.object({
  requests: z.array(
    z.object({
      id: z.string().min(1),
      method: z.string().min(1),
      url: z.string().min(1),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
      dependsOn: z.array(z.string()).optional(),
    }),
  ),
});
export type BatchInput = z.infer<typeof BatchInput>;

export function describe(error: z.ZodError): string {
  return z.prettifyError(error).replace(/\n+/g, ' ');
}
