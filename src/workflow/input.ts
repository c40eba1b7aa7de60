import { z } from 'zod';
import { fail, type Failure, type Outcome } from './types';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The bounds of every input, in one place (issue 12, fault 10): a date from 1900 to 2100 (SharePoint's date
 * columns take 1900–8900; nothing Overt records is before 1900 or a lifetime ahead), an id or a short text
 * (a name, a platform, an account, a reason's id) at most 200 characters, a free text (a rationale, reasons,
 * a detail, a response) at most 4,000, a list at most 20 items, a request's platforms at most 10 (a platform's
 * name 50 characters, an account 100). Each says so plainly at the boundary; cards stay under Teams' limit
 * (src/bot/cards/build.ts shortens what a card shows past its budget).
 */
export const BOUNDS = {
  firstYear: 1900,
  lastYear: 2100,
  id: 200,
  short: 200,
  long: 4_000,
  items: 20,
  /** A platform's name, an account on it, and how many a request, a check or a consent names. */
  platform: 50,
  account: 100,
  platforms: 10,
} as const;

const n = (x: number) => x.toLocaleString('en-GB');
export const tooLong = (max: number) => `at most ${n(max)} characters: shorten it`;
export const tooMany = (max: number) => `at most ${n(max)} items`;

/** A day or an instant with its offset, a real calendar date (2026-02-30 is not), from 1900 to 2100. */
export const When = z
  .string()
  .max(40, 'expected a date')
  .refine(
    (s) => {
      if (!(DAY.test(s) || INSTANT.test(s)) || Number.isNaN(Date.parse(s))) return false;
      const [y, m, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
      const day = new Date(Date.UTC(y, m - 1, d));
      return day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
    },
    {
      message:
        'expected a real date: a day (2026-03-01) or an instant with its offset (2026-03-01T10:00:00Z)',
      abort: true,
    },
  )
  .refine(
    (s) => {
      const y = Number(s.slice(0, 4));
      return y >= BOUNDS.firstYear && y <= BOUNDS.lastYear;
    },
    { message: `expected a date from ${BOUNDS.firstYear} to ${BOUNDS.lastYear}`, abort: true },
  );

/**
 * Text a person typed, as it reaches any surface (issue 20): the characters that make what a reader sees differ
 * from what was typed are decided here, once, for the bot, the API and the CLI alike.
 * - **Refused**: the direction embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). They reorder
 *   the text around them (an approver reads "approve" where "evorppa" was stored), no keyboard types them, and
 *   removing them silently would change what the person meant: the field says so and nothing is written.
 * - **Removed**: invisible characters with no meaning in typed text: zero-width space, word joiner and the
 *   invisible operators (U+200B, U+2060–U+2064), the deprecated format controls (U+206A–U+206F), the byte order
 *   mark (U+FEFF), the soft hyphen (U+00AD), U+180E and the interlinear annotation marks (U+FFF9–U+FFFB). They
 *   hide where a word breaks or splits a handle or a link so that it reads as another.
 * - **Made ordinary**: the no-break spaces (U+00A0, U+2007, U+202F) become a space and the non-breaking hyphen
 *   (U+2011) a hyphen, so a handle or a time a person pasted can wrap on a phone's card like any other text.
 * The joiners a script needs (U+200C, U+200D: Persian, Indic scripts, emoji) and the direction marks that only
 * nudge neutral characters (U+200E, U+200F, U+061C) are kept: they hide nothing and reorder no word.
 */
export const DIRECTION_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;
export const DIRECTION_MESSAGE =
  'it holds a hidden character that reverses or reorders the text (a direction override, as pasted from elsewhere): type it again without it';
const INVISIBLE = /[\u00AD\u180E\u200B\u2060-\u2064\u206A-\u206F\uFEFF\uFFF9-\uFFFB]/g;
const NO_BREAK_SPACE = /[\u00A0\u2007\u202F]/g;
/** The removals and replacements above (not the refusal: see `typedString`). */
export function neutraliseText(s: string): string {
  return s.replace(INVISIBLE, '').replace(NO_BREAK_SPACE, ' ').replaceAll('\u2011', '-');
}
/** A string as typed: invisible characters removed, no-break spaces made ordinary, direction controls refused. */
export const typedString = (params?: Parameters<typeof z.string>[0]) =>
  z
    .string(params)
    .overwrite(neutraliseText)
    .refine((s) => !DIRECTION_CONTROLS.test(s), { message: DIRECTION_MESSAGE, abort: true });

export const Key = z.string().trim().min(8, 'an idempotency key of at least 8 characters').max(200);
export const Id = typedString().trim().min(1, 'required').max(BOUNDS.id, tooLong(BOUNDS.id));
/** Free text: a rationale, reasons, a detail, a response. */
/** A team's id as it is made (`overt teams add east`, PUT /api/v1/teams/east): one word, as it goes in a
 * command line and a URL; a space in it split the command and was kept as %20 in the API's path. */
export const TeamId = Id.regex(
  /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
  'a team id is one word of letters, digits and hyphens, such as east or east-youth-justice, with no spaces',
);
export const Text = typedString().trim().min(1, 'required').max(BOUNDS.long, tooLong(BOUNDS.long));
/** A name, a platform, an account, a reason or viewer id. */
export const ShortText = typedString().trim().min(1, 'required').max(BOUNDS.short, tooLong(BOUNDS.short));
export const OptionalText = typedString()
  .trim()
  .max(BOUNDS.long, tooLong(BOUNDS.long))
  .optional()
  .transform((s) => (s ? s : undefined));
/**
 * Reasons: why a decision, an exception, a withdrawal, a request or a kept record is justified. One rule for
 * every reasons field (issue 15): a few words, not a mark — at least two words with letters in them and at
 * least six letters in all ("." or "ok" or "n/a" is not a reason).
 */
export const REASONS_MESSAGE = 'give the reasons in a few words';
export function meaningful(s: string): boolean {
  const words = s.split(/\s+/).filter((w) => /\p{L}/u.test(w));
  const letters = s.match(/\p{L}/gu)?.length ?? 0;
  return words.length >= 2 && letters >= 6;
}
/** Reasons that must be given. */
export const Reasons = Text.refine(meaningful, REASONS_MESSAGE);
/** Reasons that may be left out, but when given are reasons. */
export const OptionalReasons = OptionalText.refine((s) => s === undefined || meaningful(s), REASONS_MESSAGE);
/** Free text that may be left empty. */
export const BlankText = typedString().trim().max(BOUNDS.long, tooLong(BOUNDS.long));
/** A platform and an account on it, e.g. instagram and @name. */
export const PlatformAccount = z.object({
  platform: typedString()
    .trim()
    .min(1, 'required')
    .max(BOUNDS.platform, tooLong(BOUNDS.platform))
    .toLowerCase(),
  account: typedString().trim().min(1, 'required').max(BOUNDS.account, tooLong(BOUNDS.account)),
});
export const PlatformAccounts = z.array(PlatformAccount).max(BOUNDS.platforms, tooMany(BOUNDS.platforms));
/** A list of at most BOUNDS.items. */
export const list = <T extends z.ZodType>(item: T) => z.array(item).max(BOUNDS.items, tooMany(BOUNDS.items));

/** Parses a command's input; the failure names the first field at fault. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): Outcome<z.infer<S>> {
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || undefined;
  const failed = fail('INVALID_INPUT', `${field ?? 'input'}: ${issue.message}`, field);
  // Every problem, each by its field (one per field), for a form that marks them all at once.
  const problems = new Map<string, string>();
  for (const x of r.error.issues) {
    const f = x.path.join('.') || 'input';
    if (!problems.has(f)) problems.set(f, x.message);
  }
  if (!failed.ok && problems.size > 1)
    failed.error.problems = [...problems].map(([f, message]) => ({ field: f, message }));
  return failed;
}

/**
 * What a command was given, parsed in the order every command answers in: who acts and on what first, the form
 * after (issue 12 walk: the requester approving their own request with reasons "ok" was told to give the
 * reasons in a few words, and that was the audited reason; "nobody decides their own request" comes first).
 * When the form is at fault but who and what are not, the command is given its `target` with the form's
 * problems as `form`, to answer once it has established that this person may act on that target: a person
 * who may not act is told so, and is never told what is wrong with a form that is not theirs to send. The
 * content is typed only where `form` is absent, so a command cannot read it before that check.
 */
export type Given<S extends z.ZodType, T extends z.ZodType> =
  (z.infer<S> & { form?: undefined }) | (z.infer<T> & { form: Failure });

/**
 * A form a surface has already found at fault before its command ran (the API's body that is not the route's:
 * missing or wrong fields, not JSON, a bad Idempotency-Key), given to the command under this key with the
 * target: the command answers it as its form's problem, once it has established who may act (a symbol, so no
 * JSON body or card can carry it). Without a target the surface's problem is the answer.
 */
export const FORM_AT_FAULT: unique symbol = Symbol('form at fault');
export type FormAtFault = { [FORM_AT_FAULT]?: Failure };

export function parseGiven<S extends z.ZodType, T extends z.ZodType>(
  schema: S,
  target: T | undefined,
  input: unknown,
): Outcome<Given<S, T>> {
  const atFault = (input as FormAtFault | null | undefined)?.[FORM_AT_FAULT];
  if (atFault) {
    const t = target?.safeParse(input);
    return t?.success
      ? { ok: true, value: { ...(t.data as object), form: atFault } as Given<S, T> }
      : { ok: false, error: atFault };
  }
  const full = parse(schema, input);
  if (full.ok || !target) return full as Outcome<Given<S, T>>;
  const t = target.safeParse(input);
  if (!t.success) return full;
  return { ok: true, value: { ...(t.data as object), form: full.error } as Given<S, T> };
}

/**
 * The version of the record a card showed (issue 20), given by every command a card's button can send that
 * changes a record already there: a decision, a withdrawal, an answer, a check, each step of the RIPA route.
 * `undefined`: the caller is no card (the API, the command line, the workflow itself); `null`: a card that
 * named none (a card made before it carried one, or data made by hand) — stale, never "any version".
 */
export const CardVersion = z.string().max(BOUNDS.id).nullable().optional();

/** What a person is told when the card they pressed showed the record as it no longer is. */
export const CARD_OUT_OF_DATE = 'this card is out of date — here is the current one';

/**
 * The one decision whether a card is out of date: it named no version, or another than the record's now.
 * Each command asks it once the person's standing is known and before it looks at what they filled in; a
 * stale card writes nothing (the surface records the refusal: refusals.ts).
 */
export function cardOutOfDate(expected: string | null | undefined, version: string): Failure | undefined {
  if (expected === undefined || expected === version) return undefined;
  return { code: 'CONFLICT', message: CARD_OUT_OF_DATE, field: 'version' };
}
