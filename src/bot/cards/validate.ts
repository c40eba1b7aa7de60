/**
 * Checks card JSON against the official Adaptive Card 1.5 JSON schema (vendored in ./schema, see
 * ./schema/SOURCE.md), plus the Teams host extensions Overt uses and a few rules of Overt's own.
 *
 * - The 1.5 schema does not know Teams' extensions, and forbids unknown properties, so they are taken out
 *   before the schema check and checked here with their own zod schemas: the card's `msteams`
 *   (`{ width: "Full" }`) and an Input.ChoiceSet's `choices.data` (Teams' `Data.Query` typeahead).
 * - Overt's own rules: the root is an `AdaptiveCard` of version 1.5; element and input ids are unique
 *   (inputs are submitted by id); every `Action.Execute` names a verb (the bot's routes are keyed by verb).
 *
 * Errors come back as values: each names the JSON pointer of the offending part and what is wrong.
 */
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';
import { z } from 'zod';
import officialSchema from './schema/adaptive-card-1.5.json';

export type CardProblem = { path: string; message: string };
export type CardCheck = { ok: true } | { ok: false; problems: CardProblem[]; message: string };

const TeamsCardProperties = z.strictObject({ width: z.literal('Full') });
const DataQuery = z.strictObject({
  type: z.literal('Data.Query'),
  dataset: z.string().min(1),
  count: z.number().int().positive().optional(),
  skip: z.number().int().nonnegative().optional(),
});

type Json = unknown;
type JsonObject = { [key: string]: Json };

const isObject = (value: Json): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The definitions that make up one type's own shape: those it reaches through `$ref` without passing
 * through an `ImplementationsOf.*` choice (which is where a child element or action starts). For a
 * TextBlock: Extendable.Element, Spacing, Colors…; for a FactSet: Fact; for a ColumnSet: Column.
 */
const definitions = officialSchema.definitions as Record<string, unknown>;
const reachCache = new Map<string, Set<string>>();
function ownDefinitions(type: string): Set<string> {
  const cached = reachCache.get(type);
  if (cached) return cached;
  const reached = new Set<string>([type]);
  const queue = [type];
  while (queue.length > 0) {
    const visit = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') {
          const name = value.replace('#/definitions/', '');
          if (!name.startsWith('ImplementationsOf.') && !reached.has(name)) {
            reached.add(name);
            queue.push(name);
          }
        } else visit(value);
      }
    };
    visit(definitions[queue.shift()!]);
  }
  reachCache.set(type, reached);
  return reached;
}

/** Which definition each sub-schema of the official schema belongs to (Ajv reports errors against sub-schemas). */
const owner = new WeakMap<object, string>();
for (const [name, definition] of Object.entries(definitions)) {
  const mark = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    owner.set(node, name);
    Object.values(node).forEach(mark);
  };
  mark(definition);
}

let compiled: ReturnType<Ajv['compile']> | undefined;

function schemaValidator(): ReturnType<Ajv['compile']> {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, strictTypes: false, verbose: true });
  ajv.addMetaSchema(draft06);
  // Annotations the Adaptive Card schema carries for its own tooling.
  ajv.addVocabulary(['version', 'features', 'example']);
  addFormats(ajv);
  // The schema names itself with the draft-04 keyword `id` although it declares draft-06, whose keyword is
  // `$id`; Ajv 8 refuses `id`, so it is renamed here. Nothing else in the vendored file is changed.
  const { id, ...rest } = officialSchema;
  compiled = ajv.compile({ $id: id, ...rest });
  return compiled;
}

const pointer = (segments: (string | number)[]): string =>
  segments.length === 0
    ? '/'
    : '/' + segments.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** Takes the Teams extensions out of a deep copy of the card, checking each; returns what the schema should see. */
function withoutTeamsExtensions(card: Json, problems: CardProblem[]): Json {
  const strip = (value: Json, path: (string | number)[]): Json => {
    if (Array.isArray(value)) return value.map((item, i) => strip(item, [...path, i]));
    if (!isObject(value)) return value;
    const copy: JsonObject = {};
    for (const [key, child] of Object.entries(value)) {
      if (path.length === 0 && key === 'msteams') {
        const parsed = TeamsCardProperties.safeParse(child);
        if (!parsed.success) problems.push({ path: '/msteams', message: z.prettifyError(parsed.error) });
        continue;
      }
      if (key === 'choices.data' && value['type'] === 'Input.ChoiceSet') {
        const parsed = DataQuery.safeParse(child);
        if (!parsed.success)
          problems.push({ path: pointer([...path, key]), message: z.prettifyError(parsed.error) });
        continue;
      }
      copy[key] = strip(child, [...path, key]);
    }
    return copy;
  };
  return strip(card, []);
}

/** Overt's own rules, beyond the schema. */
function overtRules(card: Json, problems: CardProblem[]): void {
  if (!isObject(card)) {
    problems.push({ path: '/', message: 'a card must be a JSON object' });
    return;
  }
  if (card['type'] !== 'AdaptiveCard') problems.push({ path: '/type', message: 'must be "AdaptiveCard"' });
  if (card['version'] !== '1.5')
    problems.push({ path: '/version', message: 'must be "1.5" (the version Overt targets)' });
  const seen = new Map<string, string>();
  const walk = (value: Json, path: (string | number)[]): void => {
    if (Array.isArray(value)) return value.forEach((item, i) => walk(item, [...path, i]));
    if (!isObject(value)) return;
    const type = value['type'];
    const here = pointer(path);
    if (
      typeof type === 'string' &&
      typeof value['id'] === 'string' &&
      path.length > 0 &&
      type !== 'TokenExchangeResource'
    ) {
      const first = seen.get(value['id']);
      if (first)
        problems.push({ path: here + '/id', message: `id "${value['id']}" is already used at ${first}` });
      else seen.set(value['id'], here);
    }
    if (type === 'Action.Execute' && (typeof value['verb'] !== 'string' || value['verb'].trim() === '')) {
      problems.push({ path: here, message: 'an Action.Execute must name its verb' });
    }
    for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
  };
  walk(card, []);
}

/** The value at a JSON pointer as Ajv reports it (`/body/0/type`). */
function at(root: Json, instancePath: string): Json {
  let value = root;
  for (const raw of instancePath.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) value = value[Number(key)];
    else if (isObject(value)) value = value[key];
    else return undefined;
  }
  return value;
}

/** The nearest object with a `type` at or above a path (an element, an action, the card). */
function nearestTyped(root: Json, instancePath: string): { path: string; type: string } | undefined {
  const parts = instancePath.split('/');
  for (let n = parts.length; n >= 1; n--) {
    const path = parts.slice(0, n).join('/');
    const value = at(root, path);
    if (isObject(value) && typeof value['type'] === 'string')
      return { path: path || '/', type: value['type'] };
  }
  return undefined;
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties')
    return `has a property the schema does not allow: "${String(params['additionalProperty'])}"`;
  if (error.keyword === 'enum')
    return `${error.message ?? 'is not allowed'}: ${JSON.stringify(params['allowedValues'])}`;
  return error.message ?? error.keyword;
}

/** "must be string" and "must be object" at one path (an anyOf of types) read as one problem. */
function mergeTypeErrors(problems: CardProblem[]): CardProblem[] {
  const merged: CardProblem[] = [];
  for (const problem of problems) {
    const type = /^must be (\w+)$/.exec(problem.message)?.[1];
    const earlier =
      type && merged.find((p) => p.path === problem.path && /^must be \w+( or \w+)*$/.test(p.message));
    if (earlier) earlier.message += ` or ${type}`;
    else merged.push({ ...problem });
  }
  return merged;
}

/**
 * The schema's errors, cut down to the useful ones. Elements are matched through `anyOf` over every type,
 * so a broken TextBlock also "fails" as an Image, a Container…; only the errors of the branch for the
 * element's own type are kept. An element whose type is not a 1.5 type gets one plain message.
 */
function readable(errors: ErrorObject[], card: Json): CardProblem[] {
  const problems: CardProblem[] = [];
  const keys = new Set<string>();
  const push = (path: string, message: string): void => {
    const key = `${path}\u0000${message}`;
    if (!keys.has(key)) {
      keys.add(key);
      problems.push({ path, message });
    }
  };
  const offBranch = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'allOf') continue;
    const path = error.instancePath || '/';
    if (
      error.keyword === 'required' &&
      (error.params as { missingProperty?: string }).missingProperty === 'type'
    ) {
      push(path, 'an element or action must say its "type"');
      continue;
    }
    const typed = nearestTyped(card, error.instancePath);
    if (typed && !(typed.type in definitions)) {
      push(typed.path + '/type', `"${typed.type}" is not an Adaptive Card 1.5 element or action type`);
      continue;
    }
    // Elements are matched through `anyOf` over every type, so a broken TextBlock also "fails" as an Image,
    // an Input…: keep only errors from the definitions that make up the nearest element's own type.
    const from = typeof error.parentSchema === 'object' ? owner.get(error.parentSchema) : undefined;
    if (from && typed && !ownDefinitions(typed.type).has(from)) {
      offBranch.add(typed.path);
      continue;
    }
    if (
      error.keyword === 'pattern' &&
      errors.some((e) => e.keyword === 'enum' && e.instancePath === error.instancePath)
    ) {
      continue;
    }
    push(path, describe(error));
  }
  // An element whose anyOf failed with no error of its own type at or below it is of a type not allowed
  // where it stands (a Column directly in a body, an Input as a card action).
  for (const path of offBranch) {
    const prefix = path === '/' ? '/' : path + '/';
    if (problems.some((p) => p.path === path || p.path.startsWith(prefix))) continue;
    const type = String((at(card, path === '/' ? '' : path) as JsonObject)['type']);
    push(path + '/type', `a "${type}" is not allowed here`);
  }
  if (problems.length === 0 && errors.length > 0) {
    for (const error of errors.slice(0, 5)) push(error.instancePath || '/', describe(error));
  }
  return mergeTypeErrors(problems);
}

export function validateCard(card: unknown): CardCheck {
  const problems: CardProblem[] = [];
  overtRules(card, problems);
  const forSchema = withoutTeamsExtensions(card, problems);
  const validate = schemaValidator();
  if (!validate(forSchema)) problems.push(...readable(validate.errors ?? [], forSchema));
  if (problems.length === 0) return { ok: true };
  const lines = problems.map((p) => `  ${p.path}: ${p.message}`);
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return { ok: false, problems, message: `Not a valid Adaptive Card 1.5 (${count}):\n${lines.join('\n')}` };
}

/** For tests and startup checks: throws with the readable message when the card is not valid. */
export function assertValidCard(card: unknown): void {
  const check = validateCard(card);
  if (!check.ok) throw new Error(check.message);
}
