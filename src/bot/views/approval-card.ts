/**
 * The approval card, in three views (Universal Actions):
 * - the base card, sent to the approvers' conversations and seen by anyone who can see that message: the
 *   child only by case reference, the state, no detail of the request; its `refresh` lists the approvers and
 *   the requester, so Teams fetches their own view when they look at it, and "Open" does the same by hand;
 * - the approver's view: the child, the request, the verdict with its clauses, consent, any open objection,
 *   recent checks, and Approve / Decline (reasons required) / Ask for more information;
 * - the read-only view, for the requester and for approvers once it is decided.
 */
import { BOUNDS } from '../../workflow/input';
import {
  refresh as refreshOf,
  actionSet,
  card,
  container,
  fact,
  factSet,
  heading,
  inputText,
  textBlock,
  toggle,
} from '../cards/build';
import type { AdaptiveCard, CardElement, Refresh } from '../cards/types';
import { act } from './act';
import { withState, type FormState } from './form';
import { markRefusal } from './failure-card';
import type { RequestView } from './request-view';
import { verdictLine, verdictSection } from './verdict';
import { dateTimeGb, DECISION, label, statusWords } from '../../vocabulary';
import { decisionChoices } from '../../workflow/queries/request';

const OPEN = new Set(['pending', 'escalated', 'more-info']);

function refreshFor(requestId: string, userIds: string[]): Refresh {
  return refreshOf(act('request.refresh', 'Refresh', { requestId }), userIds);
}

/** The base card: safe to show anyone who can see the message. Without a case reference (posted where others
 * than the requester and the deciders can read it) it says nothing about the child at all. */
export function approvalBaseCard(input: {
  requestId: string;
  caseRef?: string;
  status: RequestView['status'];
  authority: string;
  refreshUserIds: string[];
  /** A line above it, e.g. how long it has waited (nothing about the request itself). */
  note?: string;
}): AdaptiveCard {
  const title = input.caseRef
    ? `Request to view public social media: case ${input.caseRef}`
    : 'A request in Overt';
  const body: CardElement[] = [
    ...(input.note ? [container([textBlock(input.note, { weight: 'bolder' })], { style: 'warning' })] : []),
    heading(title),
    factSet([fact('State', statusWords(input.status)), fact('Needs', label(input.authority))]),
    textBlock(
      'The details are shown only to the requester and to those who may decide. Open the card to see your view.',
      { isSubtle: true, size: 'small' },
    ),
  ];
  return card(body, {
    actions: [act('request.refresh', 'Open', { requestId: input.requestId })],
    refresh: refreshFor(input.requestId, input.refreshUserIds),
    fallbackText: input.caseRef
      ? `Request for case ${input.caseRef}: ${statusWords(input.status)}`
      : `A request in Overt: ${statusWords(input.status)}`,
  });
}

/** A neutral pointer, posted where others can read it instead of a card about a child: the people listed see
 * their own view (refresh); anyone else who opens it is told it is not theirs to see. */
export function pointerCard(requestId: string, refreshUserIds: string[]): AdaptiveCard {
  return card(
    [
      heading('Overt has an update for you'),
      textBlock(
        'It is shown only to the person it is for. Open it to see it, or open your personal chat with Overt.',
        { isSubtle: true, size: 'small' },
      ),
    ],
    {
      actions: [act('request.refresh', 'Open', { requestId })],
      refresh: refreshFor(requestId, refreshUserIds),
      fallbackText: 'Overt has an update for you',
    },
  );
}

const DECIDED_AGAINST = new Set(['declined', 'withdrawn', 'expired', 'refused', 'stopped']);

/** Everything about the request, in full: the facts, the reasons given, the verdict with its clauses and
 * obligations, recent checks. A request decided against never shows the verdict as a green "allows". */
function details(r: RequestView): CardElement[] {
  const facts = [
    fact('Child', `${r.childName} (${r.caseRef})`),
    fact('Requested by', `${r.requesterName}, ${dateTimeGb(r.createdAt, r.timeZone)}`),
    fact('Reason', label(r.reason)),
    fact('Platforms', r.platforms.map((p) => `${p.platform}: ${p.account}`).join('; ')),
    fact('Viewing method', label(r.viewer)),
    fact('Consent / notice', r.consent),
    fact('Objection', r.objection ?? 'none open'),
    fact('State', statusWords(r.status)),
  ];
  if (r.decided) facts.push(decision(r, r.decided));
  const items: CardElement[] = [
    heading(`Request to view public social media: case ${r.caseRef}`),
    factSet(facts),
  ];
  items.push(...reasonsGiven(r));
  items.push(verdictSection(r.verdict, DECIDED_AGAINST.has(r.status) ? { style: 'emphasis' } : {}));
  items.push(...recentChecks(r));
  return items;
}

/** The rationale the request was raised with, then each answer to a request for more information, dated. */
function reasonsGiven(r: RequestView): CardElement[] {
  return [
    ...(r.rationale ? [textBlock(`Why it is necessary and proportionate: ${r.rationale}`)] : []),
    ...(r.answers ?? []).map((a) =>
      textBlock(`Answer to the request for more information, ${dateTimeGb(a.at, r.timeZone)}: ${a.text}`),
    ),
  ];
}

const decision = (r: RequestView, d: NonNullable<RequestView['decided']>) =>
  fact(
    'Decision',
    `${label(d.outcome, DECISION)} by ${d.by}, ${dateTimeGb(d.at, r.timeZone)}${d.reasons ? `: ${d.reasons}` : ''}`,
  );

function recentChecks(r: RequestView): CardElement[] {
  return [
    textBlock('Recent checks on this child', { weight: 'bolder', size: 'small' }),
    r.recentChecks.length
      ? factSet(r.recentChecks.map((c) => fact(dateTimeGb(c.at, r.timeZone), c.by)))
      : textBlock('None on record.', { size: 'small', isSubtle: true }),
  ];
}

/** The reasons box, labelled from what the team's policy asks: reasons for any decision where its rules
 * refuse an approval without them (000 §10), else for declining or asking for more information. */
function reasonsInput(r: RequestView): CardElement[] {
  const need = r.reasonsToApprove;
  return [
    inputText(
      'reasons',
      need.required
        ? 'Reasons for your decision (required to approve, decline or ask for more information)'
        : 'Reasons (required to decline or to ask for more information)',
      { isMultiline: true, maxLength: BOUNDS.long },
    ),
    ...(need.required ? [textBlock(need.why, { size: 'small', isSubtle: true, spacing: 'none' })] : []),
  ];
}

/**
 * For someone who may decide while the request is open, read at a glance on a phone: who asks, for which
 * child, why, the verdict in one sentence, and the reasons box with the buttons, all on the first screen; the
 * rest (viewing method, consent, the verdict's clauses and obligations, recent checks) behind "Show details".
 */
export function approverCard(r: RequestView, refreshUserIds: string[], state?: FormState): AdaptiveCard {
  const base = { requestId: r.id, version: r.version };
  const more = `more-${r.id}`;
  const choices = decisionChoices(r);
  const may = choices.route === 'decide' ? choices.outcomes : [];
  const summary: CardElement[] = [
    heading(`Request to view public social media: case ${r.caseRef}`),
    factSet([
      fact('Child', `${r.childName} (${r.caseRef})`),
      fact('Requested by', `${r.requesterName}, ${dateTimeGb(r.createdAt, r.timeZone)}`),
      fact('Reason', label(r.reason)),
      fact('Platforms', r.platforms.map((p) => `${p.platform}: ${p.account}`).join('; ')),
      ...(r.objection ? [fact('Objection', r.objection)] : []),
    ]),
  ];
  if (r.rationale) summary.push(textBlock(`Why: ${r.rationale}`, { maxLines: 4, spacing: 'small' }));
  const answer = r.answers?.at(-1);
  if (answer)
    summary.push(
      textBlock(`Their answer, ${dateTimeGb(answer.at, r.timeZone)}: ${answer.text}`, {
        maxLines: 4,
        spacing: 'small',
      }),
    );
  summary.push(verdictLine(r.verdict));
  const body: CardElement[] = [
    ...summary,
    container(
      [
        ...reasonsInput(r),
        // Only what the workflow would allow now (decisionChoices: the tab offers the same).
        ...(may.includes('approve') || may.includes('decline')
          ? [
              actionSet([
                ...(may.includes('approve')
                  ? [act('request.approve', 'Approve', base, { style: 'positive' })]
                  : []),
                ...(may.includes('decline')
                  ? [act('request.decline', 'Decline', base, { style: 'destructive' })]
                  : []),
              ]),
            ]
          : []),
        actionSet([
          ...(may.includes('more-info') ? [act('request.more-info', 'Ask for more information', base)] : []),
          toggle('Show details', [more]),
        ]),
      ],
      { separator: true },
    ),
    container(
      [
        factSet([
          fact('Viewing method', label(r.viewer)),
          fact('Consent / notice', r.consent),
          fact('Objection', r.objection ?? 'none open'),
          fact('State', statusWords(r.status)),
          ...(r.decided ? [decision(r, r.decided)] : []),
        ]),
        ...reasonsGiven(r),
        verdictSection(r.verdict),
        ...recentChecks(r),
      ],
      { id: more, isVisible: false, separator: true },
    ),
  ];
  const made = card(withState(body, state), {
    refresh: refreshFor(r.id, refreshUserIds),
    fallbackText: `Request for case ${r.caseRef}: waiting for your decision`,
  });
  const why = Object.values(state?.problems ?? {}).join(' ');
  return why ? markRefusal(made, why, 'form') : made;
}

/** Read-only: the requester's view, and an approver's once it is decided. */
export function requestStatusCard(
  r: RequestView,
  refreshUserIds: string[],
  options: {
    requester?: boolean;
    /** May record the check (the requester, or the manager who views on their behalf, 000 §13). */
    mayRecord?: boolean;
    note?: { text: string; tone: 'good' | 'warning' | 'attention' };
    state?: FormState;
  } = {},
): AdaptiveCard {
  const body = details(r);
  const { requester = false, state, mayRecord = requester } = options;
  // A stopped request always says why (its RIPA authorisation was cancelled), however it is opened.
  const note =
    options.note ??
    (r.status === 'stopped'
      ? {
          text: 'Stopped: the RIPA authorisation this request was approved under was cancelled, so no check may be done under it from the day it was cancelled. A viewing done before then can still be recorded; if a check is still needed, raise a new request.',
          tone: 'attention' as const,
        }
      : undefined);
  if (note) body.unshift(container([textBlock(note.text, { weight: 'bolder' })], { style: note.tone }));
  const actions = [];
  if (requester && r.status === 'more-info')
    body.push(
      inputText('rationale', 'Your answer: why the check is necessary and proportionate', {
        isMultiline: true,
        isRequired: true,
        errorMessage: 'Write your answer',
        // Their last answer when asked again; the rationale stays above, never to be sent again as one.
        value: r.answers?.at(-1)?.text ?? '',
      }),
    );
  if (requester && r.status === 'more-info')
    actions.push(
      act('request.answer', 'Send the answer', {
        requestId: r.id,
        version: r.version,
        formId: `answer-${r.id}-${r.version}`,
      }),
    );
  if (mayRecord && r.status === 'approved')
    actions.push(act('check.open', 'Record the check', { requestId: r.id }));
  if (mayRecord && r.status === 'stopped')
    actions.push(act('check.open', 'Record a viewing done before it stopped', { requestId: r.id }));
  if (requester && (OPEN.has(r.status) || r.status === 'approved'))
    actions.push(
      act('request.withdraw', 'Withdraw', {
        requestId: r.id,
        version: r.version,
        formId: `withdraw-${r.id}`,
      }),
    );
  const made = card(withState(body, state), {
    actions,
    refresh: refreshFor(r.id, refreshUserIds),
    fallbackText: `Request for case ${r.caseRef}: ${statusWords(r.status)}`,
  });
  const why = Object.values(state?.problems ?? {}).join(' ');
  return why ? markRefusal(made, why, 'form') : made;
}
