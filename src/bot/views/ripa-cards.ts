/**
 * The RIPA route's cards (000 §12), for an authorising officer:
 * - the application: a repeat viewing inside three months for a criminal purpose, with the form to record
 *   the directed-surveillance authorisation (reference, offence and its maximum sentence, necessity,
 *   proportionality, legal advice, dates, the magistrate's approval where the profile needs it, confidential
 *   information, the officer's involvement) or to refuse it with reasons;
 * - the authorisation: what the central record holds, with its review, renewal and cancellation;
 * - the queue: what waits for an authorisation and what is in force.
 * A form sent with a problem comes back as it was filled in, the problem in plain words beside its field.
 */
import { BOUNDS } from '../../workflow/input';
import { renewalOpens } from '../../workflow/ripa';
import {
  actionSet,
  card,
  choice,
  choiceSet,
  container,
  fact,
  factSet,
  heading,
  inputDate,
  inputText,
  inputToggle,
  textBlock,
  toggle as showHide,
} from '../cards/build';
import type { AdaptiveCard, CardElement } from '../cards/types';
import {
  account,
  dateGb,
  label,
  MAX_SENTENCE,
  REASON,
  RIPA_REFUSAL,
  RIPA_STATE,
  sentenceWords,
  yesNo,
} from '../../vocabulary';
import { correctionWords, type CentralRecordEntry, type RipaApplication } from '../../workflow/queries/ripa';
import { act } from './act';
import { capped, pageLine, pageNav, pageOf, WAITING_ORDER } from './list';
import type { TabLink } from '../settings';
import { markRefusal } from './failure-card';

/** A problem with one field of a form: the input's id and the message in plain words; `also`, the other
 * fields' problems found in the same submission, each marked beside its own input at once. */
export type FieldProblem = { input: string; message: string; also?: { input: string; message: string }[] };
type Values = Record<string, string>;

const problemFor = (p: FieldProblem | undefined, id: string): CardElement[] => {
  const found = p && (p.input === id ? p : p.also?.find((x) => x.input === id));
  return found ? [textBlock(found.message, { color: 'attention', size: 'small', id: `${id}-problem` })] : [];
};

function banner(p: FieldProblem | undefined, what: string): CardElement[] {
  if (!p) return [];
  const text =
    p.input === 'form'
      ? `Nothing was recorded. ${p.message}`
      : `${what.charAt(0).toUpperCase()}${what.slice(1)}. See the ${p.also?.length ? 'problems' : 'problem'} marked below.`;
  return [container([textBlock(text, { weight: 'bolder', color: 'attention' })], { style: 'attention' })];
}

/** An input and, under it, its problem if it has one. */
const withProblem = (p: FieldProblem | undefined, id: string, input: CardElement): CardElement[] => [
  input,
  ...problemFor(p, id),
];

const text = (p: FieldProblem | undefined, v: Values, id: string, title: string, multiline = false) =>
  withProblem(
    p,
    id,
    inputText(id, title, {
      value: v[id] ?? '',
      ...(multiline ? { isMultiline: true } : {}),
      maxLength: BOUNDS.long,
    }),
  );
const date = (p: FieldProblem | undefined, v: Values, id: string, title: string) =>
  withProblem(p, id, inputDate(id, title, { value: v[id] ?? '' }));
const toggle = (v: Values, id: string, title: string, statement: string, p?: FieldProblem) =>
  withProblem(p, id, inputToggle(id, title, statement, { value: v[id] === 'true' ? 'true' : 'false' }));

const section = (title: string, items: CardElement[]): CardElement =>
  container([textBlock(title, { weight: 'bolder', size: 'medium' }), ...items], {
    separator: true,
    spacing: 'large',
  });

export interface ApplicationCardInput {
  app: RipaApplication;
  values?: Values;
  problem?: FieldProblem;
  /** Which form the problem belongs to. */
  form?: 'authorise' | 'refuse';
  /** What became of what the officer just did (an approval the policy sent back to them), at the top. */
  note?: string;
  today: string;
}

/** The code of practice: an officer involved in the case authorises it only where that cannot be avoided. */
const INVOLVED_LABEL = 'If you are involved: why it could not be avoided that you authorise it';

/** The application, with the authorisation form and the refusal. */
export function ripaApplicationCard(i: ApplicationCardInput): AdaptiveCard {
  const a = i.app;
  const t = i.today;
  // The magistrate's date is never assumed: left empty, the authorisation is recorded awaiting it.
  const v: Values = {
    grantedOn: t,
    from: t,
    until: addDays(addMonths(t, 3), -1),
    reviewAt: addMonths(t, 1),
    confidentialInfoLikely: 'false',
    authoriserInvolved: 'false',
    ...i.values,
  };
  const pa = i.form === 'authorise' ? i.problem : undefined;
  const pr = i.form === 'refuse' ? i.problem : undefined;
  const body: CardElement[] = [
    ...(i.note ? [container([textBlock(i.note, { weight: 'bolder' })], { style: 'warning' })] : []),
    ...banner(
      i.problem,
      i.form === 'refuse' ? 'the refusal was not recorded' : 'the authorisation was not recorded',
    ),
    heading(`RIPA application: ${a.childName} (${a.caseRef})`),
    textBlock(
      'A repeat viewing inside three months is surveillance. It may go ahead only under a directed-surveillance authorisation from an authorising officer, after legal advice, for a criminal offence punishable by over six months in prison; a six-month maximum is not enough.',
      { size: 'small' },
    ),
    ...(a.otherPurpose?.length
      ? [
          container(
            a.otherPurpose.map((x) => textBlock(x, { size: 'small' })),
            { style: 'warning' },
          ),
        ]
      : []),
    factSet([
      fact('Team', a.teamName),
      fact('Requested by', `${a.requesterName}, ${dateGb(a.raisedAt, a.timeZone)}`),
      fact('Reason', label(a.reason, REASON)),
      fact('Platforms', a.platforms.map(account).join('; ')),
      ...(a.rationale ? [fact('Why', a.rationale)] : []),
    ]),
    section('Record the authorisation', [
      ...text(pa, v, 'reference', 'Unique reference'),
      ...text(pa, v, 'offence', 'The criminal offence to be detected or prevented'),
      ...withProblem(
        pa,
        'maxSentenceMonths',
        choiceSet(
          'maxSentenceMonths',
          'Its maximum sentence',
          Object.entries(MAX_SENTENCE).map(([value, title]) => choice(title, value)),
          {
            style: 'compact',
            ...(v.maxSentenceMonths ? { value: v.maxSentenceMonths } : {}),
            placeholder: 'Choose',
          },
        ),
      ),
      ...text(pa, v, 'necessity', 'Why it is necessary', true),
      ...text(pa, v, 'proportionality', 'Why it is proportionate', true),
      ...text(pa, v, 'legalAdvice', 'The legal advice taken', true),
      ...date(pa, v, 'grantedOn', 'Date granted'),
      ...(a.judicialApproval
        ? [
            ...date(pa, v, 'magistrateApprovedOn', 'Date a magistrate approved it'),
            textBlock(
              `${a.judicialBasis ?? ''} Not yet approved? Leave the date empty: the authorisation is recorded as awaiting the magistrate’s approval, and no check proceeds under it until you record the date.`.trim(),
              { size: 'small', isSubtle: true },
            ),
          ]
        : []),
      ...date(pa, v, 'from', 'In force from'),
      ...date(pa, v, 'until', 'Ends on (at most three months)'),
      ...date(pa, v, 'reviewAt', 'First review by'),
      ...toggle(
        v,
        'confidentialInfoLikely',
        'Confidential information',
        'Confidential information is likely to be obtained',
        pa,
      ),
      ...toggle(v, 'authoriserInvolved', 'Your involvement', 'I am involved in this case', pa),
      ...text(pa, v, 'authoriserInvolvedReason', INVOLVED_LABEL, true),
      actionSet([
        act(
          'ripa.authorise',
          'Record the authorisation',
          { requestId: a.requestId, version: a.version, formId: `ripa-auth-${a.requestId}` },
          { style: 'positive' },
        ),
      ]),
    ]),
    section('Or refuse it', [
      ...withProblem(
        pr,
        'ground',
        choiceSet(
          'ground',
          'Why it is refused',
          Object.entries(RIPA_REFUSAL).map(([value, title]) => choice(title, value)),
          { style: 'compact', ...(v.ground ? { value: v.ground } : {}), placeholder: 'Choose' },
        ),
      ),
      ...text(pr, v, 'refuseReasons', 'Your reasons', true),
      actionSet([
        act(
          'ripa.refuse',
          'Refuse',
          { requestId: a.requestId, version: a.version, formId: `ripa-refuse-${a.requestId}` },
          { style: 'destructive' },
        ),
      ]),
    ]),
  ];
  const made = card(body, {
    fallbackText: `RIPA application for case ${a.caseRef}: waiting for an authorising officer`,
  });
  return i.problem ? markRefusal(made, i.problem.message, 'form') : made;
}

export interface AuthorisationCardInput {
  entry: CentralRecordEntry;
  /** The version of the authorisation shown: a step recorded on an older one is a stale card (issue 20). */
  version: string;
  judicialApproval: boolean;
  /** The officer may act on it (review, renew, cancel); information governance only reads. */
  canAct: boolean;
  values?: Values;
  problem?: FieldProblem;
  form?: 'review' | 'renew' | 'cancel' | 'correct' | 'magistrate';
  note?: { text: string; tone: 'good' | 'warning' | 'attention' };
  today: string;
}

/** One authorisation as the central record holds it, with its review, renewal and cancellation. */
export function ripaAuthorisationCard(i: AuthorisationCardInput): AdaptiveCard {
  const e = i.entry;
  const t = i.today;
  const nextMonth = addMonths(t, 1);
  const v: Values = {
    reviewedOn: t,
    nextReviewAt: nextMonth < e.until ? nextMonth : e.until,
    renewedOn: t,
    renewUntil: addDays(addMonths(addDays(e.until, 1), 3), -1),
    renewNextReviewAt: addMonths(e.until, 1),
    cancelOn: t,
    // The correction form starts from what is recorded.
    fixOffence: e.offence,
    fixMaxSentenceMonths: String(e.maxSentenceMonths),
    fixNecessity: e.necessity ?? '',
    fixProportionality: e.proportionality ?? '',
    fixLegalAdvice: e.legalAdvice,
    fixGrantedOn: e.grantedOn,
    fixMagistrateApprovedOn: e.magistrateApprovedOn ?? '',
    fixConfidentialInfoLikely: String(e.confidentialInfoLikely ?? false),
    fixAuthoriserInvolved: String(e.authoriserInvolved ?? false),
    fixAuthoriserInvolvedReason: e.authoriserInvolvedReason ?? '',
    ...i.values,
  };
  const p = (f: AuthorisationCardInput['form']) => (i.form === f ? i.problem : undefined);
  const body: CardElement[] = [
    ...(i.note ? [container([textBlock(i.note.text, { weight: 'bolder' })], { style: i.note.tone })] : []),
    ...banner(i.problem, `the ${FORM_WORDS[i.form ?? 'review']} was not recorded`),
    heading(`RIPA authorisation ${e.reference}`),
    factSet([
      fact('Child', `${e.childName} (${e.caseRef})`),
      fact('State', label(e.state, RIPA_STATE)),
      fact('Authorising officer', e.officerName),
      fact('Offence', `${e.offence} (maximum: ${sentenceWords(e.maxSentenceMonths)})`),
      fact('Granted', dateGb(e.grantedOn)),
      ...(e.magistrateApprovedOn
        ? [fact('Approved by a magistrate', dateGb(e.magistrateApprovedOn))]
        : e.state === 'awaiting-approval'
          ? [fact('Approved by a magistrate', 'Not yet: no check may proceed under it')]
          : []),
      // Cancelled or ended, it is no longer in force: the period it had, and when it stopped.
      e.cancelledOn
        ? fact('Period', `${dateGb(e.from)} to ${dateGb(e.until)}; cancelled on ${dateGb(e.cancelledOn)}`)
        : e.state === 'ended'
          ? fact('Period', `${dateGb(e.from)} to ${dateGb(e.until)}; ended`)
          : fact('In force', `${dateGb(e.from)} to ${dateGb(e.until)}`),
      fact('Reviews', e.reviews.map((r) => `${dateGb(r.on)} by ${r.by}`).join('; ') || 'None yet'),
      ...(e.cancelledOn ? [] : [fact('Next review by', dateGb(e.nextReviewOn))]),
      fact(
        'Renewals',
        e.renewals.map((r) => `${dateGb(r.on)}, for ${dateGb(r.from)} to ${dateGb(r.until)}`).join('; ') ||
          'None',
      ),
      fact('Cancelled', e.cancelledOn ? `${dateGb(e.cancelledOn)} by ${e.cancelledBy}` : 'No'),
      fact('Confidential information likely', yesNo(e.confidentialInfoLikely)),
      fact(
        'Authoriser involved in the case',
        e.authoriserInvolved
          ? `Yes: ${e.authoriserInvolvedReason ?? 'no reason recorded'}`
          : yesNo(e.authoriserInvolved),
      ),
      ...e.corrections.map((c) => fact('Corrected', correctionWords(c))),
    ]),
  ];
  if (i.canAct && e.state === 'awaiting-approval') {
    const mp = p('magistrate');
    body.push(
      section('Record the magistrate’s approval', [
        textBlock(
          'It takes effect on the day a magistrate approves it. Give that day once it is known: it is not filled in for you.',
          { size: 'small', isSubtle: true },
        ),
        ...date(mp, v, 'approvedOn', 'Date a magistrate approved it'),
        actionSet([
          act(
            'ripa.magistrate',
            'Record the approval',
            { ripaId: e.id, version: i.version, formId: `ripa-magistrate-${e.id}` },
            { style: 'positive' },
          ),
        ]),
      ]),
    );
  }
  const open =
    i.canAct &&
    (e.state === 'in-force' ||
      e.state === 'review-due' ||
      e.state === 'not-yet' ||
      e.state === 'awaiting-approval');
  if (open) {
    const rv = p('review');
    const rn = p('renew');
    const cn = p('cancel');
    const inEffect = e.state !== 'awaiting-approval';
    body.push(
      ...(inEffect
        ? [
            section('Record a review', [
              ...date(rv, v, 'reviewedOn', 'Date reviewed'),
              ...text(
                rv,
                v,
                'reviewNotes',
                'Is it still necessary and proportionate? What has it obtained?',
                true,
              ),
              ...date(rv, v, 'nextReviewAt', 'Next review by'),
              actionSet([
                act(
                  'ripa.review',
                  'Record the review',
                  { ripaId: e.id, version: i.version, formId: `ripa-review-${e.id}-${e.nextReviewOn}` },
                  { style: 'positive' },
                ),
              ]),
            ]),
            // One renewal a period: once renewed, no second form until the renewal takes effect (a renewal sent
            // regardless comes back on its own form, the problem by its date).
            e.renewalFrom && i.form !== 'renew'
              ? section('Renewed', [
                  textBlock(
                    `The renewal runs from ${dateGb(e.renewalFrom)} to ${dateGb(e.until)}. It can be renewed again once that renewal has taken effect, from ${dateGb(e.renewalFrom)}.`,
                    { size: 'small', isSubtle: true },
                  ),
                ])
              : section('Renew it', [
                  textBlock(
                    `A renewal takes effect when the current period ends, on ${dateGb(e.until)}, for at most three months more; one renewal a period. It can be renewed from ${dateGb(renewalOpens(e.until))}, in its final month.`,
                    { size: 'small', isSubtle: true },
                  ),
                  ...date(rn, v, 'renewedOn', 'Date renewed'),
                  ...(i.judicialApproval
                    ? date(rn, v, 'renewMagistrateOn', 'Date a magistrate approved the renewal')
                    : []),
                  ...date(rn, v, 'renewUntil', 'New end (at most three months more)'),
                  ...text(rn, v, 'renewReasons', 'Why it is still necessary and proportionate', true),
                  ...date(rn, v, 'renewNextReviewAt', 'Next review by'),
                  actionSet([
                    act('ripa.renew', 'Record the renewal', {
                      ripaId: e.id,
                      version: i.version,
                      formId: `ripa-renew-${e.id}-${e.until}`,
                    }),
                  ]),
                ]),
          ]
        : []),
      section('Cancel it', [
        textBlock('Cancel it as soon as it is no longer necessary or proportionate.', {
          size: 'small',
          isSubtle: true,
        }),
        ...date(cn, v, 'cancelOn', 'Date cancelled'),
        ...text(cn, v, 'cancelReasons', 'Why it is no longer needed', true),
        actionSet([
          act(
            'ripa.cancel',
            'Cancel the authorisation',
            { ripaId: e.id, version: i.version, formId: `ripa-cancel-${e.id}` },
            { style: 'destructive' },
          ),
        ]),
      ]),
    );
  }
  // A typo in what was recorded is corrected here, in any state (the central record is kept after the end):
  // its own record, the original kept beside it.
  if (i.canAct) {
    const cp = p('correct');
    const fix = `fix-${e.id}`;
    body.push(
      actionSet([showHide('Correct what was recorded', [fix])], { separator: true, spacing: 'large' }),
      container(
        [
          textBlock(
            'Correct a mistake in what was recorded. The original stays on the central record, shown as corrected.',
            { size: 'small', isSubtle: true },
          ),
          ...text(cp, v, 'fixOffence', 'The criminal offence'),
          ...withProblem(
            cp,
            'fixMaxSentenceMonths',
            choiceSet(
              'fixMaxSentenceMonths',
              'Its maximum sentence',
              Object.entries(MAX_SENTENCE).map(([value, title]) => choice(title, value)),
              { style: 'compact', value: v.fixMaxSentenceMonths ?? '' },
            ),
          ),
          ...text(cp, v, 'fixNecessity', 'Why it is necessary', true),
          ...text(cp, v, 'fixProportionality', 'Why it is proportionate', true),
          ...text(cp, v, 'fixLegalAdvice', 'The legal advice taken', true),
          ...date(cp, v, 'fixGrantedOn', 'Date granted'),
          ...(i.judicialApproval && e.state !== 'awaiting-approval'
            ? date(cp, v, 'fixMagistrateApprovedOn', 'Date a magistrate approved it')
            : []),
          ...toggle(
            v,
            'fixConfidentialInfoLikely',
            'Confidential information',
            'Confidential information is likely to be obtained',
            cp,
          ),
          ...toggle(
            v,
            'fixAuthoriserInvolved',
            'Your involvement',
            'The authoriser is involved in this case',
            cp,
          ),
          ...text(cp, v, 'fixAuthoriserInvolvedReason', INVOLVED_LABEL, true),
          ...text(cp, v, 'fixReason', 'What was wrong', true),
          actionSet([
            act('ripa.correct', 'Record the correction', {
              ripaId: e.id,
              version: i.version,
              formId: `ripa-correct-${e.id}-${e.corrections.length}`,
            }),
          ]),
        ],
        { id: fix, isVisible: !!cp },
      ),
    );
  }
  const made = card(body, {
    fallbackText: `RIPA authorisation ${e.reference}: ${label(e.state, RIPA_STATE)}`,
  });
  return i.problem ? markRefusal(made, i.problem.message, 'form') : made;
}

/** Each of an authorisation's later forms, as a sentence names it ("The renewal was not recorded"). */
export const FORM_WORDS = {
  review: 'review',
  renew: 'renewal',
  cancel: 'cancellation',
  correct: 'correction',
  magistrate: 'magistrate’s approval',
} as const;

/** What waits for an authorisation, and what is in force: each opens its own card. What waits is paged as
 * "waiting for me" is (views/list.ts: "ripa 2", Previous/Next page), the longest waiting first as in the tab's
 * register; what is in force the first few (views/list.ts), how many more, and the way to the tab. */
export function ripaQueueCard(
  waiting: RipaApplication[],
  entries: CentralRecordEntry[],
  tab: TabLink,
  /** For a reader who does not authorise (information governance): how many wait for an authorising officer.
   * Their card is the central record's summary, never an empty queue labelled as theirs. */
  reader?: { waitingForOfficer: number },
  page = 1,
): AdaptiveCard {
  const live = entries.filter((e) => e.state !== 'cancelled' && e.state !== 'ended');
  const body: CardElement[] = [heading(reader ? 'RIPA: the central record' : 'RIPA: your queue')];
  body.push(
    textBlock(reader ? 'Waiting for an authorising officer' : 'Waiting for an authorisation', {
      weight: 'bolder',
    }),
  );
  const p = pageOf(waiting, page);
  if (reader) {
    const n = reader.waitingForOfficer;
    body.push(
      textBlock(
        n === 0
          ? 'No application waits for an authorising officer.'
          : `${n === 1 ? '1 application waits' : `${n} applications wait`} for an authorising officer, who records the authorisation or refuses it.`,
        { wrap: true },
      ),
    );
  } else if (!waiting.length) body.push(textBlock('Nothing is waiting.', { isSubtle: true, size: 'small' }));
  else
    body.push(
      textBlock(
        waiting.length === 1
          ? '1 application waits for your authorisation.'
          : `${waiting.length} applications wait for your authorisation, ${WAITING_ORDER}.`,
        { wrap: true },
      ),
      ...pageLine(p, 'applications'),
    );
  body.push(
    ...p.these.map((a) =>
      container(
        [
          textBlock(
            `${a.childName} (${a.caseRef}), ${a.teamName}: asked by ${a.requesterName} on ${dateGb(a.raisedAt, a.timeZone)}`,
            { wrap: true },
          ),
          actionSet([act('ripa.open', 'Open the application', { requestId: a.requestId })]),
        ],
        { separator: true },
      ),
    ),
    ...pageNav(p, { typed: 'ripa', verb: 'ripa.queue', tab, view: 'ripa' }),
  );
  body.push(textBlock('Authorisations in force', { weight: 'bolder' }));
  if (!live.length) body.push(textBlock('None in force.', { isSubtle: true, size: 'small' }));
  const inForce = live.map((e) =>
    container(
      [
        textBlock(
          `${e.reference}: ${e.caseRef}, ${label(e.state, RIPA_STATE)}; next review by ${dateGb(e.nextReviewOn)}; ends ${dateGb(e.until)}`,
          { wrap: true },
        ),
        actionSet([act('ripa.show', 'Open the authorisation', { ripaId: e.id })]),
      ],
      { separator: true },
    ),
  );
  body.push(
    ...capped(inForce, live.length, {
      view: 'ripa',
      what: (n) => (n === 1 ? '1 more authorisation is' : `${n} more authorisations are`),
      tab,
    }),
  );
  body.push(
    textBlock('The whole central record, and its CSV and PDF exports, are in the Overt tab.', {
      isSubtle: true,
      size: 'small',
    }),
  );
  return card(body, { fallbackText: `RIPA: ${waiting.length} waiting, ${live.length} in force` });
}

/** A notice about an authorisation (a review due, an end), with the way to it. */
export function ripaNoticeCard(
  title: string,
  text: string,
  ripaId: string,
  /** The authorisation as it is now, as the person may see it (workflow/queries/ripa.ts ripaNoticeFacts). */
  facts: [string, string][] = [],
): AdaptiveCard {
  return card(
    [heading(title), textBlock(text), ...(facts.length ? [factSet(facts.map(([k, v]) => fact(k, v)))] : [])],
    {
      actions: [act('ripa.show', 'Open the authorisation', { ripaId })],
      fallbackText: `${title}: ${text}`,
    },
  );
}

function addDays(day: string, n: number): string {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}
function addMonths(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const last = new Date(Date.UTC(y, m - 1 + n + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + n, Math.min(d, last))).toISOString().slice(0, 10);
}
