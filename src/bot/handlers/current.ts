/**
 * A stale card's answer, the same for every verb that changes a record already there (issue 20): the card
 * pressed named no version, or one its record has moved on from, so nothing is done and the person gets the
 * current card — the request, the RIPA application or the authorisation as it is now, as they may see it —
 * with one plain sentence, what they typed kept where the current card is the same form. routes.ts answers
 * with it and records the refusal (once: the workflow writes nothing for a stale card).
 */
import { requestById } from '../../workflow/queries/request';
import type { AdaptiveCard } from '../cards/types';
import type { Turn } from '../turn';
import type { VerbData, VersionedVerb } from '../verbs';
import { markRefusal, refusalOf } from '../views/failure-card';
import { valuesOf } from '../views/form';
import { requestCard } from './requests';
import { applicationCard, authorisationCard } from './ripa';

/** What the person reads at the top of the current card. */
export const OUT_OF_DATE_NOTE = 'Nothing was done: this card is out of date — here is the current one.';

type Current = { [V in VersionedVerb]: (data: VerbData<V>, turn: Turn) => Promise<AdaptiveCard> };

const request = (data: { requestId: string }, turn: Turn) =>
  requestCard(turn, data.requestId, { text: OUT_OF_DATE_NOTE, tone: 'attention' });

/** The application while it still waits for this officer (their form as typed), else the request as it is. */
async function application(
  data: { requestId: string },
  turn: Turn,
  form: 'authorise' | 'refuse',
): Promise<AdaptiveCard> {
  const found = await requestById(turn.deps, data.requestId);
  const waiting =
    found?.record.status === 'escalated' &&
    found.record.authority === 'authorised-officer' &&
    turn.staff.role === 'authorised-officer';
  if (!waiting) return request(data, turn);
  const { requestId: _r, version: _v, formId: _f, ...values } = valuesOf(data);
  return applicationCard(turn, data.requestId, {
    values,
    problem: { input: 'form', message: OUT_OF_DATE_NOTE },
    form,
  });
}

const authorisation =
  (form: 'review' | 'renew' | 'cancel' | 'correct' | 'magistrate') =>
  (data: { ripaId: string }, turn: Turn): Promise<AdaptiveCard> => {
    const { ripaId: _r, version: _v, formId: _f, ...values } = valuesOf(data);
    return authorisationCard(turn, data.ripaId, {
      note: { text: OUT_OF_DATE_NOTE, tone: 'attention' },
      values,
      form,
    });
  };

const current: Current = {
  'request.approve': request,
  'request.decline': request,
  'request.more-info': request,
  'request.answer': request,
  'request.withdraw': request,
  'check.record': request,
  'ripa.authorise': (data, turn) => application(data, turn, 'authorise'),
  'ripa.refuse': (data, turn) => application(data, turn, 'refuse'),
  'ripa.review': authorisation('review'),
  'ripa.renew': authorisation('renew'),
  'ripa.cancel': authorisation('cancel'),
  'ripa.correct': authorisation('correct'),
  'ripa.magistrate': authorisation('magistrate'),
};

/**
 * The answer to a stale card of `verb`: the current card, marked as the refusal it is (`why`, the reason kept on
 * the audit trail) — unless the current card is itself a refusal of this person (a request they may not see),
 * which is then the answer and the reason.
 */
export async function outOfDateCard<V extends VersionedVerb>(
  verb: V,
  data: VerbData<V>,
  turn: Turn,
  why: string,
): Promise<AdaptiveCard> {
  const card = await (current[verb] as (d: VerbData<V>, t: Turn) => Promise<AdaptiveCard>)(data, turn);
  return refusalOf(card) !== undefined && refusalOf(card) !== OUT_OF_DATE_NOTE
    ? card
    : markRefusal(card, why);
}
