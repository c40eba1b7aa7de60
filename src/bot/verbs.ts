/**
 * The card verbs: one zod schema per `Action.Execute` verb, shared by the cards that send them and the
 * routes that handle them. A card's inputs arrive merged into `action.data`, always as strings, so flags are
 * "true"/"false" and lists are comma-separated.
 */
import { z } from 'zod';

const Id = z.string({ error: 'required: a text id' }).trim().min(1, 'required');
const FormId = z.string().trim().min(8, 'this card has no form id: open a new one');
const Text = z.string({ error: 'required' }).trim().min(1, 'required');
const Optional = z
  .string()
  .trim()
  .optional()
  .transform((s) => (s ? s : undefined));
const Flag = z.enum(['true', 'false']).transform((s) => s === 'true');

/** "instagram: @name" lines (or separated by ";"): the platforms and accounts of a request. */
export const PlatformLines = z
  .string()
  .trim()
  .min(1, 'name at least one platform and account, e.g. "instagram: @name"')
  .transform((s, ctx) => {
    const out: { platform: string; account: string }[] = [];
    for (const line of s
      .split(/[\n;]+/)
      .map((l) => l.trim())
      .filter(Boolean)) {
      const m = /^([A-Za-z][\w .-]*?)\s*[:=]\s*(\S.*)$/.exec(line);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `"${line}": write it as "platform: account"` });
        return z.NEVER;
      }
      out.push({ platform: m[1]!.trim().toLowerCase(), account: m[2]!.trim() });
    }
    return out;
  });

const RequestForm = z.object({
  formId: FormId,
  childId: Id,
  reason: Text,
  platforms: PlatformLines,
  viewer: Text,
  rationale: Optional,
});

const OnRequest = z.object({ requestId: Id });
const Decision = OnRequest.extend({ version: z.string().min(1).optional() });

export const verbs = {
  'request.new': z.object({}),
  'request.preview': RequestForm,
  'request.send': RequestForm,
  'request.refresh': OnRequest,
  'request.approve': Decision.extend({ reasons: Optional }),
  'request.decline': Decision.extend({ reasons: Text.describe('the reasons to decline') }),
  'request.more-info': Decision.extend({ reasons: Text }),
  'request.answer': OnRequest.extend({ formId: FormId, rationale: Text }),
  'request.withdraw': OnRequest.extend({ formId: FormId }),
  'check.open': OnRequest,
  'check.record': OnRequest.extend({
    formId: FormId,
    viewedDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'pick the date of viewing'),
    viewedTime: z.string().regex(/^\d{2}:\d{2}$/, 'pick the time of viewing'),
    accounts: Text,
    relevantInfo: z.string().trim().default(''),
    thirdPartyData: z.enum(['none', 'seen-not-kept', 'kept']),
    thirdPartyRationale: Optional,
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
    givenBy: Text,
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'pick the date'),
    platforms: z.string().trim().default(''),
  }),
  'objection.open': z.object({ childId: Id }),
  'objection.raise': z.object({
    formId: FormId,
    childId: Id,
    raisedBy: Text,
    raisedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'pick the date'),
    detail: z.string().trim().default(''),
  }),
  'requests.mine': z.object({}),
} as const;

export type Verb = keyof typeof verbs;
export type VerbData<V extends Verb> = z.output<(typeof verbs)[V]>;
export const isVerb = (v: string): v is Verb => Object.hasOwn(verbs, v);

/** The data a card puts on an action for a verb (before the user's inputs are merged in). */
export type VerbArgs<V extends Verb> = { [K in keyof z.input<(typeof verbs)[V]>]?: string };
