/**
 * The RIPA route (000 §12) for a local authority: a repeat viewing inside three months, for a criminal
 * purpose, goes to an authorising officer, who either records a directed-surveillance authorisation — its
 * unique reference, the offence and its maximum sentence (over six months in prison), necessity and
 * proportionality, the legal advice taken, the period, the magistrate's approval where the profile needs
 * it, whether confidential information is likely and whether they are involved in the case — or refuses it
 * with reasons. The check then proceeds under the authorisation; reviews fall due (the timers remind the
 * officer), and renewal and cancellation are recorded. Each step is one unit with its audit event; every
 * refusal is an audit event too.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { addMonthsToDay, dayOf, type Day } from '../policy/days';
import type { Profile } from '../policy/profile';
import type { Request, Ripa, RipaCorrection, RipaRenewal, RipaReview } from '../store/records';
import { childCommand, roleIn, type ChildCtx, type Step } from './child-command';
import {
  CardVersion,
  cardOutOfDate,
  Id,
  Key,
  OptionalText,
  parseGiven,
  ShortText,
  Text,
  When,
} from './input';
import { clausesAbout } from './policy-facts';
import { decideRequest, type Decided } from './requests';
import { fail, type Deps, type Failure, type Outcome } from './types';
import { onRipaRoute } from './queries/request';
import { awaitingMagistrate, coverFor, grantedFor, reliesOnRipa, ripaName } from './ripa-cover';
import type { AuditDraft } from '../store/audit';
import type { Write } from '../store/store';
import { dateGb, MAX_SENTENCE } from '../vocabulary';

/** Directed surveillance is only for an offence "punishable by over six months in prison" (000 §12, the
 * seed's words): the maximum sentence must be MORE than this many months; a six-month maximum is not enough. */
export const SENTENCE_THRESHOLD_MONTHS = 6;
/** Whether an offence's maximum sentence (in months) is enough for directed surveillance (000 §12). */
export const sentenceAllowsSurveillance = (months: number) => months > SENTENCE_THRESHOLD_MONTHS;
/** The seed's words for the threshold, used wherever it is stated to a person. */
export const SENTENCE_THRESHOLD_WORDS = 'punishable by over six months in prison';
/** A directed-surveillance authorisation lasts three months, and a renewal three months more. */
export const RIPA_PERIOD_MONTHS = 3;

const YesNo = z.boolean({ error: 'say yes or no' });
/** The offence's maximum sentence: one of the sentences the form lists (MAX_SENTENCE), never another number —
 * a value no form offers is forged or mistaken, and the central record would carry it. */
const Months = z
  .number({ error: 'choose the maximum sentence' })
  .refine((n) => Object.hasOwn(MAX_SENTENCE, String(n)), {
    message: `choose one of the maximum sentences listed: ${Object.values(MAX_SENTENCE).join('; ')}`,
  });

/**
 * The Covert Surveillance and Property Interference Code of Practice: an authorising officer should not
 * authorise an operation they are directly involved in, except where it is unavoidable; where they do, the
 * central record highlights it. So an officer who is involved says why it could not be avoided.
 */
export const INVOLVED_WORDS =
  'you are involved in this case: say why it could not be avoided that you authorise it (the code of practice expects an authorising officer not to authorise a case they are involved in, unless that is unavoidable)';
const involvementProblems = (involved: boolean, reason: string | undefined) =>
  involved && !reason ? [{ field: 'authoriserInvolvedReason', message: INVOLVED_WORDS }] : [];

/** A day as people read it: 1 December 2026. */
const dayText = (d: Day) => dateGb(d);

export const AuthoriseRipaInput = z.object({
  key: Key,
  actorId: Id,
  childId: Id,
  /** The escalated check request this authorisation is granted on: approved under it in the same call. */
  requestId: Id.optional(),
  /** The version of that request the application card showed (`cardOutOfDate`). */
  expectedVersion: CardVersion,
  reference: ShortText,
  offence: ShortText,
  /** The offence's maximum sentence in months (life: 9999). */
  maxSentenceMonths: Months,
  necessity: Text,
  proportionality: Text,
  legalAdvice: Text,
  grantedOn: When,
  magistrateApprovedOn: When.optional(),
  from: When,
  until: When,
  reviewAt: When,
  confidentialInfoLikely: YesNo,
  authoriserInvolved: YesNo,
  /** Involved: why it could not be avoided that they authorise it (`INVOLVED_WORDS`). */
  authoriserInvolvedReason: OptionalText,
});
export type AuthoriseRipaInput = z.input<typeof AuthoriseRipaInput>;

/** The record's id from its reference, so a reference can be used once only, on either store. */
export function ripaIdOf(reference: string): string {
  const norm = reference.trim().toUpperCase().replace(/\s+/g, ' ');
  return `ripa-${createHash('sha256').update(norm).digest('hex').slice(0, 24)}`;
}

const bad = (field: string, message: string): Failure => ({
  code: 'INVALID_INPUT',
  message: `${field}: ${message}`,
  field,
});

/** Problems by their fields, said together (a form marks them all at once): the first is the failure's own. */
function together(problems: { field: string; message: string }[]): Failure | undefined {
  const [first] = problems;
  if (!first) return undefined;
  return {
    code: 'INVALID_INPUT',
    message: `${first.field}: ${first.message}`,
    field: first.field,
    ...(problems.length > 1
      ? { problems: problems.map((p) => ({ field: p.field, message: `${p.field}: ${p.message}` })) }
      : {}),
  };
}

/** The rules of the period, in the profile's calendar: every problem, each by its field (at most one a field).
 * `applied` is when the request it authorises was made: nothing is granted before it was asked for. Where the
 * profile needs a magistrate's approval and no date is given, the authorisation waits for it
 * (`recordMagistrateApproval`). */
function periodProblems(
  profile: Profile,
  today: Day,
  i: { grantedOn: string; magistrateApprovedOn?: string; from: string; until: string; reviewAt: string },
  applied?: Day,
): { field: string; message: string }[] {
  const tz = profile.timeZone;
  const granted = dayOf(i.grantedOn, tz);
  const from = dayOf(i.from, tz);
  const until = dayOf(i.until, tz);
  const review = dayOf(i.reviewAt, tz);
  const out: { field: string; message: string }[] = [];
  const add = (field: string, message: string) => {
    if (!out.some((p) => p.field === field)) out.push({ field, message });
  };
  if (granted > today) add('grantedOn', 'the date granted cannot be in the future');
  if (applied && granted < applied)
    add(
      'grantedOn',
      `the check it authorises was asked for on ${dateGb(applied)}: it cannot be granted before that`,
    );
  if (profile.ripa?.judicialApproval && i.magistrateApprovedOn) {
    const approved = dayOf(i.magistrateApprovedOn, tz);
    if (approved < granted)
      add(
        'magistrateApprovedOn',
        `a magistrate approves an authorisation after it is granted (${dateGb(granted)}), not before`,
      );
    if (approved > today)
      add(
        'magistrateApprovedOn',
        'the approval date cannot be in the future: leave it empty until a magistrate has approved it',
      );
    if (from < approved) add('from', 'it cannot take effect before the magistrate approved it');
  }
  if (from < granted) add('from', 'it cannot take effect before it was granted');
  if (until <= from) add('until', 'the end must be after the start');
  const max = addMonthsToDay(from, RIPA_PERIOD_MONTHS);
  if (until >= max)
    add(
      'until',
      `an authorisation lasts at most three months: it must end by ${dayText(addDaysToDay(max, -1))}; renew it to go on`,
    );
  if (review < from || review > until) add('reviewAt', 'the first review must fall within the period');
  return out;
}

const periodProblem = (...args: Parameters<typeof periodProblems>): Failure | undefined =>
  together(periodProblems(...args));

function addDaysToDay(day: Day, days: number): Day {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}

/** The RIPA route must exist in the team's profile: its clause is what every RIPA event cites. */
function ripaClauses(ctx: ChildCtx): string[] | Failure {
  const cites = clausesAbout(ctx.profile, 'ripaInForce');
  return cites.length
    ? cites
    : {
        code: 'POLICY_REFUSED',
        message: `${ctx.profile.name} has no RIPA route: no surveillance can be authorised under it`,
      };
}

export interface Authorised {
  ripa: Ripa;
  /** The request approved under it, when one was named; or why it could not be (awaiting the magistrate's
   * approval, it waits too). */
  request?: { id: string; status: string; problem?: string };
}

/**
 * The authorising officer records a directed-surveillance authorisation (000 §12). With a request, the
 * request is then approved under it (a decision by the officer the policy now allows), so the case manager
 * records the check. A bad field writes nothing and names the field; an offence under the threshold is a
 * problem by the sentence (refuse the application instead).
 */
export async function authoriseRipa(deps: Deps, input: AuthoriseRipaInput): Promise<Outcome<Authorised>> {
  const parsed = parseGiven(AuthoriseRipaInput, ChildTarget, input);
  if (!parsed.ok) return parsed;
  const i = parsed.value;
  // The request it is granted on, as the card showed it: checked once the officer's standing is (the role, the
  // child's team), before the form — and on the first attempt only (`childFactsCommand` says why).
  let attempt = 0;
  let applied: Day | undefined;
  const onRequest = async (ctx: ChildCtx): Promise<Failure | undefined> => {
    const first = attempt++ === 0;
    if (!i.requestId) return undefined;
    const req = await deps.store.get('request', i.requestId);
    if (!req || req.record.childId !== ctx.child.id)
      return bad('requestId', 'this request is not about this child');
    if (!onRipaRoute(req.record))
      return {
        code: 'WRONG_STATE',
        message: 'this request is not waiting for an authorising officer',
        field: 'requestId',
      };
    applied = dayOf(req.record.createdAt, ctx.profile.timeZone);
    return first ? cardOutOfDate(i.expectedVersion, req.version) : undefined;
  };
  // A form at fault is answered once the officer's standing is, and the card is known to be current.
  if (i.form) {
    const form = i.form;
    return childCommand(
      deps,
      i,
      'ripa.authorise',
      roleIn('authorised-officer'),
      async (ctx) => (await onRequest(ctx)) ?? form,
    );
  }
  const id = ripaIdOf(i.reference);
  const made = await childCommand(
    deps,
    i,
    'ripa.authorise',
    roleIn('authorised-officer'),
    async (ctx): Promise<Step<Stepped>> => {
      const cites = ripaClauses(ctx);
      if (!Array.isArray(cites)) return cites;
      const notNow = await onRequest(ctx);
      if (notNow) return notNow;
      // Every problem with what was filled in, each by its field, said together (issue 13 walk, finding 4:
      // one a send took six sends).
      const problem = together([
        ...((await deps.store.get('ripa', id))
          ? [
              {
                field: 'reference',
                message: `${i.reference} is already the reference of another authorisation`,
              },
            ]
          : []),
        ...(sentenceAllowsSurveillance(i.maxSentenceMonths)
          ? []
          : [
              {
                field: 'maxSentenceMonths',
                message: `directed surveillance is only for an offence ${SENTENCE_THRESHOLD_WORDS}: refuse the application instead`,
              },
            ]),
        ...involvementProblems(i.authoriserInvolved, i.authoriserInvolvedReason),
        ...periodProblems(ctx.profile, dayOf(deps.clock().toISOString(), ctx.profile.timeZone), i, applied),
      ]);
      if (problem) return problem;
      // One authorisation a request: one already recorded for it (awaiting a magistrate, say) is the one to act on.
      const already = i.requestId
        ? (await deps.store.query('ripa', { where: { childId: ctx.child.id } })).find(
            (x) => x.record.requestId === i.requestId && !x.record.cancelledAt,
          )
        : undefined;
      if (already)
        return {
          code: 'WRONG_STATE',
          message: `requestId: ${ripaName(already.record)} is already recorded for this request${awaitingMagistrate(already.record) ? ', awaiting the magistrate’s approval: record the date a magistrate approved it on that authorisation' : ''}`,
          field: 'requestId',
        };
      const tz = ctx.profile.timeZone;
      const awaiting = profileNeedsMagistrate(ctx.profile) && !i.magistrateApprovedOn;
      const ripa: Ripa = {
        id,
        childId: ctx.child.id,
        teamId: ctx.child.teamId,
        officerId: ctx.staff.id,
        reference: i.reference,
        ...(i.requestId ? { requestId: i.requestId } : {}),
        legalAdviceRef: i.legalAdvice,
        offence: i.offence,
        maxSentenceMonths: i.maxSentenceMonths,
        necessity: i.necessity,
        proportionality: i.proportionality,
        grantedAt: dayOf(i.grantedOn, tz),
        ...(i.magistrateApprovedOn ? { magistrateApprovedOn: dayOf(i.magistrateApprovedOn, tz) } : {}),
        ...(awaiting ? { awaitingMagistrate: true } : {}),
        confidentialInfoLikely: i.confidentialInfoLikely,
        authoriserInvolved: i.authoriserInvolved,
        ...(i.authoriserInvolved && i.authoriserInvolvedReason
          ? { authoriserInvolvedReason: i.authoriserInvolvedReason }
          : {}),
        from: dayOf(i.from, tz),
        until: dayOf(i.until, tz),
        reviewAt: dayOf(i.reviewAt, tz),
        reviews: [],
        renewals: [],
      };
      return {
        writes: [{ kind: 'ripa', record: ripa, ifVersion: null }],
        audit: {
          target: { kind: 'ripa', id: ripa.id },
          outcome: 'authorised',
          cites,
          details: {
            childId: ctx.child.id,
            reference: i.reference,
            requestId: i.requestId ?? null,
            offence: i.offence,
            maxSentenceMonths: i.maxSentenceMonths,
            from: ripa.from,
            until: ripa.until,
            reviewAt: ripa.reviewAt,
            magistrateApprovedOn: ripa.magistrateApprovedOn ?? null,
            awaitingMagistrate: awaiting,
            confidentialInfoLikely: i.confidentialInfoLikely,
            authoriserInvolved: i.authoriserInvolved,
            ...(ripa.authoriserInvolvedReason
              ? { authoriserInvolvedReason: ripa.authoriserInvolvedReason }
              : {}),
            legalAdvice: i.legalAdvice,
          },
        },
        value: ripa,
      };
    },
  );
  if (!made.ok) {
    // Two officers with one reference at once: the second's unit conflicts on the record's id.
    if (made.error.code === 'CONFLICT' && (await deps.store.get('ripa', id))?.record.reference !== undefined)
      return fail(
        'INVALID_INPUT',
        `reference: ${i.reference} is already the reference of another authorisation`,
        'reference',
      );
    return made;
  }
  const ripa = made.value;
  if (!i.requestId) return { ...made, value: { ripa } };
  if (awaitingMagistrate(ripa))
    return { ...made, value: { ripa, request: { id: i.requestId, status: 'escalated' } } };
  return { ...made, value: { ripa, request: await approveUnder(deps, i.key, i.actorId, ripa) } };
}

/** The request an authorisation was granted on proceeds under it, once it has taken effect: the policy now sees
 * it in force and allows the officer's approval. Its own unit, under a key derived from the step's, so a retry
 * approves once. */
async function approveUnder(
  deps: Deps,
  key: string,
  actorId: string,
  ripa: Ripa,
): Promise<{ id: string; status: string; problem?: string } | undefined> {
  if (!ripa.requestId) return undefined;
  const approved = await decideRequest(deps, {
    key: `${key}:approve`,
    actorId,
    requestId: ripa.requestId,
    outcome: 'approve',
    authority: 'authorised-officer',
    reasons: `Directed surveillance authorised under RIPA, reference ${ripa.reference}.`,
  });
  return approved.ok
    ? { id: ripa.requestId, status: approved.value.request.status }
    : { id: ripa.requestId, status: 'escalated', problem: approved.error.message };
}

/** Who acts on what — a child, a request, an authorisation: what an officer's standing is checked on before
 * the form they filled in (`parseGiven`). */
const ChildTarget = z.object({
  key: Key,
  actorId: Id,
  childId: Id,
  requestId: Id.optional(),
  expectedVersion: CardVersion,
});
const RequestTarget = z.object({ key: Key, actorId: Id, requestId: Id, expectedVersion: CardVersion });
const RipaTarget = z.object({ key: Key, actorId: Id, ripaId: Id, expectedVersion: CardVersion });

/** Why an authorising officer refuses an application. */
export const REFUSAL_GROUNDS = {
  'below-threshold':
    'the offence is not punishable by over six months in prison, so RIPA does not allow directed surveillance',
  'not-necessary': 'the surveillance is not necessary',
  'not-proportionate': 'the surveillance is not proportionate',
  'no-legal-advice': 'legal advice does not support it',
  other: 'other reasons',
} as const;
export type RefusalGround = keyof typeof REFUSAL_GROUNDS;

export const RefuseRipaInput = z.object({
  key: Key,
  actorId: Id,
  requestId: Id,
  /** The version of the request the application card showed (`cardOutOfDate`). */
  expectedVersion: CardVersion,
  ground: z.enum(Object.keys(REFUSAL_GROUNDS) as [RefusalGround, ...RefusalGround[]], {
    error: 'choose why it is refused',
  }),
  reasons: Text,
});

/** The authorising officer refuses the application: the request is declined, with the ground and reasons. */
export async function refuseRipa(
  deps: Deps,
  input: z.input<typeof RefuseRipaInput>,
): Promise<Outcome<Decided>> {
  const parsed = parseGiven(RefuseRipaInput, RequestTarget, input);
  if (!parsed.ok) return parsed;
  const i = parsed.value;
  // The request's state is answered only once the officer's standing on it is, as a decision's is (issue 12
  // walk: "not waiting for an authorising officer" came before who asked).
  const state = (r: Request): Failure | undefined =>
    !onRipaRoute(r)
      ? {
          code: 'WRONG_STATE',
          message: 'requestId: this request is not waiting for an authorising officer',
          field: 'requestId',
        }
      : undefined;
  const decline = {
    key: i.key,
    actorId: i.actorId,
    requestId: i.requestId,
    outcome: 'decline' as const,
    authority: 'authorised-officer' as const,
    ...(i.expectedVersion === undefined ? {} : { expectedVersion: i.expectedVersion }),
  };
  // A form at fault is answered once the officer's standing on the request is established, as a decision's is.
  if (i.form) return decideRequest(deps, decline, { form: i.form, state });
  const ground = REFUSAL_GROUNDS[i.ground];
  return decideRequest(
    deps,
    { ...decline, reasons: `RIPA authorisation refused: ${ground}. ${i.reasons}` },
    { state },
  );
}

/** What a step on an authorisation changes: the record as it becomes, and its event's outcome and details
 * (the child and the reference are added to them). */
type RipaChange = {
  ripa: Ripa;
  outcome: string;
  details: Record<string, unknown>;
  /** Other records the step changes, and their events (the requests a cancellation stops). */
  also?: { writes: Write[]; more: Omit<AuditDraft, 'actor'>[] };
};

/** One command on an existing authorisation, by an authorising officer of its child's team: the input parsed,
 * the authorisation read (and refused once cancelled), and what `change` makes of it written with its event. */
async function onRipa<
  S extends z.ZodType<{ key: string; actorId: string; ripaId: string; expectedVersion?: string | null }>,
>(
  deps: Deps,
  schema: S,
  input: unknown,
  action: string,
  change: (i: z.infer<S>, ctx: ChildCtx, ripa: Ripa) => RipaChange | Failure | Promise<RipaChange | Failure>,
  options: { evenCancelled?: boolean } = {},
): Promise<Outcome<Stepped>> {
  const parsed = parseGiven(schema, RipaTarget, input);
  if (!parsed.ok) return parsed;
  const i = parsed.value;
  const found = await deps.store.get('ripa', i.ripaId);
  if (!found) return fail('NOT_FOUND', 'ripaId: Overt has no such RIPA authorisation', 'ripaId');
  let attempt = 0;
  return childCommand(
    deps,
    { ...i, childId: found.record.childId },
    action,
    roleIn('authorised-officer'),
    async (ctx): Promise<Step<Stepped>> => {
      const now = await deps.store.get('ripa', i.ripaId);
      if (!now)
        return {
          code: 'NOT_FOUND',
          message: 'ripaId: Overt has no such RIPA authorisation',
          field: 'ripaId',
        };
      const cites = ripaClauses(ctx);
      if (!Array.isArray(cites)) return cites;
      const r = now.record;
      if (r.cancelledAt && !options.evenCancelled)
        return {
          code: 'WRONG_STATE',
          message: `ripaId: it was cancelled on ${dayText(dayOf(r.cancelledAt, ctx.profile.timeZone))}`,
          field: 'ripaId',
        };
      // The authorisation as the card showed it, on the first attempt only (`childFactsCommand` says why).
      const stale = attempt++ === 0 ? cardOutOfDate(i.expectedVersion, now.version) : undefined;
      if (stale) return stale;
      // Only now, with the officer's standing established, is what they filled in looked at.
      if (i.form) return i.form;
      const c = await change(i, ctx, r);
      if ('code' in c) return c;
      return {
        writes: [{ kind: 'ripa', record: c.ripa, ifVersion: now.version }, ...(c.also?.writes ?? [])],
        ...(c.also ? { more: c.also.more } : {}),
        audit: {
          target: { kind: 'ripa', id: r.id },
          outcome: c.outcome,
          cites,
          details: { childId: r.childId, reference: r.reference ?? null, ...c.details },
        },
        value: c.also?.more.length ? { ...c.ripa, stoppedRequests: c.also.more.length } : c.ripa,
      };
    },
  );
}

/** An authorisation after a step on it; after a cancellation, how many requests approved under it were
 * stopped with it. */
export type Stepped = Ripa & { stoppedRequests?: number };

export const ReviewRipaInput = z.object({
  key: Key,
  actorId: Id,
  ripaId: Id,
  /** The version of the authorisation its card showed (`cardOutOfDate`). */
  expectedVersion: CardVersion,
  reviewedOn: When,
  notes: Text,
  nextReviewAt: When,
});

/** A review: still necessary and proportionate? The next review falls within the period. */
export function reviewRipa(deps: Deps, input: z.input<typeof ReviewRipaInput>): Promise<Outcome<Ripa>> {
  return onRipa(deps, ReviewRipaInput, input, 'ripa.review', (i, ctx, r) => {
    const tz = ctx.profile.timeZone;
    const today = dayOf(deps.clock().toISOString(), tz);
    const on = dayOf(i.reviewedOn, tz);
    const next = dayOf(i.nextReviewAt, tz);
    if (awaitingMagistrate(r))
      return {
        code: 'WRONG_STATE',
        message: `ripaId: ${ripaName(r)} has not taken effect: record the date a magistrate approved it first`,
        field: 'ripaId',
      };
    if (on > today) return bad('reviewedOn', 'the review date cannot be in the future');
    if (on < dayOf(r.from, tz))
      return bad('reviewedOn', 'a review falls within the period of the authorisation');
    if (next <= on) return bad('nextReviewAt', 'the next review must be after this one');
    if (next > dayOf(r.until, tz))
      return bad(
        'nextReviewAt',
        `the next review must fall by the end of the authorisation, ${dayText(dayOf(r.until, tz))}`,
      );
    const review: RipaReview = { at: on, by: ctx.staff.id, notes: i.notes, nextReviewAt: next };
    return {
      ripa: { ...r, reviews: [...(r.reviews ?? []), review], reviewAt: next },
      outcome: 'reviewed',
      details: { reviewedOn: on, nextReviewAt: next },
    };
  });
}

/** The first day a renewal may be granted: the final month of the period that ends on `end`. */
export const renewalOpens = (end: Day): Day => addDaysToDay(addMonthsToDay(end, -1), 1);
export const RENEWAL_WINDOW_WORDS =
  'The code of practice expects a renewal only when the authorisation is drawing to an end, judged on what the surveillance has found so far.';

export const RenewRipaInput = z.object({
  key: Key,
  actorId: Id,
  ripaId: Id,
  /** The version of the authorisation its card showed (`cardOutOfDate`). */
  expectedVersion: CardVersion,
  renewedOn: When,
  until: When,
  reasons: Text,
  magistrateApprovedOn: When.optional(),
  nextReviewAt: When,
});

/**
 * A renewal, granted before the authorisation ends, for up to three months more. It takes effect when the
 * authorisation would have ceased (the code of practice), so it runs from the end of the current period; one
 * renewal a period — a second before the first has taken effect is refused, saying when it may be granted. The
 * review due in the current period stays due; the renewal's first review falls in the period it adds.
 */
export function renewRipa(deps: Deps, input: z.input<typeof RenewRipaInput>): Promise<Outcome<Ripa>> {
  return onRipa(deps, RenewRipaInput, input, 'ripa.renew', (i, ctx, r) => {
    const tz = ctx.profile.timeZone;
    const today = dayOf(deps.clock().toISOString(), tz);
    const on = dayOf(i.renewedOn, tz);
    const end = dayOf(r.until, tz);
    const until = dayOf(i.until, tz);
    const next = dayOf(i.nextReviewAt, tz);
    if (awaitingMagistrate(r))
      return {
        code: 'WRONG_STATE',
        message: `ripaId: ${ripaName(r)} has not taken effect: record the date a magistrate approved it first`,
        field: 'ripaId',
      };
    // One renewal a period: the last one not yet in effect (the period it renewed has not ended) stands.
    const pending = (r.renewals ?? []).find((x) => dayOf(x.previousUntil, tz) >= today);
    if (pending)
      return bad(
        'renewedOn',
        `it was already renewed on ${dayText(dayOf(pending.at, tz))}, to run from ${dayText(addDaysToDay(dayOf(pending.previousUntil, tz), 1))} to ${dayText(dayOf(pending.until, tz))}; it can be renewed again once that renewal has taken effect, from ${dayText(addDaysToDay(dayOf(pending.previousUntil, tz), 1))}`,
      );
    if (on > today) return bad('renewedOn', 'the renewal date cannot be in the future');
    if (on < dayOf(r.grantedAt ?? r.from, tz))
      return bad('renewedOn', 'a renewal is granted after the authorisation it renews');
    if (on > end)
      return bad(
        'renewedOn',
        `it ended on ${dayText(end)}: a renewal is granted before the end; authorise afresh instead`,
      );
    // Near the end only: the code of practice expects a renewal to be applied for shortly before the period ends,
    // so the need for more is judged on what the surveillance has found; neither it nor the seeds say how
    // shortly, so Overt takes the final month of the current period (RENEWAL_WINDOW_WORDS).
    const opens = renewalOpens(end);
    if (on < opens)
      return bad(
        'renewedOn',
        `it runs to ${dayText(end)}: it can be renewed from ${dayText(opens)}, in its final month. ${RENEWAL_WINDOW_WORDS}`,
      );
    if (profileNeedsMagistrate(ctx.profile)) {
      if (!i.magistrateApprovedOn)
        return bad('magistrateApprovedOn', 'give the date a magistrate approved the renewal');
      const approved = dayOf(i.magistrateApprovedOn, tz);
      if (approved < on)
        return bad('magistrateApprovedOn', 'a magistrate approves a renewal after it is granted');
      if (approved > today) return bad('magistrateApprovedOn', 'the approval date cannot be in the future');
    }
    if (until <= end) return bad('until', `a renewal goes on past the present end, ${dayText(end)}`);
    const max = addMonthsToDay(addDaysToDay(end, 1), RIPA_PERIOD_MONTHS);
    if (until >= max)
      return bad(
        'until',
        `a renewal lasts at most three months: it must end by ${dayText(addDaysToDay(max, -1))}`,
      );
    if (next <= end || next > until)
      return bad(
        'nextReviewAt',
        `the first review of the renewal falls in the period it adds, from ${dayText(addDaysToDay(end, 1))} to ${dayText(until)}`,
      );
    const renewal: RipaRenewal = {
      at: on,
      by: ctx.staff.id,
      reasons: i.reasons,
      previousUntil: end,
      until,
      ...(i.magistrateApprovedOn ? { magistrateApprovedOn: dayOf(i.magistrateApprovedOn, tz) } : {}),
      nextReviewAt: next,
    };
    // The review due now stays due: the renewal's first review comes after it.
    const reviewAt = dayOf(r.reviewAt, tz) < next ? r.reviewAt : next;
    return {
      ripa: { ...r, until, reviewAt, renewals: [...(r.renewals ?? []), renewal] },
      outcome: 'renewed',
      details: {
        renewedOn: on,
        takesEffect: addDaysToDay(end, 1),
        until,
        nextReviewAt: dayOf(reviewAt, tz),
        reasons: i.reasons,
      },
    };
  });
}

const profileNeedsMagistrate = (p: Profile) => p.ripa?.judicialApproval === true;

export const MagistrateApprovalInput = z.object({
  key: Key,
  actorId: Id,
  ripaId: Id,
  /** The version of the authorisation its card showed (`cardOutOfDate`). */
  expectedVersion: CardVersion,
  /** The day a magistrate approved it: never assumed, always given. */
  approvedOn: When,
});

/**
 * The authorising officer records the day a magistrate approved an authorisation recorded while awaiting it
 * (Protection of Freedoms Act 2012, ss. 37–38): it takes effect from then (its start moves to that day when it
 * was earlier), and the request it was granted on proceeds under it. A day before it was granted, or ahead of
 * today, is refused by the field.
 */
export async function recordMagistrateApproval(
  deps: Deps,
  input: z.input<typeof MagistrateApprovalInput>,
): Promise<Outcome<Authorised>> {
  const made = await onRipa(deps, MagistrateApprovalInput, input, 'ripa.magistrate', (i, ctx, r) => {
    const tz = ctx.profile.timeZone;
    const today = dayOf(deps.clock().toISOString(), tz);
    const on = dayOf(i.approvedOn, tz);
    if (!awaitingMagistrate(r))
      return {
        code: 'WRONG_STATE',
        message: `ripaId: ${ripaName(r)} is not awaiting a magistrate’s approval${r.magistrateApprovedOn ? `: a magistrate approved it on ${dayText(dayOf(r.magistrateApprovedOn, tz))}` : ''}`,
        field: 'ripaId',
      };
    const granted = dayOf(r.grantedAt ?? r.from, tz);
    if (on < granted)
      return bad(
        'approvedOn',
        `a magistrate approves an authorisation after it is granted (${dayText(granted)}), not before`,
      );
    if (on > today) return bad('approvedOn', 'the approval date cannot be in the future');
    const until = dayOf(r.until, tz);
    if (on > until)
      return bad(
        'approvedOn',
        `its period ended on ${dayText(until)}, before a magistrate approved it: refuse or authorise afresh`,
      );
    const from = dayOf(r.from, tz) < on ? on : dayOf(r.from, tz);
    const reviewAt = dayOf(r.reviewAt, tz) < from ? from : dayOf(r.reviewAt, tz);
    const { awaitingMagistrate: _was, ...rest } = r;
    return {
      ripa: { ...rest, magistrateApprovedOn: on, from, reviewAt },
      outcome: 'magistrate-approved',
      details: { magistrateApprovedOn: on, from, until, reviewAt },
    };
  });
  if (!made.ok) return made;
  const ripa = made.value;
  const request = await approveUnder(deps, input.key, input.actorId, ripa);
  return { ...made, value: { ripa, ...(request ? { request } : {}) } };
}

export const CancelRipaInput = z.object({
  key: Key,
  actorId: Id,
  ripaId: Id,
  /** The version of the authorisation its card showed (`cardOutOfDate`). */
  expectedVersion: CardVersion,
  at: When,
  /** Why it is no longer needed: the central record keeps it (Home Office code of practice). */
  reasons: Text,
});

/**
 * The authorising officer cancels an authorisation once it is no longer needed: repeat viewing is no longer
 * covered from then. A request approved under it whose check is not yet recorded, and which no other
 * authorisation covers, can no longer be done: it is stopped in the same unit (`stopped`, its own event
 * `request.stop`, citing the RIPA clause), so it is not left "approved" as if a check could still be done; the
 * requester is told (notice-feed.ts follow-ups). A viewing done while it covered it may still be recorded; a
 * later one is refused by the viewing date, citing the clause (checks.ts).
 */
export function cancelRipa(deps: Deps, input: z.input<typeof CancelRipaInput>): Promise<Outcome<Stepped>> {
  return onRipa(deps, CancelRipaInput, input, 'ripa.cancel', async (i, ctx, r) => {
    const tz = ctx.profile.timeZone;
    const today = dayOf(deps.clock().toISOString(), tz);
    const on = dayOf(i.at, tz);
    if (on > today) return bad('at', 'the cancellation date cannot be in the future');
    if (on < dayOf(r.grantedAt ?? r.from, tz))
      return bad('at', 'it cannot be cancelled before it was granted');
    const ripa: Ripa = {
      ...r,
      cancelledAt: on,
      cancelledBy: ctx.staff.id,
      ...(i.reasons ? { cancelReasons: i.reasons } : {}),
    };
    const stopped = await strandedBy(deps, ctx, ripa, today);
    const at = deps.clock().toISOString();
    const cites = clausesAbout(ctx.profile, 'ripaInForce');
    return {
      ripa,
      outcome: 'cancelled',
      details: {
        cancelledOn: on,
        reasons: i.reasons || null,
        ...(stopped.length ? { requestsStopped: stopped.map((q) => q.record.id) } : {}),
      },
      also: {
        writes: stopped.map((q) => ({
          kind: 'request' as const,
          record: { ...q.record, status: 'stopped' as const, updatedAt: at },
          ifVersion: q.version,
        })),
        more: stopped.map((q) => ({
          action: 'request.stop',
          target: { kind: 'request', id: q.record.id },
          outcome: 'stopped',
          cites,
          details: {
            childId: q.record.childId,
            ripaId: r.id,
            reference: r.reference ?? null,
            why: 'authorisation-cancelled',
            cancelledOn: on,
          },
        })),
      },
    };
  });
}

/** The approved requests whose check is not yet recorded that rested on this authorisation (granted on them,
 * or for their purpose under a rule that needs one in force) and that no other authorisation covers once it is
 * cancelled. */
async function strandedBy(deps: Deps, ctx: ChildCtx, cancelled: Ripa, today: Day) {
  const [requests, ripas] = await Promise.all([
    deps.store.query('request', { where: { childId: cancelled.childId } }),
    deps.store.query('ripa', { where: { childId: cancelled.childId } }),
  ]);
  const after = ripas.map((x) => (x.record.id === cancelled.id ? { record: cancelled } : x));
  return requests.filter(({ record: q }) => {
    if (q.status !== 'approved') return false;
    const scope = { requestId: q.id, reason: q.reason };
    const rested =
      q.id === cancelled.requestId ||
      (reliesOnRipa(ctx.profile, (q.verdict as { determining?: string[] } | undefined)?.determining) &&
        grantedFor(cancelled, scope, requests));
    if (!rested) return false;
    const cover = coverFor(after, requests, scope, today, ctx.profile.timeZone);
    return !cover || 'problem' in cover;
  });
}

/** What an authorisation recorded that its officer may correct (a typo), each with its input. */
export const CORRECTABLE = [
  'offence',
  'maxSentenceMonths',
  'necessity',
  'proportionality',
  'legalAdvice',
  'grantedOn',
  'magistrateApprovedOn',
  'confidentialInfoLikely',
  'authoriserInvolved',
  'authoriserInvolvedReason',
] as const;
export type Correctable = (typeof CORRECTABLE)[number];

export const CorrectRipaInput = z.object({
  key: Key,
  actorId: Id,
  ripaId: Id,
  /** The version of the authorisation its card showed (`cardOutOfDate`). */
  expectedVersion: CardVersion,
  /** What was wrong: the central record keeps it beside the correction. */
  reason: Text,
  offence: ShortText.optional(),
  maxSentenceMonths: Months.optional(),
  necessity: Text.optional(),
  proportionality: Text.optional(),
  legalAdvice: Text.optional(),
  grantedOn: When.optional(),
  magistrateApprovedOn: When.optional(),
  confidentialInfoLikely: YesNo.optional(),
  authoriserInvolved: YesNo.optional(),
  authoriserInvolvedReason: OptionalText,
});

/**
 * The authorising officer corrects what an authorisation recorded (a typo in the offence, a date mistyped):
 * its own unit and audit event (`ripa.correct`, citing the RIPA clause), the record holding the corrected
 * values and, in `corrections`, each field's value before and after, why and by whom — the original is never
 * lost, and the central record shows the entry as corrected. Also after cancellation (the record is kept).
 * The corrected record is checked as a new one is: an offence's sentence over the threshold, the dates.
 */
export function correctRipa(deps: Deps, input: z.input<typeof CorrectRipaInput>): Promise<Outcome<Ripa>> {
  return onRipa(
    deps,
    CorrectRipaInput,
    input,
    'ripa.correct',
    (i, ctx, r) => {
      const tz = ctx.profile.timeZone;
      const was: Record<Correctable, string> = {
        offence: r.offence,
        maxSentenceMonths: String(r.maxSentenceMonths),
        necessity: r.necessity ?? '',
        proportionality: r.proportionality ?? '',
        legalAdvice: r.legalAdviceRef,
        grantedOn: r.grantedAt ? dayOf(r.grantedAt, tz) : '',
        magistrateApprovedOn: r.magistrateApprovedOn ? dayOf(r.magistrateApprovedOn, tz) : '',
        confidentialInfoLikely:
          r.confidentialInfoLikely === undefined ? '' : String(r.confidentialInfoLikely),
        authoriserInvolved: r.authoriserInvolved === undefined ? '' : String(r.authoriserInvolved),
        authoriserInvolvedReason: r.authoriserInvolvedReason ?? '',
      };
      const now: Record<Correctable, string> = { ...was };
      for (const f of CORRECTABLE) {
        const v = i[f];
        if (v === undefined) continue;
        now[f] = f === 'grantedOn' || f === 'magistrateApprovedOn' ? dayOf(String(v), tz) : String(v);
      }
      const changes = CORRECTABLE.filter((f) => now[f] !== was[f]).map((f) => ({
        field: f,
        was: was[f],
        now: now[f],
      }));
      if (!changes.length)
        return bad('reason', 'nothing differs from what was recorded: correct the field that is wrong first');
      // Not involved, no reason is kept; involved (now, by this correction), the reason it was unavoidable.
      if (now.authoriserInvolved !== 'true') now.authoriserInvolvedReason = '';
      else if (
        !now.authoriserInvolvedReason &&
        (was.authoriserInvolved !== 'true' || i.authoriserInvolvedReason !== undefined)
      )
        return bad('authoriserInvolvedReason', INVOLVED_WORDS);
      if (awaitingMagistrate(r) && now.magistrateApprovedOn !== was.magistrateApprovedOn)
        return bad(
          'magistrateApprovedOn',
          'it is awaiting the magistrate’s approval: record the date a magistrate approved it with its own step',
        );
      const months = Number(now.maxSentenceMonths);
      if (!sentenceAllowsSurveillance(months))
        return bad(
          'maxSentenceMonths',
          `directed surveillance is only for an offence ${SENTENCE_THRESHOLD_WORDS}: cancel the authorisation instead`,
        );
      if (now.grantedOn !== was.grantedOn || now.magistrateApprovedOn !== was.magistrateApprovedOn) {
        const problem = periodProblem(ctx.profile, dayOf(deps.clock().toISOString(), tz), {
          grantedOn: now.grantedOn,
          ...(now.magistrateApprovedOn ? { magistrateApprovedOn: now.magistrateApprovedOn } : {}),
          from: dayOf(r.from, tz),
          until: dayOf(r.until, tz),
          reviewAt: dayOf(r.reviewAt, tz),
        });
        if (problem) return problem;
      }
      const correction: RipaCorrection = {
        at: deps.clock().toISOString(),
        by: ctx.staff.id,
        reason: i.reason,
        changes,
      };
      const flag = (s: string) => (s === '' ? undefined : s === 'true');
      const corrected: Ripa = {
        ...r,
        offence: now.offence,
        maxSentenceMonths: months,
        ...(now.necessity ? { necessity: now.necessity } : {}),
        ...(now.proportionality ? { proportionality: now.proportionality } : {}),
        legalAdviceRef: now.legalAdvice,
        ...(now.grantedOn ? { grantedAt: now.grantedOn } : {}),
        ...(now.magistrateApprovedOn ? { magistrateApprovedOn: now.magistrateApprovedOn } : {}),
        ...(flag(now.confidentialInfoLikely) === undefined
          ? {}
          : { confidentialInfoLikely: flag(now.confidentialInfoLikely)! }),
        ...(flag(now.authoriserInvolved) === undefined
          ? {}
          : { authoriserInvolved: flag(now.authoriserInvolved)! }),
        corrections: [...(r.corrections ?? []), correction],
      };
      if (now.authoriserInvolvedReason) corrected.authoriserInvolvedReason = now.authoriserInvolvedReason;
      else delete corrected.authoriserInvolvedReason;
      return { ripa: corrected, outcome: 'corrected', details: { reason: i.reason, changes } };
    },
    { evenCancelled: true },
  );
}

/** An export of the central record, on the audit trail: who, when, in which form, how many entries. */
export async function noteCentralRecordExport(
  deps: Deps,
  i: { key: string; actorId: string; format: 'csv' | 'pdf'; count: number },
): Promise<void> {
  const staff = await deps.store.get('staff', i.actorId);
  await deps.store.commit({
    key: `ripa-export:${i.actorId}:${i.key}`,
    at: deps.clock().toISOString(),
    writes: [],
    audit: [
      {
        actor: { id: i.actorId, ...(staff ? { role: staff.record.role } : {}) },
        action: 'ripa.export',
        target: { kind: 'ripa', id: 'central-record' },
        outcome: 'exported',
        details: { format: i.format, entries: i.count },
      },
    ],
  });
}
