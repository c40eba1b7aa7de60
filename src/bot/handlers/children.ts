/** A child's summary, consent or notice, objections, and a person's own requests, from cards and chat. */
import { raiseObjection, recordConsent } from '../../workflow';
import { awaitingDecision } from '../../workflow/role-views';
import { statusCard } from '../cards/status';
import { childSummary, findChild, myRequests } from '../../workflow/queries';
import { teamZone } from '../../workflow/zone';
import type { Forms, Turn, VerbHandler, VerbHandlers } from '../turn';
import { plainWords, valuesOf } from '../views/form';
import {
  childSummaryCard,
  consentCard,
  myRequestsCard,
  waitingCard,
  objectionCard,
} from '../views/conversation-cards';
import { dateGb } from '../../vocabulary';
import { LIST_SHOWN } from '../views/list';
import { errorCard, notYoursCard } from '../views/failure-card';

/** Today on the calendar of the child's team (its profile's time zone). */
const today = async (turn: Turn, teamId: string) =>
  turn.deps.clock().toLocaleDateString('en-CA', { timeZone: await teamZone(turn.deps, teamId) });
const notYours = (ref: string) =>
  notYoursCard(
    'No such child in your teams',
    `“${ref}” is not a case reference of a child in your teams; nothing was done.`,
  );

const onChildSummary: VerbHandler<'child.summary'> = async (data, turn) => {
  const child = await findChild(turn.deps, turn.staff, data.childId);
  return child ? childSummaryCard(await childSummary(turn.deps, child), turn.tab) : notYours(data.childId);
};

const onConsentOpen: VerbHandler<'consent.open'> = async (data, turn) => {
  const child = await findChild(turn.deps, turn.staff, data.childId);
  if (!child) return notYours(data.childId);
  return consentCard({
    formId: `consent-${turn.activityId}`,
    childId: child.id,
    caseRef: child.caseRef,
    today: await today(turn, child.teamId),
  });
};

const onConsentRecord: VerbHandler<'consent.record'> = async (data, turn) => {
  const child = await findChild(turn.deps, turn.staff, data.childId);
  if (!child) return notYours(data.childId);
  const r = await recordConsent(turn.deps, {
    key: `consent:${data.formId}`,
    actorId: turn.staff.id,
    childId: child.id,
    givenBy: data.givenBy,
    date: data.date,
    scope: {
      platforms: data.platforms
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
      purposes: [],
    },
  });
  if (!r.ok)
    return consentCard({
      formId: data.formId,
      childId: child.id,
      caseRef: child.caseRef,
      today: await today(turn, child.teamId),
      state: {
        values: valuesOf(data),
        problems: {
          [['givenBy', 'date', 'platforms'].includes(r.error.field ?? '') ? r.error.field! : '']: plainWords(
            r.error.message,
          ),
        },
      },
    });
  return statusCard({
    title: `Consent recorded for ${child.caseRef}`,
    tone: 'success',
    facts: [
      ['Given by', data.givenBy],
      ['Date', dateGb(data.date)],
    ],
  });
};

const onObjectionOpen: VerbHandler<'objection.open'> = async (data, turn) => {
  const child = await findChild(turn.deps, turn.staff, data.childId);
  if (!child) return notYours(data.childId);
  return objectionCard({
    formId: `objection-${turn.activityId}`,
    childId: child.id,
    caseRef: child.caseRef,
    today: await today(turn, child.teamId),
  });
};

const onObjectionRaise: VerbHandler<'objection.raise'> = async (data, turn) => {
  const child = await findChild(turn.deps, turn.staff, data.childId);
  if (!child) return notYours(data.childId);
  const r = await raiseObjection(turn.deps, {
    key: `objection:${data.formId}`,
    actorId: turn.staff.id,
    childId: child.id,
    raisedBy: data.raisedBy,
    raisedAt: data.raisedAt,
    detail: data.detail,
  });
  if (!r.ok)
    return objectionCard({
      formId: data.formId,
      childId: child.id,
      caseRef: child.caseRef,
      today: await today(turn, child.teamId),
      state: {
        values: valuesOf(data),
        problems: {
          [['raisedBy', 'raisedAt', 'detail'].includes(r.error.field ?? '') ? r.error.field! : '']:
            plainWords(r.error.message),
        },
      },
    });
  // Information governance is told by the notices' holder (notice-feed.ts FOLLOW_UPS: the objection's own
  // event is the notice), whichever instance took the objection: at once if it is this one.
  if (!r.replayed) turn.after(() => turn.outbox.followUps());
  return statusCard({
    title: `Objection recorded for ${child.caseRef}`,
    detail: 'Every check on this child is stopped. Overt is telling information governance.',
    tone: 'warning',
  });
};

/** Consent and objection cards sent with something missing or malformed: the same card, as filled in. */
const formAgain =
  (verb: 'consent.record' | 'objection.raise', form: typeof consentCard | typeof objectionCard) =>
  async (state: Parameters<NonNullable<Forms['consent.record']>['again']>[0], turn: Turn) => {
    const child = await findChild(turn.deps, turn.staff, state.values['childId'] ?? '');
    if (!child) return notYours(state.values['childId'] ?? '');
    return form({
      formId: state.values['formId'] || `${verb}-${turn.activityId}`,
      childId: child.id,
      caseRef: child.caseRef,
      today: await today(turn, child.teamId),
      state,
    });
  };

/** The forms this file's verbs come from (routes.ts sends a malformed one back as filled in). */
export const childForms: Forms = {
  'consent.record': { again: formAgain('consent.record', consentCard) },
  'objection.raise': { again: formAgain('objection.raise', objectionCard) },
};

const onRequestsWaiting: VerbHandler<'requests.waiting'> = async (data, turn) => {
  const waiting = await awaitingDecision(turn.deps, { actorId: turn.staff.id });
  if (!waiting.ok) return errorCard('Overt could not list what waits for you', waiting.error.message);
  return waitingCard(waiting.value, turn.tab, data.page);
};

/** The verbs this file answers (the whole table is routes.ts's). */
export const childVerbs = {
  'child.summary': onChildSummary,
  'consent.open': onConsentOpen,
  'consent.record': onConsentRecord,
  'objection.open': onObjectionOpen,
  'objection.raise': onObjectionRaise,
  'requests.mine': async (data, turn) =>
    myRequestsCard(await myRequests(turn.deps, turn.staff, LIST_SHOWN, data.page), turn.tab),
  'requests.waiting': onRequestsWaiting,
} satisfies Partial<VerbHandlers>;
