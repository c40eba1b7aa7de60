/**
 * The RIPA route from cards (000 §12): an authorising officer opens an application (a repeat viewing inside
 * three months), records the directed-surveillance authorisation or refuses it, and on the authorisation
 * records reviews, a renewal and the cancellation. Each verb calls one workflow command; a problem comes back
 * on the same card, what was typed kept, the problem by its field; the refusal is audited by the route table.
 */
import { DEFAULT_TIME_ZONE } from '../../policy/profile';
import { dateGb, MAX_SENTENCE, phrase, REQUEST_STATUS } from '../../vocabulary';
import {
  authoriseRipa,
  cancelRipa,
  correctRipa,
  recordMagistrateApproval,
  refuseRipa,
  renewRipa,
  reviewRipa,
  sentenceAllowsSurveillance,
  type Failure,
} from '../../workflow';
import { canActForTeam } from '../../workflow/context';
import {
  applicationOf,
  centralRecord,
  ripaFor,
  ripaOfRequest,
  ripaProfile,
} from '../../workflow/queries/ripa';
import { requestById, teamWithProfile as teamAndProfile } from '../../workflow/queries/request';
import { statusCard } from '../cards/status';
import type { AdaptiveCard } from '../cards/types';
import { OutOfDate, type Forms, type Turn, type VerbHandler, type VerbHandlers } from '../turn';
import { errorCard, notYoursCard } from '../views/failure-card';
import {
  FORM_WORDS,
  ripaApplicationCard,
  ripaAuthorisationCard,
  ripaQueueCard,
  type FieldProblem,
} from '../views/ripa-cards';

const todayIn = (turn: Turn, timeZone = DEFAULT_TIME_ZONE) =>
  turn.deps.clock().toLocaleDateString('en-CA', { timeZone });

/** A workflow failure as a problem by the card's input (`fields` maps the workflow's field to the input). */
function problemOf(e: Failure, fields: Record<string, string> = {}): FieldProblem | undefined {
  if (e.code !== 'INVALID_INPUT' || !e.field) return undefined;
  const one = (field: string, raw: string) => {
    const input = fields[field] ?? field;
    const message = raw.replace(/^[\w.]+: /, '');
    // Left empty: what to write there, in words (never the schema's "required").
    if (message === 'required') return { input, message: NEEDS[input] ?? 'Fill this in.' };
    // A date missing or not one: said as a person would, never with the machine's format.
    if (/^expected a real date/i.test(message)) return { input, message: 'Pick a date.' };
    return { input, message: message.charAt(0).toUpperCase() + message.slice(1) };
  };
  const [first, ...also] = (e.problems ?? [{ field: e.field, message: e.message }]).map((p) =>
    one(p.field, p.message),
  );
  return { ...first!, ...(also.length ? { also } : {}) };
}

/** What to write in a RIPA form's box left empty, by input. */
const NEEDS: Record<string, string> = {
  reviewNotes: 'Say whether it is still necessary and proportionate, and what it has obtained.',
  renewReasons: 'Give the reasons it is still necessary and proportionate: the central record keeps them.',
  cancelReasons: 'Give the reasons it is no longer needed: the central record keeps them.',
  necessity: 'Say why the surveillance is necessary.',
  proportionality: 'Say why it is proportionate to what it seeks to achieve.',
  legalAdvice: 'Record the legal advice taken.',
  offence: 'Name the criminal offence.',
  reference: 'Give the authorisation its unique reference.',
  refuseReasons: 'Give the reasons for refusing.',
  fixReason: 'Say what was wrong: the central record keeps it beside the correction.',
};

export const NOT_AN_OFFICER = () =>
  notYoursCard(
    'Only an authorising officer can do this',
    'RIPA authorisations are recorded, reviewed, renewed and cancelled by an authorising officer of the team.',
  );

/** The application card for an escalated request, or why it cannot be shown. */
export async function applicationCard(
  turn: Turn,
  requestId: string,
  extra: Omit<Parameters<typeof ripaApplicationCard>[0], 'app' | 'today'> = {},
): Promise<AdaptiveCard> {
  // Who asks comes first: someone who is not an authorising officer learns nothing of the request, not even
  // whether there is one.
  if (turn.staff.role !== 'authorised-officer') return NOT_AN_OFFICER();
  const found = await requestById(turn.deps, requestId);
  if (!found) return errorCard('No such request', 'Overt has no such request; nothing was done.');
  const r = found.record;
  if (!canActForTeam(turn.staff, r.teamId))
    return notYoursCard(
      'Not a request of your teams',
      'This request belongs to another team; nothing was done.',
    );
  if (r.status !== 'escalated' || r.authority !== 'authorised-officer')
    return errorCard(
      'Not waiting for an authorisation',
      `This request is not waiting for an authorising officer (it is ${phrase(r.status, REQUEST_STATUS)}); nothing was done.`,
    );
  // An authorisation already recorded on it (awaiting a magistrate's approval) is the card to act on.
  const recorded = await ripaOfRequest(turn.deps, r);
  if (recorded) return authorisationCard(turn, recorded);
  const tp = await teamAndProfile(turn.deps, r.teamId);
  return ripaApplicationCard({
    app: await applicationOf(turn.deps, r, found.version),
    today: todayIn(turn, tp?.profile.timeZone),
    ...extra,
  });
}

/** The authorisation card, for an authorising officer or information governance. */
export async function authorisationCard(
  turn: Turn,
  ripaId: string,
  extra: Omit<
    Parameters<typeof ripaAuthorisationCard>[0],
    'entry' | 'version' | 'today' | 'judicialApproval' | 'canAct'
  > = {},
): Promise<AdaptiveCard> {
  const got = await ripaFor(turn.deps, { actorId: turn.staff.id, ripaId });
  if (!got.ok)
    return got.error.code === 'NOT_FOUND'
      ? errorCard('No such authorisation', 'Overt has no such RIPA authorisation; nothing was done.')
      : notYoursCard(
          'Not yours to see',
          'This authorisation is shown only to the authorising officers of its team and to information governance.',
        );
  const profile = await ripaProfile(turn.deps, ripaId);
  return ripaAuthorisationCard({
    entry: got.value,
    version: got.value.version,
    judicialApproval: profile?.ripa?.judicialApproval ?? false,
    canAct: turn.staff.role === 'authorised-officer',
    today: todayIn(turn, profile?.timeZone),
    ...extra,
  });
}

const onQueue: VerbHandler<'ripa.queue'> = async (data, turn) => {
  const read = await centralRecord(turn.deps, { actorId: turn.staff.id });
  if (!read.ok) return NOT_AN_OFFICER();
  return ripaQueueCard(
    read.value.waiting,
    read.value.entries,
    turn.tab,
    turn.staff.role === 'authorised-officer'
      ? undefined
      : { waitingForOfficer: read.value.waitingForOfficer },
    data.page,
  );
};

const onOpen: VerbHandler<'ripa.open'> = (data, turn) => applicationCard(turn, data.requestId);

const onShow: VerbHandler<'ripa.show'> = (data, turn) => authorisationCard(turn, data.ripaId);

const AUTHORISE_FIELDS = [
  'reference',
  'offence',
  'maxSentenceMonths',
  'necessity',
  'proportionality',
  'legalAdvice',
  'grantedOn',
  'magistrateApprovedOn',
  'from',
  'until',
  'reviewAt',
  'authoriserInvolvedReason',
] as const;

const onAuthorise: VerbHandler<'ripa.authorise'> = async (data, turn) => {
  const values: Record<string, string> = {
    ...Object.fromEntries(AUTHORISE_FIELDS.map((f) => [f, data[f]])),
    confidentialInfoLikely: String(data.confidentialInfoLikely),
    authoriserInvolved: String(data.authoriserInvolved),
  };
  if (turn.staff.role !== 'authorised-officer') return NOT_AN_OFFICER();
  const request = await requestById(turn.deps, data.requestId);
  if (!request) return errorCard('No such request', 'Overt has no such request; nothing was done.');
  const months = data.maxSentenceMonths === '' ? undefined : Number(data.maxSentenceMonths);
  const r = await authoriseRipa(turn.deps, {
    key: `ripa-authorise:${data.formId}`,
    actorId: turn.staff.id,
    childId: request.record.childId,
    requestId: data.requestId,
    expectedVersion: data.version,
    reference: data.reference,
    offence: data.offence,
    ...(months === undefined ? {} : { maxSentenceMonths: months }),
    necessity: data.necessity,
    proportionality: data.proportionality,
    legalAdvice: data.legalAdvice,
    grantedOn: data.grantedOn,
    ...(data.magistrateApprovedOn ? { magistrateApprovedOn: data.magistrateApprovedOn } : {}),
    from: data.from,
    until: data.until,
    reviewAt: data.reviewAt,
    confidentialInfoLikely: data.confidentialInfoLikely,
    authoriserInvolved: data.authoriserInvolved,
    ...(data.authoriserInvolved && data.authoriserInvolvedReason
      ? { authoriserInvolvedReason: data.authoriserInvolvedReason }
      : {}),
  } as Parameters<typeof authoriseRipa>[1]);
  if (!r.ok && r.error.field === 'version' && OutOfDate.of(r.error)) return OutOfDate.of(r.error)!;
  if (!r.ok) {
    const problem = problemOf(r.error);
    // An offence below the threshold is refused, not authorised (000 §12): the refusal below is ready with
    // that ground.
    const below =
      Object.hasOwn(MAX_SENTENCE, data.maxSentenceMonths) &&
      !sentenceAllowsSurveillance(Number(data.maxSentenceMonths));
    if (problem)
      return applicationCard(turn, data.requestId, {
        values: below ? { ...values, ground: 'below-threshold' } : values,
        problem,
        form: 'authorise',
      });
    return errorCard('The authorisation was not recorded', r.error.message.replace(/^[\w.]+: /, ''));
  }
  const { ripa, request: after } = r.value;
  if (!r.replayed && after?.status === 'approved') turn.after(() => turn.outbox.followUps());
  return authorisationCard(turn, ripa.id, { note: authorisedNote(ripa, after) });
};

/** What became of the request an authorisation was granted on, in a sentence naming the authorisation. */
function authorisedNote(
  ripa: Awaited<ReturnType<typeof authoriseRipa>> extends infer O
    ? O extends { ok: true; value: { ripa: infer R } }
      ? R
      : never
    : never,
  after: { status: string; problem?: string } | undefined,
  what = 'Authorisation',
): { text: string; tone: 'good' | 'warning' } {
  const name = `RIPA authorisation ${ripa.reference}`;
  if (ripa.awaitingMagistrate)
    return {
      text: `${what} ${ripa.reference} recorded, awaiting the magistrate’s approval. No check may proceed under it until you record the date a magistrate approved it, below.`,
      tone: 'warning',
    };
  if (after?.status === 'approved')
    return {
      text: `${what} recorded. The check may proceed under ${name}: Overt is telling the case manager, who records it.`,
      tone: 'good',
    };
  return {
    text: `${what} recorded, but the request was not approved under ${name}: ${after?.problem?.replace(/^[\w.]+: /, '') ?? 'it is no longer waiting'}.`,
    tone: 'warning',
  };
}

const onMagistrate: VerbHandler<'ripa.magistrate'> = async (data, turn) => {
  if (turn.staff.role !== 'authorised-officer') return NOT_AN_OFFICER();
  const r = await recordMagistrateApproval(turn.deps, {
    key: `ripa-magistrate:${data.formId}`,
    actorId: turn.staff.id,
    ripaId: data.ripaId,
    expectedVersion: data.version,
    approvedOn: data.approvedOn,
  });
  if (!r.ok) return after(turn, data.ripaId, r, 'magistrate', { approvedOn: data.approvedOn }, {}, '');
  if (!r.replayed && r.value.request?.status === 'approved') turn.after(() => turn.outbox.followUps());
  return authorisationCard(turn, data.ripaId, {
    note: authorisedNote(r.value.ripa, r.value.request, 'Magistrate’s approval'),
  });
};

const onRefuse: VerbHandler<'ripa.refuse'> = async (data, turn) => {
  const values = { ground: data.ground, refuseReasons: data.refuseReasons };
  if (turn.staff.role !== 'authorised-officer') return NOT_AN_OFFICER();
  const r = await refuseRipa(turn.deps, {
    key: `ripa-refuse:${data.formId}`,
    actorId: turn.staff.id,
    requestId: data.requestId,
    expectedVersion: data.version,
    ground: data.ground as never,
    reasons: data.refuseReasons,
  });
  if (!r.ok && OutOfDate.of(r.error)) return OutOfDate.of(r.error)!;
  if (!r.ok) {
    const problem = problemOf(r.error, { reasons: 'refuseReasons' });
    if (problem) return applicationCard(turn, data.requestId, { values, problem, form: 'refuse' });
    return errorCard('The refusal was not recorded', r.error.message.replace(/^[\w.]+: /, ''));
  }
  if (!r.replayed) turn.after(() => turn.outbox.followUps());
  return statusCard({
    title: 'Authorisation refused',
    detail: 'The request is declined with your reasons. Overt is telling the case manager.',
    tone: 'success',
  });
};

const onReview: VerbHandler<'ripa.review'> = async (data, turn) => {
  if (turn.staff.role !== 'authorised-officer') return NOT_AN_OFFICER();
  const r = await reviewRipa(turn.deps, {
    key: `ripa-review:${data.formId}`,
    actorId: turn.staff.id,
    ripaId: data.ripaId,
    expectedVersion: data.version,
    reviewedOn: data.reviewedOn,
    notes: data.reviewNotes,
    nextReviewAt: data.nextReviewAt,
  });
  const values = {
    reviewedOn: data.reviewedOn,
    reviewNotes: data.reviewNotes,
    nextReviewAt: data.nextReviewAt,
  };
  return after(turn, data.ripaId, r, 'review', values, { notes: 'reviewNotes' }, 'Review recorded.');
};

const onRenew: VerbHandler<'ripa.renew'> = async (data, turn) => {
  if (turn.staff.role !== 'authorised-officer') return NOT_AN_OFFICER();
  const r = await renewRipa(turn.deps, {
    key: `ripa-renew:${data.formId}`,
    actorId: turn.staff.id,
    ripaId: data.ripaId,
    expectedVersion: data.version,
    renewedOn: data.renewedOn,
    until: data.renewUntil,
    reasons: data.renewReasons,
    ...(data.renewMagistrateOn ? { magistrateApprovedOn: data.renewMagistrateOn } : {}),
    nextReviewAt: data.renewNextReviewAt,
  });
  const values = {
    renewedOn: data.renewedOn,
    renewUntil: data.renewUntil,
    renewReasons: data.renewReasons,
    renewMagistrateOn: data.renewMagistrateOn,
    renewNextReviewAt: data.renewNextReviewAt,
  };
  return after(
    turn,
    data.ripaId,
    r,
    'renew',
    values,
    {
      renewedOn: 'renewedOn',
      until: 'renewUntil',
      reasons: 'renewReasons',
      magistrateApprovedOn: 'renewMagistrateOn',
      nextReviewAt: 'renewNextReviewAt',
    },
    'Renewal recorded.',
  );
};

const onCancel: VerbHandler<'ripa.cancel'> = async (data, turn) => {
  if (turn.staff.role !== 'authorised-officer') return NOT_AN_OFFICER();
  const r = await cancelRipa(turn.deps, {
    key: `ripa-cancel:${data.formId}`,
    actorId: turn.staff.id,
    ripaId: data.ripaId,
    expectedVersion: data.version,
    at: data.cancelOn,
    reasons: data.cancelReasons,
  });
  const values = { cancelOn: data.cancelOn, cancelReasons: data.cancelReasons };
  // The requests stopped with it: their requesters are told (the notices' follow-ups).
  const stopped = r.ok ? (r.value.stoppedRequests ?? 0) : 0;
  if (r.ok && !r.replayed && stopped) turn.after(() => turn.outbox.followUps());
  const from =
    r.ok && r.value.cancelledAt
      ? dateGb(r.value.cancelledAt, (await ripaProfile(turn.deps, data.ripaId))?.timeZone)
      : 'today';
  return after(
    turn,
    data.ripaId,
    r,
    'cancel',
    values,
    { at: 'cancelOn', reasons: 'cancelReasons' },
    `Cancelled. Repeat viewing of this child is no longer covered from ${from}.${
      stopped === 1
        ? ' The request approved under it, whose check was not recorded, is stopped: Overt is telling the person who asked.'
        : stopped > 1
          ? ` The ${stopped} requests approved under it whose checks were not recorded are stopped: Overt is telling the people who asked.`
          : ''
    }`,
  );
};

/** Where the correction's workflow fields are on the card. */
const FIX_INPUTS: Record<string, string> = {
  reason: 'fixReason',
  offence: 'fixOffence',
  maxSentenceMonths: 'fixMaxSentenceMonths',
  necessity: 'fixNecessity',
  proportionality: 'fixProportionality',
  legalAdvice: 'fixLegalAdvice',
  grantedOn: 'fixGrantedOn',
  magistrateApprovedOn: 'fixMagistrateApprovedOn',
  from: 'fixGrantedOn',
  authoriserInvolvedReason: 'fixAuthoriserInvolvedReason',
};

const onCorrect: VerbHandler<'ripa.correct'> = async (data, turn) => {
  if (turn.staff.role !== 'authorised-officer') return NOT_AN_OFFICER();
  const months = data.fixMaxSentenceMonths === '' ? undefined : Number(data.fixMaxSentenceMonths);
  const r = await correctRipa(turn.deps, {
    key: `ripa-correct:${data.formId}`,
    actorId: turn.staff.id,
    ripaId: data.ripaId,
    expectedVersion: data.version,
    reason: data.fixReason,
    ...(data.fixOffence ? { offence: data.fixOffence } : {}),
    ...(months === undefined ? {} : { maxSentenceMonths: months }),
    ...(data.fixNecessity ? { necessity: data.fixNecessity } : {}),
    ...(data.fixProportionality ? { proportionality: data.fixProportionality } : {}),
    ...(data.fixLegalAdvice ? { legalAdvice: data.fixLegalAdvice } : {}),
    ...(data.fixGrantedOn ? { grantedOn: data.fixGrantedOn } : {}),
    ...(data.fixMagistrateApprovedOn ? { magistrateApprovedOn: data.fixMagistrateApprovedOn } : {}),
    ...(data.fixConfidentialInfoLikely === undefined
      ? {}
      : { confidentialInfoLikely: data.fixConfidentialInfoLikely }),
    ...(data.fixAuthoriserInvolved === undefined ? {} : { authoriserInvolved: data.fixAuthoriserInvolved }),
    ...(data.fixAuthoriserInvolvedReason
      ? { authoriserInvolvedReason: data.fixAuthoriserInvolvedReason }
      : {}),
  });
  const values: Record<string, string> = Object.fromEntries(
    Object.entries(data).flatMap(([k, v]) => (k.startsWith('fix') ? [[k, String(v ?? '')]] : [])),
  );
  return after(
    turn,
    data.ripaId,
    r,
    'correct',
    values,
    FIX_INPUTS,
    'Correction recorded. The central record shows what was recorded before, and why it was corrected.',
  );
};

async function after(
  turn: Turn,
  ripaId: string,
  r: { ok: true } | { ok: false; error: Failure },
  form: 'review' | 'renew' | 'cancel' | 'correct' | 'magistrate',
  values: Record<string, string>,
  fields: Record<string, string>,
  done: string,
): Promise<AdaptiveCard | OutOfDate> {
  if (r.ok) return authorisationCard(turn, ripaId, { note: { text: done, tone: 'good' } });
  if (OutOfDate.of(r.error)) return OutOfDate.of(r.error)!;
  const problem = problemOf(r.error, fields);
  if (problem) return authorisationCard(turn, ripaId, { values, problem, form });
  return errorCard(`The ${FORM_WORDS[form]} was not recorded`, r.error.message.replace(/^[\w.]+: /, ''));
}

/** The verbs this file answers (the whole table is routes.ts's). */
export const ripaVerbs = {
  'ripa.queue': onQueue,
  'ripa.open': onOpen,
  'ripa.show': onShow,
  'ripa.authorise': onAuthorise,
  'ripa.refuse': onRefuse,
  'ripa.review': onReview,
  'ripa.renew': onRenew,
  'ripa.cancel': onCancel,
  'ripa.correct': onCorrect,
  'ripa.magistrate': onMagistrate,
} satisfies Partial<VerbHandlers>;

/** Problems found by the input schema (routes.ts), by input, as a RIPA card shows them. */
const asProblem = (problems: Record<string, string>): FieldProblem | undefined => {
  const [first, ...also] = Object.entries(problems).map(([input, message]) => ({ input, message }));
  return first ? { ...first, ...(also.length ? { also } : {}) } : undefined;
};

/** A RIPA form's state as its card takes it: the values as sent, and the problems if any. */
const filledIn = (s: { values: Record<string, string>; problems: Record<string, string> }) => {
  const problem = asProblem(s.problems);
  return { values: s.values, ...(problem ? { problem } : {}) };
};

/** The RIPA forms sent back as filled in when what they sent does not fit the schema (a box past its limit,
 * a date that is not one): each problem by its box, as every other form, never "this card is out of date". */
export const ripaForms: Forms = {
  'ripa.authorise': {
    needs: NEEDS,
    again: (s, turn) =>
      applicationCard(turn, s.values.requestId ?? '', {
        ...filledIn(s),
        form: 'authorise',
      }),
  },
  'ripa.refuse': {
    needs: NEEDS,
    again: (s, turn) =>
      applicationCard(turn, s.values.requestId ?? '', {
        ...filledIn(s),
        form: 'refuse',
      }),
  },
  ...Object.fromEntries(
    (['review', 'renew', 'cancel', 'correct', 'magistrate'] as const).map((form) => [
      `ripa.${form}`,
      {
        needs: NEEDS,
        again: (s: { values: Record<string, string>; problems: Record<string, string> }, turn: Turn) =>
          authorisationCard(turn, s.values.ripaId ?? '', {
            ...filledIn(s),
            form,
          }),
      },
    ]),
  ),
};
