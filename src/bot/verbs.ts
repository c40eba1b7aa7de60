/**
 * The card verbs: one zod schema per `Action.Execute` verb, shared by the cards that send them and the
 * routes that handle them. A card's inputs arrive merged into `action.data`, always as strings, so flags are
 * "true"/"false" and lists are comma-separated.
 */
import { z } from 'zod';
import { BOUNDS, tooLong, typedString } from '../workflow/input';

/** Bounded as the workflow bounds them (workflow/input.ts), so a card is told at its own boundary. */
const Id = typedString({ error: 'required: a text id' })
  .trim()
  .min(1, 'required')
  .max(BOUNDS.id, tooLong(BOUNDS.id));
const FormId = typedString()
  .trim()
  .min(8, 'this card has no form id: open a new one')
  .max(BOUNDS.id, tooLong(BOUNDS.id));
const Text = typedString({ error: 'required' })
  .trim()
  .min(1, 'required')
  .max(BOUNDS.long, tooLong(BOUNDS.long));
const Short = typedString({ error: 'required' })
  .trim()
  .min(1, 'required')
  .max(BOUNDS.short, tooLong(BOUNDS.short));
const Blank = typedString().trim().max(BOUNDS.long, tooLong(BOUNDS.long));
const Optional = typedString()
  .trim()
  .max(BOUNDS.long, tooLong(BOUNDS.long))
  .optional()
  .transform((s) => (s ? s : undefined));
/** A choice that may be left unpicked (a card sends it empty). */
const OptionalId = typedString()
  .trim()
  .max(BOUNDS.id, tooLong(BOUNDS.id))
  .optional()
  .transform((s) => (s ? s : undefined));
/** A yes or no (a toggle sends "true" or "false"): nothing else — "n", "p", "yes" — is taken for one. */
const Flag = z
  .enum(['true', 'false'], { error: 'tick it or leave it clear: nothing else is a yes or no' })
  .transform((s) => s === 'true');

/**
 * "instagram: @name" lines (or separated by ";"): the platforms and accounts of a request. Each bound is told
 * about its own part: a platform's name, an account, how many — never one message for all three.
 */
export const PlatformLines = typedString()
  .trim()
  .min(1, 'name at least one platform and account, e.g. "instagram: @name"')
  .transform((s, ctx) => {
    const out: { platform: string; account: string }[] = [];
    const lines = s
      .split(/[\n;]+/)
      .map((l) => l.trim())
      .filter(Boolean);
    if (lines.length > BOUNDS.platforms) {
      ctx.addIssue({
        code: 'custom',
        message: `at most ${BOUNDS.platforms} platforms and accounts: ${lines.length} were given`,
      });
      return z.NEVER;
    }
    for (const line of lines) {
      const at = line.search(/[:=]/);
      const platform = at < 0 ? '' : line.slice(0, at).trim();
      const account = at < 0 ? '' : line.slice(at + 1).trim();
      const shown = line.length > 40 ? `${line.slice(0, 40)}…` : line;
      if (!platform || !account || !/^[A-Za-z]/.test(platform)) {
        ctx.addIssue({ code: 'custom', message: `"${shown}": write it as "platform: account"` });
        return z.NEVER;
      }
      if (platform.length > BOUNDS.platform) {
        ctx.addIssue({
          code: 'custom',
          message: `a platform's name is at most ${BOUNDS.platform} characters: "${shown}"`,
        });
        return z.NEVER;
      }
      if (account.length > BOUNDS.account) {
        ctx.addIssue({
          code: 'custom',
          message: `an account is at most ${BOUNDS.account} characters: the one on ${platform.slice(0, BOUNDS.platform)} has ${account.length.toLocaleString('en-GB')}`,
        });
        return z.NEVER;
      }
      if (!/^[A-Za-z][\w .-]*$/.test(platform)) {
        ctx.addIssue({ code: 'custom', message: `"${shown}": write it as "platform: account"` });
        return z.NEVER;
      }
      out.push({ platform: platform.toLowerCase(), account });
    }
    return out;
  });

const RequestForm = z.object({
  formId: FormId,
  /** Picked from the list or the typeahead; else `childRef`, typed where a client has no typeahead. */
  childId: OptionalId,
  childRef: Optional,
  reason: Short,
  platforms: PlatformLines,
  viewer: Short,
  rationale: Optional,
});

const OnRequest = z.object({ requestId: Id });
const OnRipa = z.object({ ripaId: Id });
/** A typed field the workflow checks (so its problem is shown by the field): bounded, may be empty. */
const Field = typedString().trim().max(BOUNDS.long, tooLong(BOUNDS.long)).default('');
/**
 * The version of the record the card showed, on every verb that changes a record already there (issue 20). A
 * card without one, or with anything but text there, is a stale card: `null` here, answered in one place for every such verb (routes.ts), with
 * the current card and nothing done; a version the record has moved on from is refused by the workflow
 * (`cardOutOfDate`), and answered the same way.
 */
const Version = z
  .preprocess(
    // Anything but text (a number, null, an object: an old or hand-made card) names no version the card showed.
    (v) => (typeof v === 'string' ? v : undefined),
    typedString().trim().max(BOUNDS.id, tooLong(BOUNDS.id)).optional(),
  )
  .transform((v) => v || null);
const Decision = OnRequest.extend({ version: Version });
/** A page of a list card, from 1 (typed "my requests 2", or a card's page button). */
const Page = typedString()
  .trim()
  .regex(/^\d{1,5}$/, 'a page is a number')
  .optional()
  .transform((s) => (s ? Math.max(1, Number(s)) : 1));
const OnRipaVersion = OnRipa.extend({ version: Version });

export const verbs = {
  /** A blank form, or one with the child chosen (from the child's summary). */
  'request.new': z.object({ childId: Id.optional() }),
  'request.preview': RequestForm,
  'request.send': RequestForm,
  'request.refresh': OnRequest,
  'request.approve': Decision.extend({ reasons: Optional }),
  'request.decline': Decision.extend({ reasons: Field }),
  'request.more-info': Decision.extend({ reasons: Field }),
  'request.answer': Decision.extend({ formId: FormId, rationale: Text }),
  'request.withdraw': Decision.extend({ formId: FormId }),
  'check.open': OnRequest,
  'check.record': Decision.extend({
    formId: FormId,
    viewedDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'pick the date of viewing'),
    viewedTime: z.string().regex(/^\d{2}:\d{2}$/, 'pick the time of viewing'),
    /** May be empty: "tick the accounts" is said with the workflow's other problems, in one reply. */
    accounts: Blank.default(''),
    relevantInfo: Blank.default(''),
    thirdPartyData: z.enum(['none', 'seen-not-kept', 'kept']),
    thirdPartyRationale: Optional,
    /** The team manager who authorised keeping other people's information (000 §17). */
    thirdPartyAuthorisedBy: OptionalId,
    /** Who viewed, on the route where the team manager with social media responsibility views (000 §13). */
    viewerId: OptionalId,
    sensitive: Flag,
    safeguardingFollowUp: Optional,
    attestNoFriendFollow: Flag,
    attestOpenSourceOnly: Flag,
  }),
  'child.summary': z.object({ childId: Id }),
  'consent.open': z.object({ childId: Id }),
  'consent.record': z.object({
    formId: FormId,
    childId: Id,
    givenBy: Short,
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'pick the date'),
    platforms: Blank.default(''),
  }),
  'objection.open': z.object({ childId: Id }),
  'objection.raise': z.object({
    formId: FormId,
    childId: Id,
    raisedBy: Short,
    raisedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'pick the date'),
    detail: Blank.default(''),
  }),
  /** A page of the person's requests, from 1 ("my requests 2", the card's Older and Newer). */
  'requests.mine': z.object({ page: Page }),
  /** A page of what waits for the person's decision, from 1 ("waiting for me 2", the card's page buttons). */
  'requests.waiting': z.object({ page: Page }),
  /** "hi": what the person's role comes to do (handlers/hello.ts). */
  hello: z.object({}),
  // The RIPA route (000 §12). Every field a person types is optional here: a missing or wrong one comes back
  // from the workflow by its field, on the same card with what was typed kept.
  /** A page of the RIPA queue, from 1 ("ripa 2", the card's page buttons). */
  'ripa.queue': z.object({ page: Page }),
  'ripa.open': OnRequest,
  'ripa.authorise': Decision.extend({
    formId: FormId,
    reference: Field,
    offence: Field,
    maxSentenceMonths: Field,
    necessity: Field,
    proportionality: Field,
    legalAdvice: Field,
    grantedOn: Field,
    magistrateApprovedOn: Field,
    from: Field,
    until: Field,
    reviewAt: Field,
    confidentialInfoLikely: Flag.default(false),
    authoriserInvolved: Flag.default(false),
    authoriserInvolvedReason: Field,
  }),
  'ripa.refuse': Decision.extend({ formId: FormId, ground: Field, refuseReasons: Field }),
  'ripa.show': OnRipa,
  'ripa.review': OnRipaVersion.extend({
    formId: FormId,
    reviewedOn: Field,
    reviewNotes: Field,
    nextReviewAt: Field,
  }),
  'ripa.renew': OnRipaVersion.extend({
    formId: FormId,
    renewedOn: Field,
    renewUntil: Field,
    renewReasons: Field,
    renewMagistrateOn: Field,
    renewNextReviewAt: Field,
  }),
  'ripa.cancel': OnRipaVersion.extend({ formId: FormId, cancelOn: Field, cancelReasons: Field }),
  'ripa.magistrate': OnRipaVersion.extend({ formId: FormId, approvedOn: Field }),
  'ripa.correct': OnRipaVersion.extend({
    formId: FormId,
    fixOffence: Field,
    fixMaxSentenceMonths: Field,
    fixNecessity: Field,
    fixProportionality: Field,
    fixLegalAdvice: Field,
    fixGrantedOn: Field,
    fixMagistrateApprovedOn: Field,
    fixConfidentialInfoLikely: Flag.optional(),
    fixAuthoriserInvolved: Flag.optional(),
    fixAuthoriserInvolvedReason: Field,
    fixReason: Field,
  }),
} as const;

export type Verb = keyof typeof verbs;
export type VerbData<V extends Verb> = z.output<(typeof verbs)[V]>;
export const isVerb = (v: string): v is Verb => Object.hasOwn(verbs, v);

/** The verbs that change a record already there, whose card names the version of it that it showed. */
export type VersionedVerb = {
  [V in Verb]: 'version' extends keyof (typeof verbs)[V]['shape'] ? V : never;
}[Verb];
export const isVersioned = (v: Verb): v is VersionedVerb => Object.hasOwn(verbs[v].shape, 'version');

/** The data a card puts on an action for a verb (before the user's inputs are merged in). */
export type VerbArgs<V extends Verb> = { [K in keyof z.input<(typeof verbs)[V]>]?: string };
