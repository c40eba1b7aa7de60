import type { z } from 'zod';

/**
 * A profile's or a case's problems in words an information-governance lead reads: what the field should be
 * and what it was, not zod's wording ("Invalid input: expected string, received number"). Each problem is
 * "✖ what is wrong" and "→ at where", as `z.prettifyError` lays them out, shallowest first; a message the
 * schema wrote itself (unknown fields, a clause not declared, a day not on the calendar) is kept as written.
 */

type Issue = z.core.$ZodIssue;

const KINDS: Record<string, string> = {
  string: 'text in quotes',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list in [ ]',
  object: 'a group of fields in { }',
  record: 'a group of fields in { }',
  literal: 'a fixed value',
  null: 'null',
};

/** What a JSON value is, in words: `the number 5`, `the text "two"`, `a list`, `nothing (the field is missing)`. */
function found(input: unknown): string {
  if (input === undefined) return 'nothing (the field is missing)';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'string') return `the text "${input.length > 40 ? `${input.slice(0, 40)}…` : input}"`;
  if (typeof input === 'number') return `the number ${input}`;
  if (typeof input === 'boolean') return String(input);
  if (typeof input === 'object') return 'a group of fields';
  return typeof input;
}

const orList = (xs: readonly unknown[]) => {
  const words = xs.map((x) => (typeof x === 'string' ? `"${x}"` : String(x)));
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : (words[0] ?? '');
};

/** Zod's own wording, which an issue keeps when the schema gave none of its own. */
const ZOD_WORDING =
  /^(Invalid input|Invalid option|Invalid discriminator value|Too small|Too big|Invalid string|Invalid key|Invalid element|Invalid value|Unrecognized key)/;

function words(issue: Issue): string {
  const i = issue as Issue & { input?: unknown };
  if (!ZOD_WORDING.test(i.message)) return i.message;
  switch (i.code) {
    case 'invalid_type':
      if (i.input === undefined) return `missing: it needs ${KINDS[i.expected] ?? i.expected}`;
      return `should be ${KINDS[i.expected] ?? i.expected}, not ${found(i.input)}`;
    case 'invalid_value':
      return i.values.length === 1
        ? `should be ${orList(i.values)}, not ${found(i.input)}`
        : `should be one of ${orList(i.values)}, not ${found(i.input)}`;
    case 'too_small': {
      const n = Number(i.minimum);
      if (i.origin === 'array' || i.origin === 'set')
        return n <= 1
          ? 'the list is empty: it needs at least one entry'
          : `the list needs at least ${n} entries`;
      if (i.origin === 'string')
        return n <= 1 ? 'is empty: it needs some text' : `needs at least ${n} characters`;
      return `should be ${i.inclusive === false ? 'more than' : 'at least'} ${n}, not ${found(i.input)}`;
    }
    case 'too_big': {
      const n = Number(i.maximum);
      if (i.origin === 'array' || i.origin === 'set') return `the list can have at most ${n} entries`;
      if (i.origin === 'string') return `can be at most ${n} characters`;
      return `should be ${i.inclusive === false ? 'less than' : 'at most'} ${n}, not ${found(i.input)}`;
    }
    case 'invalid_union': {
      const u = i as typeof i & { discriminator?: string; options?: unknown[] };
      if (u.discriminator && u.options) {
        const given = (i.input as Record<string, unknown> | undefined)?.[u.discriminator];
        return given === undefined
          ? `missing: it is one of ${orList(u.options)}`
          : `${found(given)} is not one of the values it takes: ${orList(u.options)}`;
      }
      const forms = [
        ...new Set(
          i.errors.flatMap((e) => e.map((x) => (x.code === 'invalid_type' ? x.expected : undefined))),
        ),
      ]
        .filter((x): x is string => !!x)
        .map((x) => KINDS[x] ?? x);
      return forms.length
        ? `should be ${orList(forms).replace(/"/g, '')}, not ${found(i.input)}`
        : `is not in a form this field takes (${found(i.input)})`;
    }
    case 'invalid_format':
      return `${found(i.input)} is not in the form this field takes`;
    case 'invalid_key':
      return 'a name here is not one this field takes';
    case 'invalid_element':
      return 'an entry here is not one this field takes';
    default:
      return `${found(i.input)} is not a value this field takes`;
  }
}

function where(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (typeof k === 'string' && /^[A-Za-z_$][\w$]*$/.test(k)) out += out ? `.${k}` : k;
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out;
}

/** Every problem of a failed parse (parsed with `reportInput: true`, so each can say what it found). */
export function plainProblems(error: z.ZodError): string {
  return [...error.issues]
    .sort((a, b) => a.path.length - b.path.length)
    .map((i) => `✖ ${words(i)}${i.path.length ? `\n  → at ${where(i.path)}` : ''}`)
    .join('\n');
}
